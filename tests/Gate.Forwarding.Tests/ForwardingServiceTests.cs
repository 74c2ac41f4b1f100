namespace Gate.Forwarding.Tests;

[Trait("Category", "Integration")]
public class ForwardingServiceTests
{
    [Fact]
    public async Task Forwarding_Alarm_ReachesReceiverAsContactIdAndIsAcknowledged()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        fx.AddSchool("school-a", "1001", latitude: 39.916527, longitude: 116.397128);
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));

        fx.Enqueue(ForwardingFixture.Alarm("gate-1.1.1", kind: "panic", zone: 1));
        var ack = await fx.Observer.Acknowledged("gate-1.1.1");

        Assert.Equal("primary", ack.Path);
        var message = Assert.Single(receiver.Acknowledged);
        Assert.Equal(SiaToken.ContactId, message.Frame!.Token);
        Assert.Equal("1001", message.Frame.Account);
        Assert.Equal(new ContactIdEvent(1, 120, 1, 1), message.ContactId);
        Assert.Equal("gate-1.1.1", ForwardingFixture.AlarmIdOf(message));
        Assert.Contains("X116.397128", message.Frame.ExtendedData);
        Assert.Contains("Y39.916527", message.Frame.ExtendedData);
        var delivery = await fx.WaitForDelivery("gate-1.1.1", d => d.State == ForwardState.Delivered, "delivered");
        Assert.Equal("primary", delivery.Path);
        var attempt = Assert.Single(delivery.Trail);
        Assert.Equal("acknowledged", attempt.Outcome);
        Assert.Equal(["forwarded", "ack"], fx.Observer.Events.Select(e => e.Type));
    }

    [Fact]
    public async Task Forwarding_Restore_IsSentWithQualifier3()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));

        fx.Enqueue(ForwardingFixture.Alarm("gate-1.1.2", kind: "power_loss", restore: true, zone: 0));
        await fx.Observer.Acknowledged("gate-1.1.2");

        Assert.Equal(new ContactIdEvent(3, 301, 1, 0), Assert.Single(receiver.Acknowledged).ContactId);
    }

    [Theory]
    [InlineData("tcp", 16)]
    [InlineData("tcp", 24)]
    [InlineData("tcp", 32)]
    [InlineData("udp", 16)]
    public async Task Forwarding_EncryptedReceiver_GetsAlarmEncrypted(string transport, int keyBytes)
    {
        var key = RandomNumberGenerator.GetBytes(keyBytes);
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Key = key });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, key: Convert.ToHexString(key), transport: transport));

        fx.Enqueue(ForwardingFixture.Alarm("gate-1.1.3"));
        await fx.Observer.Acknowledged("gate-1.1.3");

        var message = Assert.Single(receiver.Acknowledged);
        Assert.True(message.Frame!.Encrypted);
        Assert.Equal(transport, message.Transport);
        Assert.DoesNotContain("gate-1.1.3", message.Raw);
        Assert.Equal("gate-1.1.3", ForwardingFixture.AlarmIdOf(message));
    }

    [Fact]
    public async Task Forwarding_UnencryptedUdp_Delivers()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, transport: "udp"));

        fx.Enqueue(ForwardingFixture.Alarm("gate-1.1.4"));
        await fx.Observer.Acknowledged("gate-1.1.4");

        Assert.Equal("udp", Assert.Single(receiver.Acknowledged).Transport);
    }

    [Fact]
    public async Task Forwarding_ReceiverDownAcrossServerRestart_BacklogDrainsInOrderPerSchool()
    {
        await using var fx = new ForwardingFixture();
        var receiver = await fx.StartedSimulatorAsync();
        await receiver.StopAsync();
        fx.AddSchool("school-a", "1001");
        fx.AddSchool("school-b", "1002");
        var config = ForwardingFixture.Config(primary: receiver);
        await fx.StartAsync(config);

        string[] a = ["a.1.1", "a.1.2", "a.1.3", "a.1.4", "a.1.5"];
        string[] b = ["b.1.1", "b.1.2", "b.1.3"];
        fx.Enqueue(
            ForwardingFixture.Alarm(a[0], "school-a"), ForwardingFixture.Alarm(b[0], "school-b"),
            ForwardingFixture.Alarm(a[1], "school-a", kind: "tamper"), ForwardingFixture.Alarm(a[2], "school-a", restore: true),
            ForwardingFixture.Alarm(b[1], "school-b", kind: "bollard_forced"), ForwardingFixture.Alarm(a[3], "school-a", kind: "drill"),
            ForwardingFixture.Alarm(b[2], "school-b"), ForwardingFixture.Alarm(a[4], "school-a", kind: "battery_low"));
        await fx.Observer.Trouble(a[0]);
        await fx.Observer.Trouble(b[0]);

        await fx.StopAsync();
        await receiver.StartAsync();
        await fx.StartAsync(config);
        await fx.Observer.Acknowledged(a[^1]);
        await fx.Observer.Acknowledged(b[^1]);

        var delivered = receiver.Acknowledged.Select(ForwardingFixture.AlarmIdOf).ToArray();
        Assert.Equal(a, delivered.Where(id => id!.StartsWith("a.", StringComparison.Ordinal)));
        Assert.Equal(b, delivered.Where(id => id!.StartsWith("b.", StringComparison.Ordinal)));
        var first = await fx.WaitForDelivery(a[0], d => d.State == ForwardState.Delivered, "delivered");
        Assert.Equal(["failed", "acknowledged"], first.Trail.Select(t => t.Outcome));
        foreach (var id in a.Concat(b))
        {
            Assert.Equal(ForwardState.Delivered, (await fx.WaitForDelivery(id, d => d.State == ForwardState.Delivered, "delivered")).State);
        }

        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task Forwarding_PrimaryDown_FailsOverToBackupThenFailsBack()
    {
        await using var fx = new ForwardingFixture();
        await using var primary = await fx.StartedSimulatorAsync();
        await using var backup = await fx.StartedSimulatorAsync();
        await primary.StopAsync();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: primary, backup: backup));

        fx.Enqueue(ForwardingFixture.Alarm("x.1.1"));
        var first = await fx.Observer.Acknowledged("x.1.1");
        fx.Enqueue(ForwardingFixture.Alarm("x.1.2"));
        var second = await fx.Observer.Acknowledged("x.1.2");
        await primary.StartAsync();
        fx.Time.Advance(TimeSpan.FromSeconds(31));
        fx.Enqueue(ForwardingFixture.Alarm("x.1.3"));
        var third = await fx.Observer.Acknowledged("x.1.3");

        Assert.Equal("backup", first.Path);
        Assert.Equal(["primary:failed", "backup:acknowledged"], (await fx.Delivery("x.1.1")).Trail.Select(t => $"{t.Path}:{t.Outcome}"));
        Assert.Equal("backup", second.Path);
        Assert.Equal(["backup:acknowledged"], (await fx.Delivery("x.1.2")).Trail.Select(t => $"{t.Path}:{t.Outcome}"));
        Assert.Equal("primary", third.Path);
        Assert.Equal("x.1.3", ForwardingFixture.AlarmIdOf(Assert.Single(primary.Acknowledged)));
        Assert.Equal("up", fx.Services.GetRequiredService<ForwardingStatus>().Snapshot().Single(p => p.Path == "primary").State);
    }

    [Fact]
    public async Task Forwarding_SilentPrimary_AlarmsQueuedBehindItGoToBackupAfterOneTimeoutNotOneEach()
    {
        await using var fx = new ForwardingFixture();
        await using var primary = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Silent });
        await using var backup = await fx.StartedSimulatorAsync();
        for (var s = 0; s < 4; s++)
        {
            fx.AddSchool($"school-{s}", $"{2000 + s}");
        }

        await fx.StartAsync(ForwardingFixture.Config(primary: primary, backup: backup));
        var heard = primary.NextMessage();
        fx.Enqueue(Enumerable.Range(0, 4).Select(s => ForwardingFixture.Alarm($"t{s}.1.1", $"school-{s}")).ToArray());
        await heard.WithTimeout("the first alarm at the silent primary");
        fx.Time.Advance(TimeSpan.FromSeconds(6));

        for (var s = 0; s < 4; s++)
        {
            Assert.Equal("backup", (await fx.Observer.Acknowledged($"t{s}.1.1")).Path);
        }

        Assert.Single(primary.Received);
        Assert.Equal(4, backup.Acknowledged.Count);
    }

    [Fact]
    public async Task Forwarding_SeveralConnections_AlarmsOfDifferentSchoolsAreInFlightAtOnce_EachSchoolStaysInOrder()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Silent });
        for (var s = 0; s < 3; s++)
        {
            fx.AddSchool($"school-{s}", $"{3000 + s}");
        }

        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, connections: 3));
        // Two alarms per school; the receiver answers nothing, so whatever it holds was sent in parallel.
        fx.Enqueue(Enumerable.Range(0, 3).SelectMany(s => new[] { ForwardingFixture.Alarm($"p{s}.1.1", $"school-{s}"), ForwardingFixture.Alarm($"p{s}.1.2", $"school-{s}") }).ToArray());
        var heard = new ChangeSignal();
        receiver.MessageReceived += (_, _) => heard.Fire();
        await Wait.UntilAsync(() => receiver.Received.Count >= 3, "three alarms at the silent receiver", heard);

        // Three connections: the first alarm of every school is at the receiver before any answer or timeout;
        // the second of each school waits behind its first.
        Assert.Equal(["p0.1.1", "p1.1.1", "p2.1.1"], receiver.Received.Select(m => ForwardingFixture.AlarmIdOf(m)!).Order().ToArray());

        // The receiver wakes up. One step past the response timeout (5 s) times out the three unanswered sends (each
        // raises trouble once it is scheduled for a retry); one more step passes the first backoff (1 s). The clock
        // moves no further, so no answer from the woken receiver can be timed out however slow this machine is.
        receiver.Behaviour = ReceiverBehaviour.Normal;
        fx.Time.Advance(TimeSpan.FromSeconds(6));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(s => fx.Observer.Trouble($"p{s}.1.1")));
        fx.Time.Advance(TimeSpan.FromSeconds(2));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(s => fx.Observer.Acknowledged($"p{s}.1.2")));

        foreach (var s in new[] { "p0", "p1", "p2" })
        {
            var order = receiver.Acknowledged.Select(m => ForwardingFixture.AlarmIdOf(m)!).Where(id => id.StartsWith(s, StringComparison.Ordinal)).Distinct().ToList();
            Assert.Equal([s + ".1.1", s + ".1.2"], order);
        }
    }

    [Fact]
    public async Task Supervision_NullMessages_ProbeAFailedPrimaryAndFailBack()
    {
        await using var fx = new ForwardingFixture();
        await using var primary = await fx.StartedSimulatorAsync();
        await using var backup = await fx.StartedSimulatorAsync();
        await primary.StopAsync();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: primary, backup: backup, supervision: "00:00:20"));
        fx.Enqueue(ForwardingFixture.Alarm("s.1.1"));
        Assert.Equal("backup", (await fx.Observer.Acknowledged("s.1.1")).Path);

        await primary.StartAsync();
        var probe = primary.NextMessage(m => m.Frame?.Token == SiaToken.Null);
        var status = fx.Services.GetRequiredService<ForwardingStatus>();
        for (var i = 0; i < 60 && !probe.IsCompleted; i++)
        {
            // The supervision loop sleeps on the fake clock: move it on until a probe arrives. Not a step further:
            // a 5 s step while the probe waits for its ACK would time it out (the response timeout is 5 s).
            fx.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(probe, Task.Delay(20));
        }

        var nullMessage = await probe.WithTimeout("a NULL probe at the primary");
        Assert.Equal(SiaToken.Ack, nullMessage.Answer);
        await Wait.UntilAsync(() => status.Snapshot().Single(p => p.Path == "primary").State == "up", "the primary up again");

        Assert.Equal("up", status.Snapshot().Single(p => p.Path == "primary").State);
        Assert.Equal("0000", nullMessage.Frame!.Account);
        fx.Enqueue(ForwardingFixture.Alarm("s.1.2"));
        Assert.Equal("primary", (await fx.Observer.Acknowledged("s.1.2")).Path);
    }

    [Fact]
    public async Task Forwarding_ReceiverNaksForever_RetriesWithDoublingBackoffAndRaisesTroubleWithoutLosingTheAlarm()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Nak });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, troubleAfter: 2));

        fx.Enqueue(ForwardingFixture.Alarm("n.1.1"));
        var round1 = await fx.WaitForDelivery("n.1.1", d => d.Attempts == 1, "first round");
        Assert.DoesNotContain(fx.Observer.Events, e => e.Type == "trouble");
        fx.Time.Advance(TimeSpan.FromSeconds(1));
        var round2 = await fx.WaitForDelivery("n.1.1", d => d.Attempts == 2, "second round");
        var trouble = await fx.Observer.Trouble("n.1.1");
        receiver.Behaviour = ReceiverBehaviour.Normal;
        fx.Time.Advance(TimeSpan.FromSeconds(2));
        await fx.Observer.Acknowledged("n.1.1");

        Assert.InRange((round1.NextAttemptAt - round1.Trail[^1].At)!.Value.TotalMilliseconds, 998, 1002);
        Assert.InRange((round2.NextAttemptAt - round2.Trail[^1].At)!.Value.TotalMilliseconds, 1998, 2002);
        Assert.Contains("NAK", trouble.Detail);
        Assert.Equal(ForwardState.Delivered, (await fx.WaitForDelivery("n.1.1", d => d.State == ForwardState.Delivered, "delivered")).State);
        // Each NAKed round resent once after resynchronising the clock, never more.
        Assert.Equal([SiaToken.Nak, SiaToken.Nak, SiaToken.Nak, SiaToken.Nak, SiaToken.Ack],
            receiver.Received.Select(m => m.Answer.Split(' ')[0]));
    }

    [Fact]
    public async Task Backoff_ManyFailures_IsCappedAtMaxDelay()
    {
        await using var fx = new ForwardingFixture();
        await fx.StartAsync(ForwardingFixture.Config());
        var service = fx.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ForwardingService>().Single();

        Assert.Equal(TimeSpan.FromSeconds(1), service.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(4), service.Backoff(3));
        Assert.Equal(TimeSpan.FromSeconds(8), service.Backoff(4));
        Assert.Equal(TimeSpan.FromSeconds(8), service.Backoff(1000));
    }

    [Fact]
    public async Task Forwarding_ReceiverAnswersDuh_MarksRejectedRaisesTroubleAndMovesOnWithoutLooping()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Duh });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));

        fx.Enqueue(ForwardingFixture.Alarm("d.1.1"));
        var trouble = await fx.Observer.Trouble("d.1.1");
        receiver.Behaviour = ReceiverBehaviour.Normal;
        fx.Enqueue(ForwardingFixture.Alarm("d.1.2"));
        await fx.Observer.Acknowledged("d.1.2");
        fx.Time.Advance(TimeSpan.FromMinutes(5));

        var rejected = await fx.Delivery("d.1.1");
        Assert.Equal(ForwardState.Rejected, rejected.State);
        Assert.Contains("DUH", trouble.Detail);
        Assert.NotNull(rejected.TroubleAt);
        Assert.Single(receiver.Received, m => ForwardingFixture.AlarmIdOf(m) == "d.1.1");
        var status = await fx.Store.SummaryAsync(CancellationToken.None);
        Assert.Equal(1, status.Rejected);
    }

    [Fact]
    public async Task Forwarding_SilentReceiver_TimesOutAndResendsTheSameAlarmId()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Silent });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));
        var heard = receiver.NextMessage();

        fx.Enqueue(ForwardingFixture.Alarm("q.1.1"));
        await heard.WithTimeout("the alarm at the silent receiver");
        fx.Time.Advance(TimeSpan.FromSeconds(6));
        var failed = await fx.WaitForDelivery("q.1.1", d => d.Attempts == 1, "timed-out round");
        receiver.Behaviour = ReceiverBehaviour.Normal;
        fx.Time.Advance(TimeSpan.FromSeconds(1));
        await fx.Observer.Acknowledged("q.1.1");

        Assert.Contains("no answer", failed.LastError);
        Assert.Equal(["q.1.1", "q.1.1"], receiver.Received.Select(ForwardingFixture.AlarmIdOf));
    }

    [Theory]
    [InlineData(ReceiverBehaviour.DropMidFrame)]
    [InlineData(ReceiverBehaviour.Garbage)]
    public async Task Forwarding_MisbehavingReceiver_IsRetriedUntilAcknowledged(ReceiverBehaviour behaviour)
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = behaviour });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));

        fx.Enqueue(ForwardingFixture.Alarm("m.1.1"));
        await fx.Observer.Trouble("m.1.1");
        var failed = await fx.WaitForDelivery("m.1.1", d => d.Attempts == 1, "failed round");
        receiver.Behaviour = ReceiverBehaviour.Normal;
        fx.Time.Advance(TimeSpan.FromSeconds(1));
        await fx.Observer.Acknowledged("m.1.1");

        Assert.Equal(ForwardState.Pending, failed.State);
        Assert.Equal(["failed", "acknowledged"], (await fx.WaitForDelivery("m.1.1", d => d.State == ForwardState.Delivered, "delivered")).Trail.Select(t => t.Outcome));
    }

    [Fact]
    public async Task Forwarding_NoReceiverConfigured_KeepsAlarmQueuedAndRaisesTrouble()
    {
        await using var fx = new ForwardingFixture();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config());

        fx.Enqueue(ForwardingFixture.Alarm("z.1.1"));
        var trouble = await fx.Observer.Trouble("z.1.1");

        Assert.Contains("no police receiver", trouble.Detail);
        Assert.Equal(ForwardState.Pending, (await fx.Delivery("z.1.1")).State);
        Assert.Contains("No police receiver is configured", fx.Services.GetRequiredService<ForwardingStatus>().Warning);
    }

    [Fact]
    public async Task Forwarding_SchoolWithoutPoliceAccount_RaisesTroubleThenDeliversOnceAccountIsSet()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        fx.AddSchool("school-a", null);
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, troubleAfter: 5));

        fx.Enqueue(ForwardingFixture.Alarm("p.1.1"));
        var trouble = await fx.Observer.Trouble("p.1.1");
        fx.AddSchool("school-a", "ABC1");
        fx.Time.Advance(TimeSpan.FromSeconds(1));
        await fx.Observer.Acknowledged("p.1.1");

        Assert.Contains("no police account", trouble.Detail);
        Assert.Equal("ABC1", Assert.Single(receiver.Acknowledged).Frame!.Account);
    }

    [Fact]
    public async Task Forwarding_PoliceAck_AttemptDeliveredStateForwardedAndPoliceAckAreOneCommit()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));
        // The first alarm settles what happens once (the start-up schedule reset, the first DC-09 sequence block).
        fx.Enqueue(ForwardingFixture.Alarm("c.1.1"));
        await fx.Observer.Acknowledged("c.1.1");
        var writer = fx.Services.GetRequiredService<GroupCommitWriter>();
        var (commits, writes) = (writer.Commits, writer.Writes);

        fx.Enqueue(ForwardingFixture.Alarm("c.1.2"));
        await fx.Observer.Acknowledged("c.1.2");

        // One police ACK is one write in one commit: the try, the delivered state and both alarm steps.
        Assert.Equal(1, writer.Writes - writes);
        Assert.Equal(1, writer.Commits - commits);
        Assert.Same(fx.Observer.Transactions[("forwarded", "c.1.2")], fx.Observer.Transactions[("ack", "c.1.2")]);
        Assert.True(fx.Observer.DeliveredInAckTransaction["c.1.2"]);
        Assert.Equal(ForwardState.Delivered, (await fx.Delivery("c.1.2")).State);
    }

    [Fact]
    public async Task Queue_EnqueueInRolledBackTransaction_QueuesNothing()
    {
        await using var fx = new ForwardingFixture();
        using (var connection = fx.Database.Open())
        using (var tx = connection.BeginTransaction())
        {
            fx.Outbox.Enqueue(connection, tx, ForwardingFixture.Alarm("r.1.1"));
            tx.Rollback();
        }

        Assert.Null(await fx.Store.GetDeliveryAsync("r.1.1", CancellationToken.None));
    }

    [Fact]
    public async Task Queue_SameAlarmIdTwice_IsQueuedAndDeliveredOnce()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        fx.AddSchool("school-a", "1001");
        fx.Enqueue(ForwardingFixture.Alarm("u.1.1"), ForwardingFixture.Alarm("u.1.1"), ForwardingFixture.Alarm("u.1.2"));

        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));
        await fx.Observer.Acknowledged("u.1.2");

        Assert.Equal(["u.1.1", "u.1.2"], receiver.Acknowledged.Select(ForwardingFixture.AlarmIdOf));
        Assert.Equal(1, (await fx.Delivery("u.1.1")).Attempts);
    }

    [Fact]
    public async Task Forwarding_ManySchools_AllDeliveredEachInOrder()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        for (var s = 0; s < 20; s++)
        {
            fx.AddSchool($"school-{s}", $"{1000 + s}");
        }

        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));
        for (var i = 0; i < 5; i++)
        {
            for (var s = 0; s < 20; s++)
            {
                fx.Enqueue(ForwardingFixture.Alarm($"g{s}.1.{i}", $"school-{s}"));
            }
        }

        for (var s = 0; s < 20; s++)
        {
            await fx.Observer.Acknowledged($"g{s}.1.4");
        }

        var delivered = receiver.Acknowledged.Select(ForwardingFixture.AlarmIdOf).ToArray();
        Assert.Equal(100, delivered.Distinct().Count());
        for (var s = 0; s < 20; s++)
        {
            var prefix = $"g{s}.";
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"g{s}.1.{i}"), delivered.Where(id => id!.StartsWith(prefix, StringComparison.Ordinal)));
        }
    }
}
