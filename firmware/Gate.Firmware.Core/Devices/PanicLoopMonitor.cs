namespace Gate.Firmware.Devices
{
    /// <summary>The band a supervised panic loop is in.</summary>
    public enum LoopState
    {
        Normal = 0,
        Alarm = 1,
        Cut = 2,
        Short = 3,
    }

    /// <summary>
    /// End-of-line supervised panic wiring read as an analog loop voltage. The resistor network puts the
    /// loop in one of four bands: short (wire shorted), normal, alarm (button operated), cut (wire open).
    /// Cut and short are tampering. A band must hold for the settle time before it is believed, so a noisy
    /// ADC or a bouncing contact does not flap.
    /// </summary>
    public sealed class PanicLoopMonitor
    {
        private readonly int _shortBelowMv;
        private readonly int _normalBelowMv;
        private readonly int _alarmBelowMv;
        private readonly long _settleMs;
        private LoopState _state = LoopState.Normal;
        private LoopState _candidate = LoopState.Normal; // set by the first reading (_started)
        private long _candidateSinceMs;
        private bool _started;

        /// <summary>Bands: v &lt; shortBelow: short; &lt; normalBelow: normal; &lt; alarmBelow: alarm; else cut.</summary>
        public PanicLoopMonitor(int shortBelowMv, int normalBelowMv, int alarmBelowMv, long settleMs)
        {
            _shortBelowMv = shortBelowMv;
            _normalBelowMv = normalBelowMv;
            _alarmBelowMv = alarmBelowMv;
            _settleMs = settleMs < 0 ? 0 : settleMs;
        }

        public LoopState State { get { return _state; } }

        public static string Word(LoopState state)
        {
            if (state == LoopState.Cut) { return Gate.Contracts.PanicLoop.Cut; }
            if (state == LoopState.Short) { return Gate.Contracts.PanicLoop.Short; }
            return Gate.Contracts.PanicLoop.Normal;
        }

        public LoopState Classify(int millivolts)
        {
            if (millivolts < _shortBelowMv) { return LoopState.Short; }
            if (millivolts < _normalBelowMv) { return LoopState.Normal; }
            if (millivolts < _alarmBelowMv) { return LoopState.Alarm; }
            return LoopState.Cut;
        }

        /// <summary>Feeds one reading; true when State changed.</summary>
        public bool Update(int millivolts, long nowMs)
        {
            LoopState band = Classify(millivolts);
            if (!_started)
            {
                _started = true;
                _candidate = band;
                _candidateSinceMs = nowMs;
                if (_settleMs == 0 && band != _state)
                {
                    _state = band;
                    return true;
                }

                return false;
            }

            if (band != _candidate)
            {
                _candidate = band;
                _candidateSinceMs = nowMs;
            }

            if (_candidate != _state && nowMs - _candidateSinceMs >= _settleMs)
            {
                _state = _candidate;
                return true;
            }

            return false;
        }
    }
}
