using System.Collections.Concurrent;

namespace Gate.LoadTest.Swarm;

/// <summary>
/// One virtual gate controller on the wire, as docs/protocol.md describes it: its own credential, persistent session,
/// retained online status with an offline last will, QoS 0 heartbeats encoded by the firmware's WireCodec, QoS 1
/// alarms kept in an outbox and re-sent until the server's "received" ack, reconnection with jittered backoff.
/// The swarm needs thousands per process, so it has no poll loop of its own: the child's scheduler drives it.
/// </summary>
public sealed class SwarmDevice
{
    private readonly SwarmContext _context;
    private readonly IMqttClient _client;
    private readonly ConcurrentDictionary<string, PendingAlarm> _outbox = new(StringComparer.Ordinal);
    private long _heartbeatSeq;
    private int _alarmSeq;
    private int _reconnectAttempt;
    private volatile bool _stopping;

    public SwarmDevice(SwarmContext context, int number, int perProcess)
    {
        _context = context;
        Number = number;
        Id = Server.RegistrySeeder.DeviceId(number);
        School = Server.RegistrySeeder.SchoolId(number, perProcess);
        _client = context.Factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            OnMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public int Number { get; }

    public string Id { get; }

    public string School { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Stopwatch milliseconds when the next heartbeat is due (the scheduler owns it).</summary>
    public long NextHeartbeatMs { get; set; }

    public int OutboxDepth => _outbox.Count;

    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = _context.Options(Id, Topics.For(School, Id, Topics.Status));
        try
        {
            await _client.ConnectAsync(options, cancellationToken);
            await _client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(Topics.For(School, Id, Topics.Ack), MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithTopicFilter(Topics.For(School, Id, Topics.Command), MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken);
            await _client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(Topics.For(School, Id, Topics.Status)).WithPayload(WireCodec.EncodeStatus(true))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(),
                cancellationToken);
            _reconnectAttempt = 0;
            ResendOutbox();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _context.Stats.CountConnectFailure(e);
            return false;
        }
    }

    public void SendHeartbeat(long nowMs)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        var heartbeat = new Heartbeat
        {
            Device = Id,
            Sequence = _heartbeatSeq++,
            UptimeMs = nowMs,
            Timestamp = DateTime.UtcNow,
            Firmware = "1.0.0-swarm",
            BootCount = _context.Boot,
            ResetReason = ResetReason.PowerOn,
            Mains = true,
            BatteryMillivolts = 13200,
            OutboxDepth = _outbox.Count,
            FreeMemory = 80000,
            Rssi = -60,
            IntervalSeconds = _context.DeclaredIntervalSeconds,
        };
        var message = new MqttApplicationMessageBuilder().WithTopic(Topics.For(School, Id, Topics.Heartbeat))
            .WithPayload(WireCodec.EncodeHeartbeat(heartbeat)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build();
        _context.Stats.HeartbeatAttempted();
        _ = _client.PublishAsync(message).ContinueWith(
            t => _context.Stats.HeartbeatDone(t.IsCompletedSuccessfully),
            TaskScheduler.Default);
    }

    // The server folds a repeat of an alarm that is still open (storm control) into the first one, and alarms stay open
    // until a duty officer resolves them; so each press of one device raises a different kind.
    private static readonly string[] Kinds = [AlarmKind.Panic, AlarmKind.Duress, AlarmKind.SilentPanic, AlarmKind.Tamper];

    /// <summary>True while this device has a kind left that it has not raised in this run.</summary>
    public bool CanPress => Volatile.Read(ref _alarmSeq) < Kinds.Length;

    /// <summary>The guard presses the panic button: the alarm enters the outbox, timed from this instant.</summary>
    public string Press()
    {
        var seq = Interlocked.Increment(ref _alarmSeq);
        var alarm = new Alarm
        {
            Id = Id + "." + _context.Boot + "." + seq,
            Device = Id,
            Kind = Kinds[(seq - 1) % Kinds.Length],
            Zone = (seq - 1) % Kinds.Length + 1,
            Sequence = seq,
            BootCount = _context.Boot,
            Timestamp = DateTime.UtcNow,
            UptimeMs = Environment.TickCount64,
            Restore = false,
        };
        var pending = new PendingAlarm(alarm.Id, Stopwatch.GetTimestamp(), WireCodec.EncodeAlarm(alarm));
        _outbox[alarm.Id] = pending;
        _context.Stats.AlarmRaised(alarm.Id);
        Publish(pending);
        return alarm.Id;
    }

    /// <summary>Outbox retry: an alarm without "received" after the retry period is sent again, same id.</summary>
    public void RetryDue(long nowTimestamp, TimeSpan retryAfter)
    {
        foreach (var pending in _outbox.Values)
        {
            if (!pending.Received && Stopwatch.GetElapsedTime(pending.LastSentTimestamp, nowTimestamp) >= retryAfter)
            {
                _context.Stats.AlarmResent();
                Publish(pending);
            }
        }
    }

    public async Task StopAsync()
    {
        _stopping = true;
        try
        {
            if (_client.IsConnected)
            {
                // A clean stop publishes "offline" itself: the will only fires on an unclean loss.
                await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.For(School, Id, Topics.Status))
                    .WithPayload(WireCodec.EncodeStatus(false)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
                await _client.DisconnectAsync();
            }
        }
        catch (Exception)
        {
        }

        _client.Dispose();
    }

    private void Publish(PendingAlarm pending)
    {
        pending.LastSentTimestamp = Stopwatch.GetTimestamp();
        if (!_client.IsConnected)
        {
            return;
        }

        var message = new MqttApplicationMessageBuilder().WithTopic(Topics.For(School, Id, Topics.Alarm))
            .WithPayload(pending.Payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        _ = _client.PublishAsync(message).ContinueWith(
            t =>
            {
                if (!t.IsCompletedSuccessfully)
                {
                    _context.Stats.PublishError();
                }
            },
            TaskScheduler.Default);
    }

    private void ResendOutbox()
    {
        foreach (var pending in _outbox.Values.Where(p => !p.Received))
        {
            Publish(pending);
        }
    }

    private void OnMessage(string topic, ReadOnlySequence<byte> payload)
    {
        if (!topic.EndsWith("/" + Topics.Ack, StringComparison.Ordinal))
        {
            return;
        }

        if (!WireCodec.TryDecodeAck(payload.ToArray(), out var ack, out _))
        {
            _context.Stats.BadAck();
            return;
        }

        if (!_outbox.TryGetValue(ack.Id, out var pending))
        {
            return;
        }

        switch (ack.Stage)
        {
            case AckStage.Received when !pending.Received:
                pending.Received = true;
                _context.Stats.AlarmReceived(pending.PressTimestamp);
                break;
            case AckStage.Forwarded when !pending.Forwarded:
                pending.Forwarded = true;
                _context.Stats.AlarmForwarded();
                break;
            case AckStage.PoliceAck when !pending.PoliceAcked:
                pending.PoliceAcked = true;
                if (!pending.Received)
                {
                    // The received ack may have been lost with a connection; police_ack implies it.
                    pending.Received = true;
                    _context.Stats.AlarmReceived(pending.PressTimestamp);
                }

                _context.Stats.AlarmPoliceAcked(pending.PressTimestamp);
                _outbox.TryRemove(ack.Id, out _);
                break;
        }
    }

    private async Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (_stopping || !e.ClientWasConnected && _reconnectAttempt > 0)
        {
            return;
        }

        _context.Stats.Disconnected();
        while (!_stopping)
        {
            // Jittered exponential backoff, 1 s to 30 s, as the firmware's Backoff does.
            var ceiling = Math.Min(30_000, 1000 * (1 << Math.Min(_reconnectAttempt, 5)));
            _reconnectAttempt++;
            await Task.Delay(Random.Shared.Next(ceiling / 2, ceiling + 1));
            if (_stopping || _client.IsConnected)
            {
                return;
            }

            if (await ConnectAsync(CancellationToken.None))
            {
                _context.Stats.Reconnected();
                return;
            }
        }
    }

    private sealed class PendingAlarm(string id, long pressTimestamp, byte[] payload)
    {
        public string Id { get; } = id;
        public long PressTimestamp { get; } = pressTimestamp;
        public byte[] Payload { get; } = payload;
        public long LastSentTimestamp { get; set; }
        public volatile bool Received;
        public volatile bool Forwarded;
        public volatile bool PoliceAcked;
    }
}

/// <summary>What every device of one child process shares: the client factory, connect options and the counters.</summary>
public sealed class SwarmContext(string host, int port, string secret, IPAddress? sourceAddress, int declaredIntervalSeconds)
{
    public MqttClientFactory Factory { get; } = new();

    public SwarmStats Stats { get; } = new();

    /// <summary>Boot counter of this swarm run: alarm ids stay unique across runs against one database.</summary>
    public int Boot { get; } = (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000_000);

    public int DeclaredIntervalSeconds { get; } = declaredIntervalSeconds;

    public MqttClientOptions Options(string deviceId, string statusTopic)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(deviceId)
            .WithCredentials(deviceId, secret)
            .WithCleanSession(false)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithWillTopic(statusTopic)
            .WithWillPayload(WireCodec.EncodeStatus(false))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain();
        var options = builder.Build();
        if (sourceAddress is not null && options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            // Several 127.0.0.x source addresses multiply the ephemeral ports available towards one server port.
            tcp.LocalEndpoint = new IPEndPoint(sourceAddress, 0);
        }

        return options;
    }
}
