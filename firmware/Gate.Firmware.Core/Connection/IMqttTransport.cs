namespace Gate.Firmware.Connection
{
    /// <summary>What the core needs to connect. Clean session is always off (the server's QoS 1 acks and commands wait for us).</summary>
    public sealed class MqttConnectOptions
    {
        public string Host;
        public int Port = 1883;
        public bool UseTls;
        public string ClientId;
        public string Username;
        public string Password;
        public int KeepAliveSeconds = 60;
        public string WillTopic;
        public byte[] WillPayload;
        public bool WillRetain = true;
        public int WillQos = 1;

        /// <summary>Topics to subscribe at QoS 1 once connected, before Connected is reported.</summary>
        public string[] Subscriptions;
    }

    /// <summary>
    /// The core's view of events from the MQTT client. The transport may call these from any thread; the
    /// controller queues them and acts on them in its own Poll, so the logic stays single-threaded.
    /// </summary>
    public interface IMqttListener
    {
        void OnConnected();

        void OnConnectFailed(string reason);

        void OnDisconnected(string reason);

        void OnMessage(string topic, byte[] payload);
    }

    /// <summary>
    /// An MQTT 3.1.1/5 client: M2Mqtt on the device, MQTTnet on the host. BeginConnect must return at once
    /// and report through the listener (M2Mqtt's Connect blocks without a timeout, so the glue runs it on its
    /// own thread; if nothing is reported within the connect timeout the supervisor calls Abort).
    /// </summary>
    public interface IMqttTransport
    {
        void SetListener(IMqttListener listener);

        void BeginConnect(MqttConnectOptions options);

        /// <summary>Drops the connection (or a hanging connect) without a clean DISCONNECT, so the will fires.</summary>
        void Abort();

        /// <summary>Queues a publish. False when not connected or the client's queue is full: the caller retries later.</summary>
        bool Publish(string topic, byte[] payload, int qos, bool retain);
    }
}
