using System.Buffers;
using System.Threading.Channels;
using Gate.Contracts;
using Gate.Server.Wire;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Gate.Server.Tests.Infrastructure;

/// <summary>A gate controller as the broker sees it: an MQTTnet client with the device's credential, will and topics.</summary>
public sealed class TestDevice(string schoolId, string deviceId, string password) : IAsyncDisposable
{
    private readonly Channel<(string Topic, byte[] Payload)> _received = Channel.CreateUnbounded<(string, byte[])>();
    private readonly List<(string Topic, byte[] Payload)> _seen = [];

    public IMqttClient Client { get; } = new MqttClientFactory().CreateMqttClient();

    public string SchoolId { get; } = schoolId;

    public string DeviceId { get; } = deviceId;

    public long HeartbeatSequence { get; set; }

    public static MqttClientOptions Options(int port, string clientId, string user, string password, bool cleanSession, string? willTopic) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithCredentials(user, password)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(cleanSession)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(20))
            .WithWillTopic(willTopic)
            .WithWillPayload("offline"u8.ToArray())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

    public async Task<MqttClientConnectResult> ConnectAsync(int port, bool cleanSession = false, bool subscribe = true)
    {
        Client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        var result = await Client.ConnectAsync(Options(port, DeviceId, DeviceId, password, cleanSession, Topics.For(SchoolId, DeviceId, Topics.Status)));
        if (subscribe)
        {
            await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(Topics.For(SchoolId, DeviceId, Topics.Ack), MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(Topics.For(SchoolId, DeviceId, Topics.Command), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
            await PublishAsync(Topics.Status, "online"u8.ToArray(), retain: true);
        }

        return result;
    }

    public Task<MqttClientPublishResult> PublishAsync(string channel, byte[] payload, bool retain = false, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        PublishToAsync(Topics.For(SchoolId, DeviceId, channel), payload, retain, qos);

    public Task<MqttClientPublishResult> PublishToAsync(string topic, byte[] payload, bool retain = false, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain).WithQualityOfServiceLevel(qos).Build());

    public Heartbeat NewHeartbeat(int intervalSeconds = 30, DateTime? timestamp = null) => new()
    {
        Device = DeviceId,
        Sequence = HeartbeatSequence++,
        UptimeMs = 1000 + HeartbeatSequence * 1000,
        Timestamp = timestamp ?? DateTime.MinValue,
        Firmware = "1.0.0",
        BootCount = 7,
        ResetReason = ResetReason.PowerOn,
        Mains = true,
        BatteryMillivolts = 12600,
        Rssi = -61,
        IntervalSeconds = intervalSeconds,
        Inputs = new InputStates { Panic = PanicLoop.Normal, Duress = DuressInput.None, Bollard = BollardPosition.Up, Barrier = BarrierPosition.Closed },
    };

    /// <summary>
    /// Devices send heartbeats at QoS 0; tests use QoS 1 because the embedded broker acknowledges only after the server
    /// handled the message, so the heartbeat has been counted when this returns.
    /// </summary>
    public Task SendHeartbeatAsync(int intervalSeconds = 30, DateTime? timestamp = null) =>
        PublishAsync(Topics.Heartbeat, WireEncoder.EncodeHeartbeat(NewHeartbeat(intervalSeconds, timestamp)));

    public Alarm NewAlarm(int boot, int seq, string kind = AlarmKind.Panic, bool restore = false, DateTime? timestamp = null) => new()
    {
        Id = Identifier.AlarmId(DeviceId, boot, seq),
        Device = DeviceId,
        Kind = kind,
        Zone = 1,
        Sequence = seq,
        BootCount = boot,
        Timestamp = timestamp ?? DateTime.MinValue,
        UptimeMs = 5000,
        Restore = restore,
        Count = 1,
    };

    public Task SendAlarmAsync(Alarm alarm) => PublishAsync(Topics.Alarm, WireEncoder.EncodeAlarm(alarm));

    /// <summary>Waits for the ack of one alarm at one stage (skipping other messages, which stay visible to later waits).</summary>
    public async Task<AlarmAck> WaitForAckAsync(string alarmId, string stage)
    {
        var found = await WaitForAsync(m => m.Topic.EndsWith("/" + Topics.Ack, StringComparison.Ordinal)
            && WireDecoder.TryDecodeAck(m.Payload, out var ack, out _) && ack.Id == alarmId && ack.Stage == stage, $"ack {stage} for {alarmId}");
        WireDecoder.TryDecodeAck(found.Payload, out var result, out _);
        return result!;
    }

    public async Task<Command> WaitForCommandAsync()
    {
        var found = await WaitForAsync(m => m.Topic.EndsWith("/" + Topics.Command, StringComparison.Ordinal), "a command");
        WireDecoder.TryDecodeCommand(found.Payload, out var command, out _);
        return command!;
    }

    public int CountSeen(Func<(string Topic, byte[] Payload), bool> predicate)
    {
        lock (_seen)
        {
            return _seen.Count(predicate);
        }
    }

    public async Task<(string Topic, byte[] Payload)> WaitForAsync(Func<(string Topic, byte[] Payload), bool> predicate, string what)
    {
        lock (_seen)
        {
            foreach (var m in _seen)
            {
                if (predicate(m))
                {
                    return m;
                }
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var m = await _received.Reader.ReadAsync(timeout.Token);
                lock (_seen)
                {
                    _seen.Add(m);
                }

                if (predicate(m))
                {
                    return m;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{DeviceId} never received {what}");
        }
    }

    /// <summary>Drops the TCP connection without DISCONNECT, as a device losing power or network does.</summary>
    public void Crash() => Client.Dispose();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Client.IsConnected)
            {
                await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
        }
        catch (Exception)
        {
        }

        Client.Dispose();
    }
}
