using System;
using Gate.Contracts;
using Gate.Firmware.Devices;

namespace Gate.Firmware.Alarms
{
    /// <summary>
    /// Gives every alarm of this boot its id ({device}.{boot}.{seq}), its date (when the clock is set) and its place in
    /// the outbox, which persists it before its first publish. The device models report through it (IAlarmSink).
    /// </summary>
    public sealed class AlarmRaiser : IAlarmSink
    {
        private readonly string _device;
        private readonly AlarmOutbox _outbox;
        private int _boot;
        private int _sequence;
        private DateTime _utcNow = DateTime.MinValue;

        public AlarmRaiser(string device, AlarmOutbox outbox)
        {
            _device = device;
            _outbox = outbox;
        }

        public event AlarmRaisedHandler Raised;

        /// <summary>This boot's number: set once at start, before any alarm of the boot can exist.</summary>
        public int Boot
        {
            get { return _boot; }
            set { _boot = value; }
        }

        /// <summary>The wall clock for the alarms' timestamps (DateTime.MinValue until it is set), given each Poll.</summary>
        public DateTime UtcNow
        {
            get { return _utcNow; }
            set { _utcNow = value; }
        }

        /// <summary>Builds the alarm, persists it, and leaves publishing to the outbox.</summary>
        public Alarm Raise(string kind, int zone, bool restore, string detail, long nowMs)
        {
            _sequence++;
            Alarm a = new Alarm();
            a.Id = Identifier.AlarmId(_device, _boot, _sequence);
            a.Device = _device;
            a.Kind = kind;
            a.Zone = zone;
            a.Sequence = _sequence;
            a.BootCount = _boot;
            a.Timestamp = UtcTime.IsSet(_utcNow) ? _utcNow : UtcTime.NotSet;
            a.UptimeMs = nowMs;
            a.Restore = restore;
            a.Count = 1;
            a.Detail = detail;
            _outbox.Add(a, nowMs);
            if (Raised != null)
            {
                Raised(a, nowMs);
            }

            return a;
        }

        void IAlarmSink.Raise(string kind, int zone, bool restore, string detail, long nowMs)
        {
            Raise(kind, zone, restore, detail, nowMs);
        }
    }
}
