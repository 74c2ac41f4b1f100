namespace Gate.Firmware.Devices
{
    /// <summary>
    /// End-of-line supervised panic wiring read as an analog loop voltage. The resistor network puts the
    /// loop in one of four bands: short (wire shorted), normal, alarm (button operated), cut (wire open).
    /// Cut and short are tampering. A band must hold for the settle time before it is believed, so a noisy
    /// ADC or a bouncing contact does not flap.
    /// </summary>
    public sealed class PanicLoopMonitor
    {
        public const int Normal = 0;
        public const int Alarm = 1;
        public const int Cut = 2;
        public const int Short = 3;

        private readonly int _shortBelowMv;
        private readonly int _normalBelowMv;
        private readonly int _alarmBelowMv;
        private readonly long _settleMs;
        private int _state = Normal;
        private int _candidate = -1;
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

        public int State { get { return _state; } }

        public static string Word(int state)
        {
            if (state == Cut) { return Gate.Contracts.PanicLoop.Cut; }
            if (state == Short) { return Gate.Contracts.PanicLoop.Short; }
            return Gate.Contracts.PanicLoop.Normal;
        }

        public int Classify(int millivolts)
        {
            if (millivolts < _shortBelowMv) { return Short; }
            if (millivolts < _normalBelowMv) { return Normal; }
            if (millivolts < _alarmBelowMv) { return Alarm; }
            return Cut;
        }

        /// <summary>Feeds one reading; true when State changed.</summary>
        public bool Update(int millivolts, long nowMs)
        {
            int band = Classify(millivolts);
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
