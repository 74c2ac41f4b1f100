namespace Gate.Firmware.Core.Tests.Fakes;

public sealed record Published(string Topic, byte[] Payload, int Qos, bool Retain)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}

/// <summary>An MQTT client the test drives: it records connects and publishes and delivers what the test says.</summary>
public sealed class FakeTransport : IMqttTransport
{
    private IMqttListener? _listener;

    public List<MqttConnectOptions> ConnectAttempts { get; } = new();

    public List<Published> Published { get; } = new();

    public int Aborts { get; private set; }

    public bool Connected { get; private set; }

    /// <summary>When set, BeginConnect answers at once (success or failure); else the test calls Accept/Refuse.</summary>
    public bool? AutoAccept { get; set; } = true;

    public bool ThrowOnConnect { get; set; }

    /// <summary>Publish throws, as a client whose socket broke mid-write may.</summary>
    public bool ThrowOnPublish { get; set; }

    public bool RefusePublishes { get; set; }

    public void SetListener(IMqttListener listener) => _listener = listener;

    public void BeginConnect(MqttConnectOptions options)
    {
        ConnectAttempts.Add(options);
        if (ThrowOnConnect)
        {
            throw new System.Net.Sockets.SocketException(10051);
        }

        if (AutoAccept == true) { Accept(); }
        else if (AutoAccept == false) { Refuse("refused"); }
    }

    public void Accept()
    {
        Connected = true;
        _listener!.OnConnected();
    }

    public void Refuse(string reason) => _listener!.OnConnectFailed(reason);

    public void Drop()
    {
        Connected = false;
        _listener!.OnDisconnected("network");
    }

    public void Abort()
    {
        Aborts++;
        Connected = false;
    }

    public bool Publish(string topic, byte[] payload, int qos, bool retain)
    {
        if (ThrowOnPublish)
        {
            throw new System.IO.IOException("socket closed");
        }

        if (!Connected || RefusePublishes)
        {
            return false;
        }

        Published.Add(new Published(topic, payload, qos, retain));
        return true;
    }

    public void Deliver(string topic, byte[] payload) => _listener!.OnMessage(topic, payload);

    public IEnumerable<Published> On(string channel) => Published.Where(p => p.Topic.EndsWith("/" + channel, StringComparison.Ordinal));
}
