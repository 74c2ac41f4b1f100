namespace Gate.Firmware.Connection
{
    /// <summary>What ConnectionSupervisor.Poll asks the caller to do now.</summary>
    public enum ConnectionAction
    {
        None = 0,
        Connect = 1,
        Abort = 2,
        Reboot = 3,
    }

    public enum ConnectionState
    {
        Disconnected = 0,
        Connecting = 1,
        Connected = 2,
    }

    /// <summary>
    /// Keeps the MQTT session alive: connects, waits with backoff after a failure, gives up on a connect that
    /// hangs (M2Mqtt's has no timeout), and asks for a reboot after a long disconnection (as ESPHome does
    /// after 15 minutes), because a wedged Wi-Fi or TCP stack is cured by a restart and the outbox survives it.
    /// Poll returns what the caller must do now.
    /// </summary>
    public sealed class ConnectionSupervisor
    {
        public const long DefaultConnectTimeoutMs = 30000;
        public const long DefaultRebootAfterMs = 15 * 60 * 1000;

        private readonly Backoff _backoff;
        private readonly long _connectTimeoutMs;
        private readonly long _rebootAfterMs;
        private ConnectionState _state = ConnectionState.Disconnected;
        private long _nextAttemptMs;
        private long _connectStartedMs;
        private long _offlineSinceMs;
        private bool _rebootRequested;
        private int _connects;
        private string _lastError;

        public ConnectionSupervisor(Backoff backoff, long connectTimeoutMs, long rebootAfterMs, long nowMs)
        {
            _backoff = backoff;
            _connectTimeoutMs = connectTimeoutMs <= 0 ? DefaultConnectTimeoutMs : connectTimeoutMs;
            _rebootAfterMs = rebootAfterMs <= 0 ? DefaultRebootAfterMs : rebootAfterMs;
            _offlineSinceMs = nowMs;
            _nextAttemptMs = nowMs;
        }

        public ConnectionState State { get { return _state; } }

        public bool IsConnected { get { return _state == ConnectionState.Connected; } }

        public long OfflineSinceMs { get { return _offlineSinceMs; } }

        public long NextAttemptMs { get { return _nextAttemptMs; } }

        /// <summary>Successful connects since boot.</summary>
        public int Connects { get { return _connects; } }

        public string LastError { get { return _lastError; } }

        public ConnectionAction Poll(long nowMs)
        {
            if (_state == ConnectionState.Connected)
            {
                return ConnectionAction.None;
            }

            if (!_rebootRequested && nowMs - _offlineSinceMs >= _rebootAfterMs)
            {
                _rebootRequested = true;
                return ConnectionAction.Reboot;
            }

            if (_state == ConnectionState.Connecting)
            {
                if (nowMs - _connectStartedMs >= _connectTimeoutMs)
                {
                    _lastError = "connect_timeout";
                    Fail(nowMs);
                    return ConnectionAction.Abort;
                }

                return ConnectionAction.None;
            }

            if (nowMs >= _nextAttemptMs)
            {
                _state = ConnectionState.Connecting;
                _connectStartedMs = nowMs;
                return ConnectionAction.Connect;
            }

            return ConnectionAction.None;
        }

        public void OnConnected(long nowMs)
        {
            _state = ConnectionState.Connected;
            _backoff.Reset();
            _connects++;
            _lastError = null;
        }

        public void OnConnectFailed(string reason, long nowMs)
        {
            if (_state != ConnectionState.Connecting)
            {
                return;
            }

            _lastError = reason;
            Fail(nowMs);
        }

        public void OnDisconnected(string reason, long nowMs)
        {
            if (_state == ConnectionState.Connected)
            {
                _offlineSinceMs = nowMs;
                _lastError = reason;
                _state = ConnectionState.Disconnected;
                // A first retry soon: most drops are a broker restart or a Wi-Fi roam.
                _nextAttemptMs = nowMs + _backoff.NextDelayMs();
            }
            else if (_state == ConnectionState.Connecting)
            {
                OnConnectFailed(reason, nowMs);
            }
        }

        private void Fail(long nowMs)
        {
            _state = ConnectionState.Disconnected;
            _nextAttemptMs = nowMs + _backoff.NextDelayMs();
        }
    }
}
