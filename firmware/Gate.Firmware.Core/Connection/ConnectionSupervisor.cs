namespace Gate.Firmware.Connection
{
    /// <summary>
    /// Keeps the MQTT session alive: connects, waits with backoff after a failure, gives up on a connect that
    /// hangs (M2Mqtt's has no timeout), and asks for a reboot after a long disconnection (as ESPHome does
    /// after 15 minutes), because a wedged Wi-Fi or TCP stack is cured by a restart and the outbox survives it.
    /// Poll returns what the caller must do now.
    /// </summary>
    public sealed class ConnectionSupervisor
    {
        public const int ActionNone = 0;
        public const int ActionConnect = 1;
        public const int ActionAbort = 2;
        public const int ActionReboot = 3;

        public const int StateDisconnected = 0;
        public const int StateConnecting = 1;
        public const int StateConnected = 2;

        public const long DefaultConnectTimeoutMs = 30000;
        public const long DefaultRebootAfterMs = 15 * 60 * 1000;

        private readonly Backoff _backoff;
        private readonly long _connectTimeoutMs;
        private readonly long _rebootAfterMs;
        private int _state = StateDisconnected;
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

        public int State { get { return _state; } }

        public bool IsConnected { get { return _state == StateConnected; } }

        public long OfflineSinceMs { get { return _offlineSinceMs; } }

        public long NextAttemptMs { get { return _nextAttemptMs; } }

        /// <summary>Successful connects since boot.</summary>
        public int Connects { get { return _connects; } }

        public string LastError { get { return _lastError; } }

        public int Poll(long nowMs)
        {
            if (_state == StateConnected)
            {
                return ActionNone;
            }

            if (!_rebootRequested && nowMs - _offlineSinceMs >= _rebootAfterMs)
            {
                _rebootRequested = true;
                return ActionReboot;
            }

            if (_state == StateConnecting)
            {
                if (nowMs - _connectStartedMs >= _connectTimeoutMs)
                {
                    _lastError = "connect_timeout";
                    Fail(nowMs);
                    return ActionAbort;
                }

                return ActionNone;
            }

            if (nowMs >= _nextAttemptMs)
            {
                _state = StateConnecting;
                _connectStartedMs = nowMs;
                return ActionConnect;
            }

            return ActionNone;
        }

        public void OnConnected(long nowMs)
        {
            _state = StateConnected;
            _backoff.Reset();
            _connects++;
            _lastError = null;
        }

        public void OnConnectFailed(string reason, long nowMs)
        {
            if (_state != StateConnecting)
            {
                return;
            }

            _lastError = reason;
            Fail(nowMs);
        }

        public void OnDisconnected(string reason, long nowMs)
        {
            if (_state == StateConnected)
            {
                _offlineSinceMs = nowMs;
                _lastError = reason;
                _state = StateDisconnected;
                // A first retry soon: most drops are a broker restart or a Wi-Fi roam.
                _nextAttemptMs = nowMs + _backoff.NextDelayMs();
            }
            else if (_state == StateConnecting)
            {
                OnConnectFailed(reason, nowMs);
            }
        }

        private void Fail(long nowMs)
        {
            _state = StateDisconnected;
            _nextAttemptMs = nowMs + _backoff.NextDelayMs();
        }
    }
}
