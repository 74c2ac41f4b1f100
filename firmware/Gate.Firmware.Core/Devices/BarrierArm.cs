using Gate.Contracts;

namespace Gate.Firmware.Devices
{
    /// <summary>
    /// The barrier arm's open/closed sensor. The guard opens the arm from the gate's own control, which the
    /// controller sees as an authorisation (an open-request input or a server command); an arm that opens
    /// with no authorisation in the last window was forced (barrier_forced), restored when it closes.
    /// </summary>
    public sealed class BarrierArm
    {
        public const int DefaultAuthorisationWindowMs = 30000;

        private readonly IAlarmSink _alarms;
        private readonly long _windowMs;
        private long _authorisedUntilMs = long.MinValue;
        private bool _open;
        private bool _forced;
        private bool _started;

        public BarrierArm(IAlarmSink alarms, long authorisationWindowMs)
        {
            _alarms = alarms;
            _windowMs = authorisationWindowMs <= 0 ? DefaultAuthorisationWindowMs : authorisationWindowMs;
        }

        public string Position { get { return _open ? BarrierPosition.Open : BarrierPosition.Closed; } }

        public bool Forced { get { return _forced; } }

        /// <summary>An opening within the next window is intended.</summary>
        public void Authorise(long nowMs)
        {
            _authorisedUntilMs = nowMs + _windowMs;
        }

        /// <summary>Feeds the conditioned open sensor. True when the position changed.</summary>
        public bool Update(bool open, long nowMs)
        {
            if (!_started)
            {
                // An arm found open at boot is not an intrusion we saw happen.
                _started = true;
                _open = open;
                return false;
            }

            if (open == _open)
            {
                return false;
            }

            _open = open;
            if (open && nowMs > _authorisedUntilMs && !_forced)
            {
                _forced = true;
                _alarms.Raise(AlarmKind.BarrierForced, Zones.Barrier, false, null, nowMs);
            }
            else if (!open && _forced)
            {
                _forced = false;
                _alarms.Raise(AlarmKind.BarrierForced, Zones.Barrier, true, null, nowMs);
            }

            return true;
        }
    }
}
