namespace Gate.Firmware.Core.Tests;

public class BackoffTests
{
    [Fact]
    public void Backoff_RepeatedFailures_GrowExponentiallyAndCapNearTwoMinutes()
    {
        var b = new Backoff(1000, 120_000, new Jitter(42));
        var ceilings = new List<long>();
        for (int i = 0; i < 12; i++)
        {
            long ceiling = b.CeilingMs;
            long d = b.NextDelayMs();
            Assert.InRange(d, ceiling / 2, ceiling);
            ceilings.Add(ceiling);
        }

        Assert.Equal(new long[] { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000 }, ceilings.Take(9));
        b.Reset();
        Assert.Equal(1000, b.CeilingMs);
    }

    [Fact]
    public void Backoff_TwoDevices_DoNotRetryInStep()
    {
        var a = new Backoff(1000, 120_000, new Jitter(Jitter.SeedFrom("gate-01", 2)));
        var b = new Backoff(1000, 120_000, new Jitter(Jitter.SeedFrom("gate-02", 2)));
        var da = Enumerable.Range(0, 10).Select(_ => a.NextDelayMs()).ToList();
        var db = Enumerable.Range(0, 10).Select(_ => b.NextDelayMs()).ToList();
        Assert.NotEqual(da, db);
    }
}

public class ConnectionSupervisorTests
{
    private static ConnectionSupervisor New() => new(new Backoff(1000, 120_000, new Jitter(7)), 30_000, 15 * 60_000, 0);

    [Fact]
    public void Supervisor_ConnectHangs_AbortsAfterTimeoutAndRetriesLater()
    {
        var s = New();
        Assert.Equal(ConnectionAction.Connect, s.Poll(0));
        Assert.Equal(ConnectionAction.None, s.Poll(29_999));
        Assert.Equal(ConnectionAction.Abort, s.Poll(30_000));
        Assert.Equal("connect_timeout", s.LastError);
        Assert.InRange(s.NextAttemptMs, 30_500, 31_000);
    }

    [Fact]
    public void Supervisor_OfflineFifteenMinutes_RequestsRebootOnce()
    {
        var s = New();
        long t = 0;
        int reboots = 0;
        while (t < 16 * 60_000)
        {
            var a = s.Poll(t);
            if (a == ConnectionAction.Connect) { s.OnConnectFailed("no route", t); }
            if (a == ConnectionAction.Reboot) { reboots++; Assert.True(t >= 15 * 60_000); }
            t += 100;
        }

        Assert.Equal(1, reboots);
    }

    [Fact]
    public void Supervisor_ConnectedThenDropped_OfflineClockStartsAtDrop()
    {
        var s = New();
        s.Poll(0);
        s.OnConnected(0);
        Assert.Equal(ConnectionAction.None, s.Poll(20 * 60_000));
        s.OnDisconnected("keepalive", 20 * 60_000);
        Assert.Equal(20 * 60_000, s.OfflineSinceMs);
        Assert.NotEqual(ConnectionAction.Reboot, s.Poll(20 * 60_000 + 14 * 60_000));
    }

    [Fact]
    public void Controller_ClientConstructorThrows_CountsAsFailedAttemptNotCrash()
    {
        var transport = new FakeTransport { ThrowOnConnect = true };
        var rig = new ControllerRig(transport: transport);
        rig.Advance(10_000);
        Assert.True(transport.ConnectAttempts.Count >= 3);
        Assert.False(rig.Controller.IsConnected);
        transport.ThrowOnConnect = false;
        rig.Advance(20_000);
        Assert.True(rig.Controller.IsConnected);
    }

    [Fact]
    public void Controller_Connect_UsesDeviceIdentityPersistentSessionAndOfflineWill()
    {
        var rig = new ControllerRig();
        rig.Advance(10);
        var o = rig.Transport.ConnectAttempts.Single();
        Assert.Equal(("gate-01", "gate-01", "s3cret"), (o.ClientId, o.Username, o.Password));
        Assert.Equal("gate/v1/school-07/gate-01/status", o.WillTopic);
        Assert.Equal("offline", System.Text.Encoding.UTF8.GetString(o.WillPayload));
        Assert.True(o.WillRetain);
        Assert.Equal(new[] { "gate/v1/school-07/gate-01/ack", "gate/v1/school-07/gate-01/cmd" }, o.Subscriptions);
    }

    [Fact]
    public void Controller_EveryReconnect_PublishesRetainedOnlineFirst()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Transport.Drop();
        rig.Advance(200_000);
        var status = rig.Transport.On(Topics.Status).ToList();
        Assert.Equal(2, status.Count);
        Assert.All(status, p => Assert.True(p.Retain && p.Qos == 1 && p.Text == "online"));
        Assert.Equal(Topics.Status, rig.Transport.Published[0].Topic.Split('/').Last());
    }

    [Fact]
    public void Controller_Heartbeats_JitteredAroundIntervalWithHealthFields()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"heartbeat_s\":30"));
        rig.Controller.FreeMemory = 81234;
        rig.Controller.Rssi = -61;
        rig.Advance(10 * 60_000, 100);
        var beats = rig.Transport.On(Topics.Heartbeat).ToList();
        Assert.InRange(beats.Count, 18, 23);
        Assert.All(beats, b => Assert.Equal(0, b.Qos));
        Assert.True(WireCodec.TryDecodeHeartbeat(beats[^1].Payload, out var h, out var error), error);
        Assert.Equal((30, 81234, -61, 1, "1.0.0-test", ResetReason.PowerOn), (h.IntervalSeconds, h.FreeMemory, h.Rssi, h.BootCount, h.Firmware, h.ResetReason));
        Assert.Equal(beats.Count, h.Sequence);
        Assert.True(h.Mains);
        Assert.Equal(BollardPosition.Unknown, h.Inputs.Bollard);
    }

    [Fact]
    public void Controller_Offline_HeartbeatsAreNotQueued()
    {
        var rig = new ControllerRig();
        rig.Transport.AutoAccept = null;
        rig.Advance(5 * 60_000, 100);
        rig.Transport.Accept();
        rig.Advance(100);
        Assert.Single(rig.Transport.On(Topics.Heartbeat));
    }

    [Fact]
    public void Controller_ClientThrowsOnPublishAtConnect_PollGoesOnAndTheNextSessionSaysOnline()
    {
        var rig = new ControllerRig();
        rig.Transport.ThrowOnPublish = true;
        rig.Advance(100);
        Assert.True(rig.Controller.IsConnected);

        rig.Transport.ThrowOnPublish = false;
        rig.Transport.Drop();
        rig.Advance(5_000, 100);

        var status = Assert.Single(rig.Transport.On(Topics.Status));
        Assert.True(status.Retain);
        Assert.True(WireCodec.TryDecodeStatus(status.Payload, out var word, out var error), error);
        Assert.Equal(Topics.Online, word);
    }

    [Fact]
    public void Controller_HeartbeatSequence_CountsPublishedBeatsOnly()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"heartbeat_s\":30"));
        rig.Advance(5 * 60_000, 100);
        var beats = rig.Transport.On(Topics.Heartbeat)
            .Select(b =>
            {
                Assert.True(WireCodec.TryDecodeHeartbeat(b.Payload, out var h, out var error), error);
                return h.Sequence;
            })
            .ToList();
        Assert.Equal(Enumerable.Range(1, beats.Count).Select(i => (long)i), beats);
    }

    [Fact]
    public void Controller_OfflineForLong_RequestsReboot()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"reboot_after_offline_s\":900"));
        rig.Transport.AutoAccept = false;
        rig.Advance(14 * 60_000, 1000);
        Assert.Equal(PendingAction.None, rig.Controller.Action);
        rig.Advance(61_000, 1000);
        Assert.Equal(PendingAction.Reboot, rig.Controller.Action);
        Assert.Equal("offline_too_long", rig.Controller.ActionReason);
    }
}
