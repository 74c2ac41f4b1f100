namespace Gate.Firmware.Devices
{
    /// <summary>Where a device model reports an alarm or its restore. The controller turns it into an outbox entry.</summary>
    public interface IAlarmSink
    {
        /// <param name="kind">An AlarmKind word.</param>
        /// <param name="zone">The input number (Zones).</param>
        /// <param name="restore">True when the condition has cleared.</param>
        /// <param name="detail">Short reason or null.</param>
        void Raise(string kind, int zone, bool restore, string detail, long nowMs);
    }

    /// <summary>Zone numbers, fixed so that the server and the police platform can name the input.</summary>
    public static class Zones
    {
        public const int Device = 0;
        public const int Panic = 1;
        public const int Duress = 2;
        public const int Tamper = 3;
        public const int Bollard = 4;
        public const int Barrier = 5;
        public const int Mains = 6;
        public const int Battery = 7;
        public const int PanicLoop = 8;
    }
}
