using Gate.Contracts;

namespace Gate.Firmware.Devices
{
    /// <summary>
    /// An anti-ram bollard with up and down limit switches, a motor fault input and one relay (energised =
    /// raise). It knows the commanded position, so it can tell a bollard that did not get there in time
    /// (bollard_fault timeout), one that left its position without a command (bollard_forced: someone is
    /// pushing it down), and one whose limits disagree (bollard_fault both_limits).
    /// </summary>
    public sealed class Bollard
    {
        public const int DefaultTravelTimeoutMs = 15000;

        private const int TargetNone = 0;
        private const int TargetUp = 1;
        private const int TargetDown = 2;

        private readonly IAlarmSink _alarms;
        private readonly long _travelTimeoutMs;
        private int _target = TargetNone;
        private bool _moving;
        private long _commandedAtMs;
        private bool _up;
        private bool _down;
        private bool _motorFault;
        private bool _timeoutRaised;
        private bool _bothRaised;
        private bool _motorRaised;
        private bool _forcedRaised;

        public Bollard(IAlarmSink alarms, long travelTimeoutMs)
        {
            _alarms = alarms;
            _travelTimeoutMs = travelTimeoutMs <= 0 ? DefaultTravelTimeoutMs : travelTimeoutMs;
        }

        /// <summary>The relay level the glue must drive: true = raise.</summary>
        public bool RelayRaise { get { return _target == TargetUp; } }

        public bool IsCommanded { get { return _target != TargetNone; } }

        /// <summary>The commanded target as a BollardPosition word (up/down) or unknown before any command.</summary>
        public string Target
        {
            get
            {
                if (_target == TargetUp) { return BollardPosition.Up; }
                if (_target == TargetDown) { return BollardPosition.Down; }
                return BollardPosition.Unknown;
            }
        }

        /// <summary>The position word for heartbeat and state.</summary>
        public string Position
        {
            get
            {
                if (_bothRaised || _motorRaised || _timeoutRaised) { return BollardPosition.Fault; }
                if (_up && !_down) { return BollardPosition.Up; }
                if (_down && !_up) { return BollardPosition.Down; }
                if (_moving) { return BollardPosition.Moving; }
                return BollardPosition.Unknown;
            }
        }

        /// <summary>Commands a position; returns false if it is already there and nothing moves.</summary>
        public bool Command(bool raise, long nowMs)
        {
            int target = raise ? TargetUp : TargetDown;
            bool there = raise ? (_up && !_down) : (_down && !_up);
            _target = target;
            _timeoutRaised = false;
            if (_forcedRaised)
            {
                _forcedRaised = false;
                _alarms.Raise(AlarmKind.BollardForced, Zones.Bollard, true, null, nowMs);
            }

            if (there)
            {
                _moving = false;
                return false;
            }

            _moving = true;
            _commandedAtMs = nowMs;
            return true;
        }

        /// <summary>Feeds the conditioned inputs. Returns true when Position may have changed.</summary>
        public bool Update(bool upLimit, bool downLimit, bool motorFault, long nowMs)
        {
            string before = Position;
            _up = upLimit;
            _down = downLimit;
            _motorFault = motorFault;

            if (_target == TargetNone)
            {
                // Adopt the first clean position found (at boot, or once a bollard stuck between limits
                // settles) as the commanded one, so a reboot never moves the bollard by itself.
                if (upLimit && !downLimit) { _target = TargetUp; }
                else if (downLimit && !upLimit) { _target = TargetDown; }
            }

            bool both = upLimit && downLimit;
            if (both != _bothRaised)
            {
                _bothRaised = both;
                _alarms.Raise(AlarmKind.BollardFault, Zones.Bollard, !both, "both_limits", nowMs);
            }

            if (motorFault != _motorRaised)
            {
                _motorRaised = motorFault;
                _alarms.Raise(AlarmKind.BollardFault, Zones.Bollard, !motorFault, "motor_fault", nowMs);
            }

            bool atTarget = (_target == TargetUp && upLimit && !downLimit) || (_target == TargetDown && downLimit && !upLimit);
            if (_moving)
            {
                if (atTarget)
                {
                    _moving = false;
                    if (_timeoutRaised)
                    {
                        _timeoutRaised = false;
                        _alarms.Raise(AlarmKind.BollardFault, Zones.Bollard, true, "timeout", nowMs);
                    }
                }
                else if (!_timeoutRaised && nowMs - _commandedAtMs >= _travelTimeoutMs)
                {
                    _timeoutRaised = true;
                    _alarms.Raise(AlarmKind.BollardFault, Zones.Bollard, false, "timeout", nowMs);
                }
            }
            else if (_target != TargetNone && !both)
            {
                if (!atTarget && !_forcedRaised)
                {
                    _forcedRaised = true;
                    _alarms.Raise(AlarmKind.BollardForced, Zones.Bollard, false, _target == TargetUp ? "left_up" : "left_down", nowMs);
                }
                else if (atTarget && _forcedRaised)
                {
                    _forcedRaised = false;
                    _alarms.Raise(AlarmKind.BollardForced, Zones.Bollard, true, null, nowMs);
                }
            }

            return before != Position;
        }
    }
}
