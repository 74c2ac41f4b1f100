using System.Buffers;
using System.Collections.Concurrent;
using Gate.Contracts;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gate.Firmware.Host.Simulation;

/// <summary>
/// A stand-in for the gateway server on a plain broker (Mosquitto): it acknowledges every alarm
/// (received at once, then forwarded and police_ack after a delay), records heartbeats, availability and
/// command results, and sends commands. For rehearsals and tests without the real server; against the real
/// server, leave it out.
/// </summary>
public sealed class GatewayEmulator : IAsyncDisposable
{
    private static readonly MqttClientFactory Factory = new();
    private readonly IMqttClient _client = Factory.CreateMqttClient();
    private readonly ConcurrentDictionary<string, Alarm> _alarms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _alarmDeliveries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CommandResult> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Heartbeat> _lastHeartbeat = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _heartbeats;
    private long _commandSeq;

    /// <summary>Whether to acknowledge alarms at all (off: to test re-sending).</summary>
    public bool Acknowledge { get; set; } = true;

    /// <summary>Delay between "received" and "forwarded"/"police_ack"; negative: never send them.</summary>
    public TimeSpan PoliceDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When set, "forwarded"/"police_ack" also wait for it: a script can look at the "received" feedback at leisure.</summary>
    public Task? PoliceHold { get; set; }

    public long Heartbeats => Interlocked.Read(ref _heartbeats);

    /// <summary>Distinct alarms by id (re-sends are not counted twice).</summary>
    public IReadOnlyDictionary<string, Alarm> Alarms => _alarms;

    /// <summary>How many times each alarm id arrived (re-sends included).</summary>
    public IReadOnlyDictionary<string, int> AlarmDeliveries => _alarmDeliveries;

    /// <summary>Last status word per "school/device".</summary>
    public IReadOnlyDictionary<string, string> Status => _status;

    public IReadOnlyDictionary<string, Heartbeat> LastHeartbeat => _lastHeartbeat;

    public event EventHandler<Alarm>? AlarmArrived;

    public async Task StartAsync(string host, int port, string clientId = "gate-gateway-emulator", string? username = null, string? password = null, CancellationToken cancellationToken = default)
    {
        _client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId).WithCleanSession(true);
        if (username is not null)
        {
            options = options.WithCredentials(username, password);
        }

        await _client.ConnectAsync(options.Build(), cancellationToken).ConfigureAwait(false);
        var subscribe = Factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter("gate/v1/+/+/alarm", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("gate/v1/+/+/status", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("gate/v1/+/+/heartbeat", MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter("gate/v1/+/+/result", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a command to a device; returns its id.</summary>
    public async Task<string> SendCommandAsync(string school, string device, string name, CancellationToken cancellationToken = default)
    {
        var id = "emu-" + Interlocked.Increment(ref _commandSeq);
        var command = new Command { Id = id, Name = name, Timestamp = DateTime.UtcNow, TtlSeconds = 300 };
        await PublishAsync(Topics.For(school, device, Topics.Command), WireCodec.EncodeCommand(command), cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task<CommandResult> WaitForResultAsync(string commandId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_results.ContainsKey(commandId))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no result for command " + commandId);
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return _results[commandId];
    }

    public Task SendAckAsync(string school, string device, string alarmId, string stage, CancellationToken cancellationToken = default)
    {
        var ack = new AlarmAck { Id = alarmId, Stage = stage, Timestamp = DateTime.UtcNow, Path = "primary" };
        return PublishAsync(Topics.For(school, device, Topics.Ack), WireCodec.EncodeAck(ack), cancellationToken);
    }

    private async Task OnMessageAsync(string topic, byte[] payload)
    {
        if (!Topics.TryParse(topic, out var school, out var device, out var channel))
        {
            return;
        }

        string key = school + "/" + device;
        switch (channel)
        {
            case Topics.Status:
                if (WireCodec.TryDecodeStatus(payload, out var status, out _))
                {
                    _status[key] = status;
                }

                break;
            case Topics.Heartbeat:
                if (WireCodec.TryDecodeHeartbeat(payload, out var heartbeat, out _))
                {
                    Interlocked.Increment(ref _heartbeats);
                    _lastHeartbeat[key] = heartbeat;
                }

                break;
            case Topics.Result:
                if (WireCodec.TryDecodeResult(payload, out var result, out _))
                {
                    _results[result.Id] = result;
                }

                break;
            case Topics.Alarm:
                if (!WireCodec.TryDecodeAlarm(payload, out var alarm, out _) || alarm.Device != device)
                {
                    return;
                }

                bool first = _alarms.TryAdd(alarm.Id, alarm);
                _alarmDeliveries.AddOrUpdate(alarm.Id, 1, (_, n) => n + 1);
                if (first)
                {
                    AlarmArrived?.Invoke(this, alarm);
                }

                if (!Acknowledge)
                {
                    return;
                }

                // Handlers run on MQTTnet's receive loop: publish from another task so it is never blocked.
                _ = Task.Run(() => AcknowledgeAsync(school, device, alarm.Id, first));
                break;
        }
    }

    private async Task AcknowledgeAsync(string school, string device, string alarmId, bool first)
    {
        try
        {
            await SendAckAsync(school, device, alarmId, AckStage.Received, _stopping.Token).ConfigureAwait(false);
            if (first && PoliceDelay >= TimeSpan.Zero)
            {
                await Task.Delay(PoliceDelay, _stopping.Token).ConfigureAwait(false);
                if (PoliceHold is { } hold)
                {
                    await hold.WaitAsync(_stopping.Token).ConfigureAwait(false);
                }

                await SendAckAsync(school, device, alarmId, AckStage.Forwarded, _stopping.Token).ConfigureAwait(false);
                await SendAckAsync(school, device, alarmId, AckStage.PoliceAck, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            // The device re-sends until it hears "received".
        }
    }

    private Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
        }
        catch
        {
            // Broker already gone.
        }

        _client.Dispose();
        _stopping.Dispose();
    }
}
