using System.Buffers;
using System.Threading.Channels;
using Gate.Contracts;
using Gate.Server.Wire;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Gate.Testing;

/// <summary>
/// A gate controller as the broker sees it: an MQTTnet client with the device's credential, retained online status
/// with an offline last will, contract heartbeats and alarms. It sends only when the test says so, so nothing here
/// depends on a timer. The one wire-level device of the suites (the load test keeps its allocation-lean SwarmDevice).
/// </summary>
public sealed class TestDevice(string schoolId, string deviceId, string password) : IAsyncDisposable
{
    private readonly Channel<(string Topic, byte[] Payload)> _received = Channel.CreateUnbounded<(string, byte[])>();
    private readonly List<(string Topic, byte[] Payload)> _seen = [];
    private int _alarmSequence;

    public IMqttClient Client { get; } = new MqttClientFactory().CreateMqttClient();

    public string SchoolId { get; } = schoolId;

    public string DeviceId { get; } = deviceId;

    public long HeartbeatSequence { get; set; }

    /// <summary>The MQTT version the device speaks (the firmware speaks 3.1.1).</summary>
    public MqttProtocolVersion Protocol { get; init; } = MqttProtocolVersion.V311;

    public int BootCount { get; set; } = 7;

    public string Firmware { get; set; } = "1.0.0";

    public string Bollard { get; set; } = BollardPosition.Up;

    public int Rssi { get; set; } = -61;

    public static MqttClientOptions Options(int port, string clientId, string user, string password, bool cleanSession, string? willTopic, MqttProtocolVersion protocol = MqttProtocolVersion.V311) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithCredentials(user, password)
            .WithProtocolVersion(protocol)
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
        var result = await Client.ConnectAsync(Options(port, DeviceId, DeviceId, password, cleanSession, Topics.For(SchoolId, DeviceId, Topics.Status), Protocol));
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

    /// <summary>Connects (without subscribing) and announces itself online with the retained status; throws when refused.</summary>
    public async Task ConnectAnnouncedAsync(int port)
    {
        var result = await ConnectAsync(port, subscribe: false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{DeviceId} refused: {result.ResultCode}");
        }

        await PublishAsync(Topics.Status, WireCodec.EncodeStatus(true), retain: true);
    }

    /// <summary>Tries a device's credential against the broker, as a controller would at boot, and disconnects.</summary>
    public static async Task<MqttClientConnectResultCode> ProbeAsync(int port, string schoolId, string deviceId, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(port, deviceId, deviceId, password, cleanSession: true, Topics.For(schoolId, deviceId, Topics.Status)));
            await client.DisconnectAsync();
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            // The refusal's code sits on the exception's connect result (its member name moved between MQTTnet versions).
            foreach (var property in e.GetType().GetProperties())
            {
                var value = property.GetValue(e);
                if (value is MqttClientConnectResultCode code)
                {
                    return code;
                }

                if (value is MqttClientConnectResult result)
                {
                    return result.ResultCode;
                }
            }

            throw;
        }
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
        Firmware = Firmware,
        BootCount = BootCount,
        ResetReason = ResetReason.PowerOn,
        Mains = true,
        BatteryMillivolts = 12600,
        Rssi = Rssi,
        IntervalSeconds = intervalSeconds,
        Inputs = new InputStates { Panic = PanicLoop.Normal, Duress = DuressInput.None, Bollard = Bollard, Barrier = BarrierPosition.Closed },
    };

    /// <summary>
    /// Devices send heartbeats at QoS 0; tests use QoS 1 because the embedded broker acknowledges only after the server
    /// handled the message, so the heartbeat has been counted when this returns.
    /// </summary>
    public Task SendHeartbeatAsync(int intervalSeconds = 30, DateTime? timestamp = null) =>
        PublishAsync(Topics.Heartbeat, WireEncoder.EncodeHeartbeat(NewHeartbeat(intervalSeconds, timestamp)));

    /// <summary>A heartbeat as the device sends it: QoS 0, stamped now, the next sequence number.</summary>
    public Task HeartbeatAsync(int intervalSeconds = 5, bool mains = true, int outbox = 0)
    {
        var heartbeat = new Heartbeat
        {
            Device = DeviceId,
            Sequence = ++HeartbeatSequence,
            UptimeMs = HeartbeatSequence * intervalSeconds * 1000L,
            Timestamp = DateTime.UtcNow,
            Firmware = Firmware,
            BootCount = BootCount,
            ResetReason = ResetReason.PowerOn,
            Mains = mains,
            BatteryMillivolts = 12_800,
            OutboxDepth = outbox,
            FreeMemory = 61_000,
            Rssi = Rssi,
            IntervalSeconds = intervalSeconds,
        };
        heartbeat.Inputs.Panic = PanicLoop.Normal;
        heartbeat.Inputs.Bollard = Bollard;
        heartbeat.Inputs.Barrier = BarrierPosition.Closed;
        return PublishAsync(Topics.Heartbeat, WireCodec.EncodeHeartbeat(heartbeat), qos: MqttQualityOfServiceLevel.AtMostOnce);
    }

    /// <summary>Pretends heartbeats were lost on the way: the next one arrives with a sequence gap.</summary>
    public void LoseHeartbeats(int count) => HeartbeatSequence += count;

    /// <summary>Raises an alarm stamped now and returns its id ({device}.{boot}.{seq}).</summary>
    public async Task<string> AlarmAsync(string kind, int zone = 1)
    {
        var seq = ++_alarmSequence;
        var alarm = new Alarm
        {
            Id = $"{DeviceId}.{BootCount}.{seq}",
            Device = DeviceId,
            Kind = kind,
            Zone = zone,
            Sequence = seq,
            BootCount = BootCount,
            Timestamp = DateTime.UtcNow,
            UptimeMs = 120_000,
        };
        await PublishAsync(Topics.Alarm, WireCodec.EncodeAlarm(alarm));
        return alarm.Id;
    }

    /// <summary>Drops the connection asking the broker for the last will, as a power cut would look to the server.</summary>
    public Task PowerCutAsync() =>
        Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());

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

    /// <summary>Sends the alarm and waits for the server's received ack: by then it is stored.</summary>
    public async Task<AlarmAck> SendAlarmAndAwaitReceivedAsync(Alarm alarm)
    {
        await SendAlarmAsync(alarm);
        return await WaitForAckAsync(alarm.Id, AckStage.Received);
    }

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

        using var timeout = new CancellationTokenSource(Wait.Generous);
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
