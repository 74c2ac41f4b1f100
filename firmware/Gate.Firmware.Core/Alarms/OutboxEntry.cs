using Gate.Contracts;

namespace Gate.Firmware.Alarms
{
    /// <summary>One persisted alarm waiting for the server's "received".</summary>
    public sealed class OutboxEntry
    {
        internal OutboxEntry(Alarm alarm, byte[] payload, string recordName)
        {
            Alarm = alarm;
            Payload = payload;
            RecordName = recordName;
        }

        public Alarm Alarm;

        /// <summary>The exact bytes published (and persisted): every re-send is byte-identical, same id.</summary>
        public byte[] Payload;

        public string RecordName;

        /// <summary>Publishes so far (this boot).</summary>
        public int Attempts;

        /// <summary>When it may be published again (monotonic ms).</summary>
        public long NextSendMs;

        public string Id { get { return Alarm.Id; } }

        public bool IsLifeSafety { get { return AlarmKind.IsLifeSafety(Alarm.Kind); } }
    }
}
