using Gate.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gate.StatusPage.Tests;

/// <summary>
/// A gate controller as the server sees it: its own MQTT credential, the retained online status with an offline last
/// will, contract heartbeats and alarms encoded by the shared WireCodec. Heartbeats are sent when the test says so,
/// so nothing here depends on a timer.
/// </summary>
public sealed class TestGate(string schoolId, string deviceId, string secret, int brokerPort) : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private long _heartbeatSeq;
    private int _alarmSeq;

    public string DeviceId { get; } = deviceId;

    public int BootCount { get; set; } = 3;

    public string Firmware { get; set; } = "1.4.2";

    public string Bollard { get; set; } = BollardPosition.Up;

    public int Rssi { get; set; } = -58;

    public async Task ConnectAsync()
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", brokerPort)
            .WithClientId(DeviceId)
            .WithCredentials(DeviceId, secret)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithWillTopic(Topics.For(schoolId, DeviceId, Topics.Status))
            .WithWillPayload(WireCodec.EncodeStatus(false))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.ConnectAsync(options);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{DeviceId} refused: {result.ResultCode}");
        }

        await PublishAsync(Topics.Status, WireCodec.EncodeStatus(true), retain: true);
    }

    public Task HeartbeatAsync(int intervalSeconds = 5, bool mains = true, int outbox = 0)
    {
        var heartbeat = new Heartbeat
        {
            Device = DeviceId,
            Sequence = ++_heartbeatSeq,
            UptimeMs = _heartbeatSeq * intervalSeconds * 1000L,
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
        return PublishAsync(Topics.Heartbeat, WireCodec.EncodeHeartbeat(heartbeat), retain: false);
    }

    /// <summary>Pretends heartbeats were lost on the way: the next one arrives with a sequence gap.</summary>
    public void LoseHeartbeats(int count) => _heartbeatSeq += count;

    /// <summary>Raises an alarm and returns its id ({device}.{boot}.{seq}).</summary>
    public async Task<string> AlarmAsync(string kind, int zone = 1)
    {
        var seq = ++_alarmSeq;
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
        await PublishAsync(Topics.Alarm, WireCodec.EncodeAlarm(alarm), retain: false);
        return alarm.Id;
    }

    /// <summary>Drops the connection without a DISCONNECT packet, as a power cut would: the broker sends the last will.</summary>
    public async Task PowerCutAsync()
    {
        await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }

    private Task PublishAsync(string channel, byte[] payload, bool retain)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.For(schoolId, DeviceId, channel))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(channel == Topics.Heartbeat ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        return _client.PublishAsync(message);
    }
}
