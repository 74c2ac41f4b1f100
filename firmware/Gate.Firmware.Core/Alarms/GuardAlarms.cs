using Gate.Contracts;
using Gate.Firmware.Config;
using Gate.Firmware.Devices;
using Gate.Firmware.Feedback;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Alarms
{
    /// <summary>
    /// The alarms the guard raises by hand: panic and duress (one LatchedAlarm each, when fitted) and drill mode, which
    /// turns a press into a drill and whose end ends a drill's latch (a real alarm's latch never ends but by reset_latch).
    /// </summary>
    public sealed class GuardAlarms
    {
        private readonly IFlashStorage _storage;
        private readonly PoliceDeliveryWatch _watch;
        private readonly LatchedAlarm _panic;
        private readonly LatchedAlarm _duress;
        private readonly bool _panicSilent;
        private readonly long _drillTimeoutMs;
        private bool _drill;
        private long _drillUntilMs;

        public GuardAlarms(DeviceConfig config, IFlashStorage storage, AlarmRaiser raiser, PoliceDeliveryWatch watch, bool hasPanic, bool hasDuress)
        {
            _storage = storage;
            _watch = watch;
            _panicSilent = config.PanicSilent;
            _drillTimeoutMs = (long)config.DrillTimeoutMinutes * 60000;
            if (hasPanic)
            {
                string kind = config.PanicSilent ? AlarmKind.SilentPanic : AlarmKind.Panic;
                _panic = new LatchedAlarm(new PanicButton(config.PanicHoldMs), kind, Zones.Panic, LatchedAlarm.PanicRecord, storage, raiser, watch);
            }

            if (hasDuress)
            {
                _duress = new LatchedAlarm(new PanicButton(config.PanicHoldMs), AlarmKind.Duress, Zones.Duress, LatchedAlarm.DuressRecord, storage, raiser, watch);
            }
        }

        /// <summary>Null when neither a panic button nor a panic loop is fitted.</summary>
        public LatchedAlarm Panic { get { return _panic; } }

        /// <summary>Null when no duress input is fitted.</summary>
        public LatchedAlarm Duress { get { return _duress; } }

        public bool Drill { get { return _drill; } }

        /// <summary>A real (not drill) alarm holds a latch: drill_on is refused then.</summary>
        public bool HoldsRealAlarm
        {
            get { return (_panic != null && _panic.HoldsRealAlarm) || (_duress != null && _duress.HoldsRealAlarm); }
        }

        /// <summary>Either latch holds an alarm.</summary>
        public bool AnyLatched { get { return IdOf(_panic) != null || IdOf(_duress) != null; } }

        /// <summary>The latched alarm must not sound: a silent panic, or a duress without a panic.</summary>
        public bool Silent
        {
            get { return (IdOf(_panic) != null && _panicSilent) || (IdOf(_panic) == null && IdOf(_duress) != null); }
        }

        /// <summary>At boot: takes back the latches persisted before the reboot.</summary>
        public void Restore(AlarmOutbox outbox, long nowMs)
        {
            if (_panic != null) { _panic.Restore(outbox, nowMs); }
            if (_duress != null) { _duress.Restore(outbox, nowMs); }
        }

        /// <summary>Feeds both buttons' conditioned levels, panic first.</summary>
        public void Update(bool panicPressed, bool duressPressed, long nowMs)
        {
            if (_panic != null) { _panic.Update(panicPressed, _drill, nowMs); }
            if (_duress != null) { _duress.Update(duressPressed, _drill, nowMs); }
        }

        public void SetDrill(bool on, long nowMs)
        {
            _drill = on;
            _drillUntilMs = nowMs + _drillTimeoutMs;
            if (!on && AnyLatched && !HoldsRealAlarm)
            {
                // A drill's latch ends with the drill; a real alarm's never does.
                ResetLatches();
            }
        }

        /// <summary>Drill mode switches itself off after drill_timeout_min. True when it did now.</summary>
        public bool ExpireDrill(long nowMs)
        {
            if (!_drill || nowMs < _drillUntilMs)
            {
                return false;
            }

            SetDrill(false, nowMs);
            return true;
        }

        /// <summary>The server's reset_latch (or a drill's end): both latches end and nothing is followed any more.</summary>
        public void ResetLatches()
        {
            if (_panic != null) { _panic.Reset(); } else { LatchedAlarm.Forget(_storage, LatchedAlarm.PanicRecord); }
            if (_duress != null) { _duress.Reset(); } else { LatchedAlarm.Forget(_storage, LatchedAlarm.DuressRecord); }
            _watch.Clear();
        }

        private static string IdOf(LatchedAlarm latch)
        {
            return latch == null ? null : latch.AlarmId;
        }
    }
}
