namespace Gate.Contracts
{
    /// <summary>Hard limits of the v1 wire format. Both decoders enforce the same numbers.</summary>
    public static class Limits
    {
        public const int ProtocolVersion = 1;
        public const int MaxPayloadBytes = 1024;
        public const int MaxIdentifierLength = 32;
        public const int MaxAlarmIdLength = 64;
        public const int MaxStringLength = 64;
        public const int MaxFirmwareLength = 32;
        public const int MaxPathLength = 32;
        public const int MaxJsonDepth = 8;
        public const int MaxTopicLength = 128;
        public const int MinHeartbeatSeconds = 5;
        public const int MaxHeartbeatSeconds = 300;
        public const int DefaultHeartbeatSeconds = 30;
        public const int MaxZone = 999;
        public const int MinRssi = -127;
        public const int DefaultCommandTtlSeconds = 60;
        public const int MaxCommandTtlSeconds = 3600;
    }
}
