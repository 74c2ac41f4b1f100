namespace Gate.Server.Tests;

public sealed class LivenessTests
{
    [Fact]
    public async Task Liveness_HeartbeatsStop_DeviceIsLateThenOffline()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1", heartbeatSeconds: 10);
        using var changes = server.WatchChanges();
        var tracker = server.Get<LivenessTracker>();

        await device.SendHeartbeatAsync(intervalSeconds: 10);
        Assert.Single(tracker.Find("gate-1")!.Marks);
        Assert.Equal(LivenessState.Online, tracker.Find("gate-1")!.State);

        server.Time.Advance(TimeSpan.FromSeconds(16));
        var late = await LivenessChangeAsync(changes, LivenessState.Late, "late");
        Assert.Equal(LivenessReason.MissedHeartbeats, ((LivenessSnapshot)late.Data!).Reason);

        server.Time.Advance(TimeSpan.FromSeconds(15));
        await LivenessChangeAsync(changes, LivenessState.Offline, "offline");
        var snapshot = tracker.Find("gate-1")!;
        Assert.Equal(LivenessReason.MissedHeartbeats, snapshot.Reason);
        Assert.Equal(server.Time.GetUtcNow(), snapshot.Since);
        Assert.Equal(GateServerFactory.DefaultStart, snapshot.LastSeen);
    }

    [Fact]
    public async Task Liveness_LateDevice_HeartbeatBringsItBackOnline()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1", heartbeatSeconds: 10);
        using var changes = server.WatchChanges();
        await device.SendHeartbeatAsync(intervalSeconds: 10);
        server.Time.Advance(TimeSpan.FromSeconds(16));
        await LivenessChangeAsync(changes, LivenessState.Late, "late");

        await device.SendHeartbeatAsync(intervalSeconds: 10);
        await LivenessChangeAsync(changes, LivenessState.Online, "online again");
        Assert.Equal(LivenessReason.Heartbeat, server.Get<LivenessTracker>().Find("gate-1")!.Reason);
    }

    [Fact]
    public async Task Liveness_ConnectionDropped_OfflineByLastWillWithoutWaitingForHeartbeats()
    {
        using var server = new GateServerFactory();
        var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        using var changes = server.WatchChanges();
        await device.SendHeartbeatAsync();

        device.Crash();

        // No fake time passes: only the lost connection can have made it offline.
        await LivenessChangeAsync(changes, LivenessState.Offline, "offline on last will");
        Assert.Equal(LivenessReason.LastWill, server.Get<LivenessTracker>().Find("gate-1")!.Reason);
    }

    [Fact]
    public async Task Liveness_DisconnectWithWillMessage_CountsAsLastWillNotCleanGoodbye()
    {
        using var server = new GateServerFactory();
        var credential = server.AddDevice("school-a", "gate-1");
        using var changes = server.WatchChanges();
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = TestDevice.Options(server.BrokerPort, "gate-1", "gate-1", credential.Password, cleanSession: false,
            willTopic: Topics.For("school-a", "gate-1", Topics.Status));
        options.ProtocolVersion = MQTTnet.Formatter.MqttProtocolVersion.V500;
        await client.ConnectAsync(options);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.For("school-a", "gate-1", Topics.Status))
            .WithPayload("online").WithRetainFlag().WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await LivenessChangeAsync(changes, LivenessState.Online, "online");

        // MQTT 5 reason 0x04: the device asks for its will (power failing), so it is not a clean goodbye.
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
            .WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());

        await LivenessChangeAsync(changes, LivenessState.Offline, "offline");
        Assert.Equal(LivenessReason.LastWill, server.Get<LivenessTracker>().Find("gate-1")!.Reason);
    }

    [Fact]
    public async Task Liveness_CleanDisconnect_OfflineWithThatReason()
    {
        using var server = new GateServerFactory();
        var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        using var changes = server.WatchChanges();

        await device.DisposeAsync();

        await LivenessChangeAsync(changes, LivenessState.Offline, "offline");
        Assert.Equal(LivenessReason.CleanDisconnect, server.Get<LivenessTracker>().Find("gate-1")!.Reason);
    }

    [Fact]
    public async Task Liveness_DeviceReconnectsOverItsOldConnection_StaleWillDoesNotMarkItOffline()
    {
        using var server = new GateServerFactory();
        var credential = server.AddDevice("school-a", "gate-1");
        await using var first = await server.ConnectDeviceAsync(credential);
        using var changes = server.WatchChanges();

        // The device comes back on a new connection while the broker still holds the old one (half-open TCP).
        await using var second = await server.ConnectDeviceAsync(credential);
        await second.SendHeartbeatAsync();
        Assert.Single(server.Get<LivenessTracker>().Find("gate-1")!.Marks);

        // The old connection's will arrives late, while the new one is up.
        server.Get<LivenessTracker>().OnStatus("gate-1", "school-a", online: false, embeddedBroker: true);

        var snapshot = server.Get<LivenessTracker>().Find("gate-1")!;
        Assert.Equal(LivenessState.Online, snapshot.State);
        Assert.True(second.Client.IsConnected);
        Assert.DoesNotContain(changes.Drain(), c => State(c) == LivenessState.Offline);
    }

    [Fact]
    public void Liveness_ExternalBrokerWillJustAfterOnline_IsTreatedAsStale()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        var tracker = server.Get<LivenessTracker>();

        tracker.OnStatus("gate-1", "school-a", online: true, embeddedBroker: false);
        tracker.OnStatus("gate-1", "school-a", online: false, embeddedBroker: false);
        Assert.Equal(LivenessState.Online, tracker.Find("gate-1")!.State);

        server.Time.Advance(TimeSpan.FromSeconds(tracker.Options.StaleWillWindowSeconds + 1));
        tracker.OnStatus("gate-1", "school-a", online: false, embeddedBroker: false);
        Assert.Equal(LivenessState.Offline, tracker.Find("gate-1")!.State);
        Assert.Equal(LivenessReason.LastWill, tracker.Find("gate-1")!.Reason);
    }

    [Fact]
    public async Task Liveness_FlappingDevice_IsAnnouncedOnceNotOnEveryChange()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        var tracker = server.Get<LivenessTracker>();
        using var changes = server.WatchChanges();

        for (var i = 0; i < 20; i++)
        {
            tracker.OnConnected("gate-1", "school-a", "conn-" + i);
            tracker.OnDisconnected("gate-1", "conn-" + i, clean: false, takeover: false);
            server.Time.Advance(TimeSpan.FromSeconds(5));
        }

        // 40 changes: the first online, then one event per swing until the flap threshold, then a single notice.
        var published = changes.Drain().Where(c => c.DeviceId == "gate-1").ToList();
        Assert.Equal(tracker.Options.FlapTransitions, published.Count(c => c.Type == "liveness"));
        Assert.Single(published, c => c.Type == "device_flapping");
        Assert.True(tracker.Find("gate-1")!.Flapping);
        Assert.Equal(LivenessState.Offline, tracker.Find("gate-1")!.State);

        tracker.OnConnected("gate-1", "school-a", "final");
        server.Time.Advance(TimeSpan.FromSeconds(tracker.Options.FlapQuietSeconds + 1));
        await changes.WaitAsync(c => c.Type == "device_flap_ended", "calm again");
        Assert.False(tracker.Find("gate-1")!.Flapping);
    }

    [Fact]
    public async Task Heartbeat_RepeatingTheLastOne_KeepsTheTelemetryObject_AChangeReplacesIt()
    {
        // At province scale every telemetry object a heartbeat leaves behind is copied by the next collection;
        // a beat that says nothing new must leave nothing new.
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var tracker = server.Get<LivenessTracker>();

        await device.SendHeartbeatAsync(timestamp: server.Time.GetUtcNow().UtcDateTime);
        var first = tracker.Find("gate-1")!.Telemetry;
        server.Time.Advance(TimeSpan.FromSeconds(30));
        await device.SendHeartbeatAsync(timestamp: server.Time.GetUtcNow().UtcDateTime.AddMilliseconds(40));
        Assert.Same(first, tracker.Find("gate-1")!.Telemetry);
        Assert.Equal(2, tracker.Find("gate-1")!.Marks.Count);

        var powerCut = device.NewHeartbeat(timestamp: server.Time.GetUtcNow().UtcDateTime);
        powerCut.Mains = false;
        await device.PublishAsync(Topics.Heartbeat, Gate.Server.Wire.WireEncoder.EncodeHeartbeat(powerCut));
        var after = tracker.Find("gate-1")!.Telemetry;
        Assert.NotSame(first, after);
        Assert.False(after.Mains);

        await device.SendHeartbeatAsync(timestamp: server.Time.GetUtcNow().UtcDateTime.AddSeconds(5));
        Assert.Equal(5, tracker.Find("gate-1")!.Telemetry.ClockSkewSeconds!.Value, 0);
    }

    [Fact]
    public async Task Heartbeat_NewFirmware_NotedAtOnceWrittenInOneBatchOnThePersistTick()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1", heartbeatSeconds: 10);
        var registry = server.Get<Gate.Server.Devices.DeviceRegistry>();

        await device.SendHeartbeatAsync(intervalSeconds: 10);

        // In memory at once (the status page shows it), on disk not yet: the heartbeat path never waits on the disk.
        Assert.Equal("1.0.0", registry.Find("gate-1")!.Firmware);
        Assert.Equal(1, registry.PendingFirmwareWrites);
        Assert.Null(StoredFirmware(server, "gate-1"));

        // The liveness service's persist tick writes it.
        server.Time.Advance(TimeSpan.FromSeconds(server.Get<LivenessTracker>().Options.PersistPeriodSeconds + 1));
        // The service reads its start time on the thread pool, possibly after that advance; each re-check moves the
        // fake clock on by half a tick until the write lands (what is awaited is the row, not a wall-clock interval).
        await Wait.UntilAsync(
            () =>
            {
                if (StoredFirmware(server, "gate-1") is not null)
                {
                    return true;
                }

                server.Time.Advance(TimeSpan.FromMilliseconds(500));
                return false;
            },
            "the firmware version persisted");

        Assert.Equal("1.0.0", StoredFirmware(server, "gate-1"));
        Assert.Equal(0, registry.PendingFirmwareWrites);
    }

    [Fact]
    public void Persist_MoreDevicesThanOneChunk_EveryChangedDeviceIsWritten()
    {
        using var server = new GateServerFactory();
        var tracker = server.Get<LivenessTracker>();
        for (var i = 0; i < 1203; i++)
        {
            server.AddDevice("school-a", $"gate-{i:D4}");
        }

        for (var i = 0; i < 1203; i++)
        {
            tracker.OnConnected($"gate-{i:D4}", "school-a", "conn-" + i);
        }

        tracker.Persist(server.Get<Gate.Server.Storage.GateDatabase>());

        using var connection = server.Get<Gate.Server.Storage.GateDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM device_liveness WHERE device_id LIKE 'gate-%';";
        Assert.Equal(1203L, (long)command.ExecuteScalar()!);
        Assert.Equal(0, tracker.Persist(server.Get<Gate.Server.Storage.GateDatabase>()));
    }

    [Fact]
    public async Task Persist_NotRoutine_WritesChangesOfStateButLeavesMereHeartbeatsForTheRoutineWrite()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1", heartbeatSeconds: 10);
        var tracker = server.Get<LivenessTracker>();
        var database = server.Get<Gate.Server.Storage.GateDatabase>();
        await device.SendHeartbeatAsync(intervalSeconds: 10);
        tracker.Persist(database);
        var firstSeen = StoredLastSeen(server, "gate-1");

        // Only heard from again: not written by the frequent (non-routine) persist...
        server.Time.Advance(TimeSpan.FromSeconds(2));
        await device.SendHeartbeatAsync(intervalSeconds: 10);
        Assert.Equal(0, tracker.Persist(database, routine: false));
        Assert.Equal(firstSeen, StoredLastSeen(server, "gate-1"));

        // ...but by the routine one.
        Assert.Equal(1, tracker.Persist(database, routine: true));
        Assert.NotEqual(firstSeen, StoredLastSeen(server, "gate-1"));

        // A change of state is written by the frequent persist (this call, or the service's tick that may come first).
        using var changes = server.WatchChanges();
        device.Crash();
        await LivenessChangeAsync(changes, LivenessState.Offline, "offline");
        tracker.Persist(database, routine: false);
        Assert.Equal(LivenessState.Offline, StoredState(server, "gate-1"));
    }

    private static string? StoredLastSeen(GateServerFactory server, string deviceId) => StoredColumn(server, deviceId, "last_seen");

    private static string? StoredState(GateServerFactory server, string deviceId) => StoredColumn(server, deviceId, "state");

    private static string? StoredColumn(GateServerFactory server, string deviceId, string column)
    {
        using var connection = server.Get<Gate.Server.Storage.GateDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {column} FROM device_liveness WHERE device_id = $id;";
        command.Parameters.AddWithValue("$id", deviceId);
        return command.ExecuteScalar() as string;
    }

    private static string? StoredFirmware(GateServerFactory server, string deviceId)
    {
        using var connection = server.Get<Gate.Server.Storage.GateDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT firmware FROM devices WHERE id = $id;";
        command.Parameters.AddWithValue("$id", deviceId);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Waits for a liveness change to the state.</summary>
    private static Task<Gate.Server.Events.ChangeEvent> LivenessChangeAsync(ChangeWaiter changes, string state, string what) =>
        changes.WaitAsync(c => c.Type == "liveness" && State(c) == state, what);

    private static string? State(Gate.Server.Events.ChangeEvent change) => (change.Data as LivenessSnapshot)?.State;
}
