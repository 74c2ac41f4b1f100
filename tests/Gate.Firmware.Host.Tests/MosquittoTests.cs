using Gate.Firmware.Host.Storage;

namespace Gate.Firmware.Host.Tests;

/// <summary>The virtual controller (the real core over MQTTnet) against a real Mosquitto.</summary>
[Trait("Category", "Integration")]
public sealed class MosquittoTests : IDisposable
{
    private readonly MosquittoBroker _broker = new();

    public void Dispose() => _broker.Dispose();

    private VirtualGateControllerOptions Options(string device, MemoryFlashStorage? storage = null) => new()
    {
        BrokerPort = _broker.Port,
        School = "school-t",
        Device = device,
        Credential = "pw",
        PanicHoldMs = 100,
        HeartbeatSeconds = 5,
        Storage = storage,
    };

    private Task<GatewayEmulator> EmulatorAsync(string id = "emu") =>
        _broker.StartEmulatorAsync(clientId: id + "-" + Guid.NewGuid().ToString("N")[..6]);

    [Fact]
    public async Task Availability_Connect_RetainedOnline_PowerCut_LastWillOffline()
    {
        await using var gate = new VirtualGateController(Options("gate-av"));
        gate.Start();
        await gate.WaitConnectedAsync(Timeouts.Generous);

        // A watcher that subscribes after the fact still learns "online": it was retained.
        await using var watcher = await TopicWatcher.StartAsync(_broker.Port, "gate/v1/school-t/gate-av/status");
        var online = await watcher.WaitForAsync(m => m.Text == "online");
        Assert.True(online.Retained);

        gate.Crash();
        var offline = await watcher.WaitForAsync(m => m.Text == "offline");
        Assert.Equal("gate/v1/school-t/gate-av/status", offline.Topic);

        // Back on: "online" again, on every reconnect.
        await using var late = await TopicWatcher.StartAsync(_broker.Port, "gate/v1/school-t/gate-av/status");
        Assert.Equal("offline", (await late.WaitForAsync(_ => true)).Text);
        gate.Start();
        await late.WaitForAsync(m => m.Text == "online");
    }

    [Fact]
    public async Task Alarm_RaisedWhileBrokerDown_DeliveredWithSameIdOnceBrokerIsBack()
    {
        await using var gate = new VirtualGateController(Options("gate-down"));
        gate.Start();
        await gate.WaitConnectedAsync(Timeouts.Generous);

        _broker.Stop();
        await gate.WaitForAsync(() => !gate.IsConnected, Timeouts.Generous);
        var alarmId = await gate.TriggerPanicAsync(Timeouts.Generous);
        Assert.Equal(1, gate.OutboxDepth);
        Assert.Equal(FeedbackPatterns.SendingName, gate.FeedbackPattern);

        _broker.Start();
        await using var emulator = await EmulatorAsync();
        await gate.WaitForAckAsync(alarmId, AckStage.Received, TimeSpan.FromSeconds(90));
        Assert.True(emulator.Alarms.ContainsKey(alarmId));
        Assert.Equal(AlarmKind.Panic, emulator.Alarms[alarmId].Kind);
        Assert.Single(emulator.Alarms);
        await gate.WaitForAsync(() => gate.OutboxDepth == 0, Timeouts.Generous);
        await gate.WaitForAckAsync(alarmId, AckStage.PoliceAck, Timeouts.Generous);
        await gate.WaitForFeedbackAsync(FeedbackPatterns.PoliceAckName, Timeouts.Generous);
    }

    [Fact]
    public async Task Qos1_AckQueuedWhileDeviceOffAndBrokerRestarted_DeliveredOnReconnect()
    {
        var storage = new MemoryFlashStorage();
        await using var gate = new VirtualGateController(Options("gate-q1", storage));
        gate.Start();
        await gate.WaitConnectedAsync(Timeouts.Generous);

        // The alarm reaches the broker, but nobody acknowledges it yet.
        await using var emulator = await EmulatorAsync();
        emulator.Acknowledge = false;
        var alarmId = await gate.TriggerPanicAsync(Timeouts.Generous);
        await WaitUntilAsync(() => emulator.Alarms.ContainsKey(alarmId));

        // Power cut at the gate; the server's "received" is queued in the device's persistent session,
        // then the broker itself restarts. The last will says the broker has dropped the session's socket, so the ack
        // is queued for an offline session; its PUBACK says the broker holds it; the graceful stop writes it to disk.
        await using var status = await TopicWatcher.StartAsync(_broker.Port, "gate/v1/school-t/gate-q1/status");
        gate.Crash();
        await status.WaitForAsync(m => m.Text == "offline");
        await emulator.SendAckAsync("school-t", "gate-q1", alarmId, AckStage.Received);
        _broker.Stop();
        _broker.Start();

        var acks = new List<string>();
        gate.AckReceived += (_, e) => { lock (acks) { acks.Add(e.AlarmId + "/" + e.Stage); } };
        gate.Start();
        await gate.WaitForAckAsync(alarmId, AckStage.Received, Timeouts.Generous);
        Assert.Equal(2, gate.BootCount);
        await gate.WaitForAsync(() => gate.OutboxDepth == 0, Timeouts.Generous);
    }

    [Fact]
    public async Task Commands_FromServer_EachAnsweredAndActedOn()
    {
        await using var gate = new VirtualGateController(Options("gate-cmd"));
        gate.Start();
        await Step("connect", gate.WaitConnectedAsync(Timeouts.Generous));
        await using var emulator = await EmulatorAsync();
        await Step("bollard up at start", gate.WaitForAsync(() => gate.BollardPosition == BollardPosition.Up, Timeouts.Generous));

        async Task<CommandResult> CommandAsync(string name)
        {
            var id = await emulator.SendCommandAsync("school-t", "gate-cmd", name);
            return await Step("result of " + name, emulator.WaitForResultAsync(id, Timeouts.Generous));
        }

        Assert.Equal(CommandOutcome.Ok, (await CommandAsync(CommandName.LowerBollard)).Result);
        await Step("bollard down", gate.WaitForAsync(() => gate.BollardPosition == BollardPosition.Down, Timeouts.Generous));

        Assert.Equal(CommandOutcome.Ok, (await CommandAsync(CommandName.DrillOn)).Result);
        var drillAlarm = await Step("drill press", gate.TriggerPanicAsync(Timeouts.Generous));
        await Step("drill received", gate.WaitForAckAsync(drillAlarm, AckStage.Received, Timeouts.Generous));
        Assert.Equal(AlarmKind.Drill, emulator.Alarms[drillAlarm].Kind);

        Assert.Equal(CommandOutcome.Ok, (await CommandAsync(CommandName.DrillOff)).Result);
        Assert.False(gate.PanicLatched);

        var real = await Step("panic press", gate.TriggerPanicAsync(Timeouts.Generous));
        await Step("panic received", gate.WaitForAckAsync(real, AckStage.Received, Timeouts.Generous));
        Assert.Equal(CommandOutcome.Ok, (await CommandAsync(CommandName.ResetLatch)).Result);
        await Step("latch reset", gate.WaitForAsync(() => !gate.PanicLatched, Timeouts.Generous));

        Assert.Equal(CommandOutcome.Ok, (await CommandAsync(CommandName.Reboot)).Result);
        await Step("rebooted", gate.WaitForAsync(() => gate.BootCount == 2, Timeouts.Generous));
        await Step("reconnected", gate.WaitConnectedAsync(Timeouts.Generous));
    }

    /// <summary>Names the step that timed out, so a failure says where the chain broke.</summary>
    private static async Task<T> Step<T>(string name, Task<T> task)
    {
        try { return await task; }
        catch (TimeoutException ex) { throw new TimeoutException("step '" + name + "' timed out", ex); }
    }

    private static async Task Step(string name, Task task)
    {
        try { await task; }
        catch (TimeoutException ex) { throw new TimeoutException("step '" + name + "' timed out", ex); }
    }

    [Fact]
    public async Task Swarm_SmallAgainstMosquitto_AllConnectHeartbeatAndEveryAlarmIsReceived()
    {
        await using var emulator = await EmulatorAsync();
        await using var swarm = new Swarm(new SwarmOptions
        {
            Count = 40,
            BrokerPort = _broker.Port,
            Ramp = TimeSpan.FromSeconds(1),
            HeartbeatSeconds = 5,
            Schools = 4,
        });
        var received = new List<string>();
        swarm.AckLatency += (_, e) => { if (e.Stage == AckStage.Received) { lock (received) { received.Add(e.AlarmId); } } };
        await swarm.StartAsync();
        await swarm.WaitAllConnectedAsync(Timeouts.Generous);
        for (int i = 0; i < 10; i++)
        {
            swarm.InjectAlarm();
        }

        await WaitUntilAsync(() => { lock (received) { return received.Count >= 10; } });
        Assert.Equal(10, swarm.Latencies(AckStage.Received).Count);
        Assert.Equal(10, emulator.Alarms.Count);
        Assert.Equal(40, swarm.Controllers.Select(c => c.Device).Distinct().Count());
        Assert.Equal(4, swarm.Controllers.Select(c => c.School).Distinct().Count());
        await WaitUntilAsync(() => emulator.LastHeartbeat.Count == 40);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeouts.Generous;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(20);
        }
    }
}
