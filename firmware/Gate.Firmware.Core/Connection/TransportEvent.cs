namespace Gate.Firmware.Connection
{
    /// <summary>What the MQTT client reported.</summary>
    public enum TransportEventKind
    {
        Connected = 0,
        ConnectFailed = 1,
        Disconnected = 2,
        Message = 3,
    }

    /// <summary>One report from the MQTT client, held until the controller's next Poll.</summary>
    public sealed class TransportEvent
    {
        public readonly TransportEventKind Kind;

        /// <summary>Why a connect failed or the session dropped; null otherwise.</summary>
        public readonly string Reason;

        /// <summary>A message's topic and payload; null for connection events.</summary>
        public readonly string Topic;

        public readonly byte[] Payload;

        public TransportEvent(TransportEventKind kind, string reason, string topic, byte[] payload)
        {
            Kind = kind;
            Reason = reason;
            Topic = topic;
            Payload = payload;
        }
    }
}
