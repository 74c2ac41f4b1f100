using Gate.Server.Forwarding;

namespace Gate.Server.Tests;

public sealed class AlarmTests
{
    [Fact]
    public async Task Alarm_Published_IsCommittedBeforeReceivedAck()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");

        var alarm = device.NewAlarm(boot: 7, seq: 1);
        var ack = await device.SendAlarmAndAwaitReceivedAsync(alarm);

        // The ack has arrived: the alarm must already be on disk, read through a fresh connection to the file.
        using var connection = ServerFile.Open(server);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, stage, status FROM alarms WHERE id = $id;";
        command.Parameters.AddWithValue("$id", alarm.Id);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), "alarm not stored when the received ack arrived");
        Assert.Equal(AlarmKind.Panic, reader.GetString(0));
        Assert.Equal(AlarmStatus.Open, reader.GetString(2));
        Assert.Equal(AckStage.Received, ack.Stage);
    }

    [Fact]
    public async Task Alarm_ResentWithSameId_IsStoredOnceAndAckedAgain()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var alarm = device.NewAlarm(boot: 7, seq: 1);

        await device.SendAlarmAndAwaitReceivedAsync(alarm);
        await device.SendAlarmAsync(alarm);
        await device.WaitForAsync(m => device.CountSeen(x => x.Topic.EndsWith("/ack")) >= 2, "a second received ack");

        var store = server.Get<AlarmStore>();
        var stored = store.List(open: null, tests: false, deviceId: "gate-1", schoolId: null, limit: 10);
        Assert.Single(stored);
        Assert.Equal(1, stored[0].Count);
    }

    [Fact]
    public async Task Alarm_RepeatsOfOneKindWhileOpen_FoldIntoCountThenNewAfterResolve()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var store = server.Get<AlarmStore>();

        var first = device.NewAlarm(7, 1, AlarmKind.Tamper);
        await device.SendAlarmAndAwaitReceivedAsync(first);
        for (var seq = 2; seq <= 4; seq++)
        {
            var repeat = device.NewAlarm(7, seq, AlarmKind.Tamper);
            await device.SendAlarmAsync(repeat);

            // Each repeat gets its own "received" so the device can clear it from its outbox.
            await device.WaitForAckAsync(repeat.Id, AckStage.Received);
        }

        var other = device.NewAlarm(7, 5, AlarmKind.Panic);
        await device.SendAlarmAndAwaitReceivedAsync(other);

        var tamper = store.Find(first.Id)!;
        Assert.Equal(4, tamper.Count);
        Assert.Equal(3, tamper.Steps.Count(s => s.Step == AlarmStep.Repeat));
        Assert.Equal(first.Id, store.Find(Identifier.AlarmId("gate-1", 7, 3))!.Id);
        Assert.Equal(2, store.List(null, false, "gate-1", null, 10).Count);

        var admin = await server.AdminClientAsync();
        (await admin.PostAsJsonAsync($"/api/alarms/{first.Id}/resolve", new { note = "enclosure closed" })).EnsureSuccessStatusCode();
        var after = device.NewAlarm(7, 6, AlarmKind.Tamper);
        await device.SendAlarmAndAwaitReceivedAsync(after);
        Assert.Equal(after.Id, store.Find(after.Id)!.Id);
        Assert.Equal(1, store.Find(after.Id)!.Count);
    }

    [Fact]
    public async Task Alarm_DrillAndPeriodicTest_AreKeptApartFromRealAlarms()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var drill = device.NewAlarm(7, 1, AlarmKind.Drill);
        var real = device.NewAlarm(7, 2, AlarmKind.Panic);
        await device.SendAlarmAsync(drill);
        await device.SendAlarmAndAwaitReceivedAsync(real);
        await device.WaitForAckAsync(drill.Id, AckStage.Received);

        var admin = await server.AdminClientAsync();
        var realList = await admin.GetFromJsonAsync<List<AlarmView>>("/api/alarms");
        var testList = await admin.GetFromJsonAsync<List<AlarmView>>("/api/alarms?test=true");
        Assert.Equal([real.Id], realList!.Select(a => a.Id));
        Assert.Equal([drill.Id], testList!.Select(a => a.Id));
        Assert.True(testList![0].IsTest);
        Assert.False(realList![0].IsTest);
    }

    [Fact]
    public async Task Alarm_BadMessagesInSameStream_AreRefusedAndCountedWhileValidAlarmIsStored()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");

        await device.PublishAsync(Topics.Alarm, "{\"v\":1,\"id\":"u8.ToArray());
        await device.PublishAsync(Topics.Alarm, "{\"v\":2,\"id\":\"gate-1.7.1\"}"u8.ToArray());
        await device.PublishAsync(Topics.Alarm, new byte[Limits.MaxPayloadBytes + 1]);
        var foreign = device.NewAlarm(7, 9);
        foreign.Device = "gate-2";
        await device.SendAlarmAsync(foreign);
        var valid = device.NewAlarm(7, 1);
        await device.SendAlarmAndAwaitReceivedAsync(valid);

        var counters = server.Get<IngestCounters>();
        Assert.Equal(1, counters.RejectedCount("alarm:" + RejectReason.MalformedJson));
        Assert.Equal(1, counters.RejectedCount("alarm:" + RejectReason.UnsupportedVersion));
        Assert.Equal(1, counters.RejectedCount("alarm:" + RejectReason.TooLarge));
        Assert.Equal(1, counters.RejectedCount("alarm:dev_mismatch"));
        Assert.NotNull(server.Get<AlarmStore>().Find(valid.Id));
        Assert.True(device.Client.IsConnected);
    }

    [Fact]
    public async Task Alarm_TimestampFarFromServerTime_IsFlaggedAndDatedOnReceipt()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var alarm = device.NewAlarm(7, 1, timestamp: GateServerFactory.DefaultStart.UtcDateTime.AddDays(-3));

        await device.SendAlarmAndAwaitReceivedAsync(alarm);

        var stored = server.Get<AlarmStore>().Find(alarm.Id)!;
        Assert.Equal(server.Time.GetUtcNow(), stored.RaisedAt);
        Assert.Equal(GateServerFactory.DefaultStart.AddDays(-3), stored.DeviceTimestamp);
        Assert.Equal(1, server.Get<IngestCounters>().Snapshot().Flagged["clock_skew"]);
    }

    [Fact]
    public async Task Alarm_DeliverySteps_GoBackToDeviceAndIntoHistory()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var alarm = device.NewAlarm(7, 1);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);

        var now = server.Time.GetUtcNow();
        await ReportDeliveryAsync(server, (p, c, tx) => p.Forwarded(c, tx, alarm.Id, "police-zz", "primary", now));
        var forwarded = await device.WaitForAckAsync(alarm.Id, AckStage.Forwarded);
        await ReportDeliveryAsync(server, (p, c, tx) => p.PoliceAcknowledged(c, tx, alarm.Id, "police-zz", "primary", now.AddSeconds(1), TimeSpan.FromMilliseconds(850)));
        await device.WaitForAckAsync(alarm.Id, AckStage.PoliceAck);

        var admin = await server.AdminClientAsync();
        var response = await admin.PostAsJsonAsync($"/api/alarms/{alarm.Id}/acknowledge", new { note = "patrol on the way" });
        response.EnsureSuccessStatusCode();
        await device.WaitForAckAsync(alarm.Id, AckStage.OperatorAck);

        var view = (await admin.GetFromJsonAsync<AlarmView>($"/api/alarms/{alarm.Id}"))!;
        Assert.Equal("primary", forwarded.Path);
        Assert.Equal(AckStage.OperatorAck, view.Stage);
        Assert.Equal("admin", view.OperatorAckBy);
        Assert.Equal(
            [AlarmStep.Raised, AlarmStep.Received, AlarmStep.Forwarded, AlarmStep.PoliceAck, AlarmStep.OperatorAck],
            // Without a configured police path the forwarder also reports trouble; that step is not what is checked here.
            view.Steps.Select(s => s.Step).Where(s => s != AlarmStep.DeliveryTrouble));
        Assert.Equal("patrol on the way", view.Steps.Last(s => s.Step == AlarmStep.OperatorAck).Detail);
    }

    [Fact]
    public async Task Alarm_Stored_IsEnqueuedForForwardingInSameTransaction()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var alarm = device.NewAlarm(7, 1);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);

        var admin = await server.AdminClientAsync();
        var delivery = await admin.GetAsync($"/api/alarms/{alarm.Id}/delivery");
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);
    }

    /// <summary>
    /// Reports a delivery step the way the forwarding service does: recorded through the Alarms feature's
    /// <see cref="IDeliveryProgress"/> inside a write of the server's one writer, announced after that write commits.
    /// </summary>
    internal static async Task ReportDeliveryAsync(GateServerFactory server, Func<IDeliveryProgress, SqliteConnection, SqliteTransaction, DeliveryAnnouncement?> step)
    {
        var progress = server.Get<IDeliveryProgress>();
        var announce = await server.Get<GroupCommitWriter>().WriteAsync((c, tx) => step(progress, c, tx));
        Assert.NotNull(announce);
        await announce(CancellationToken.None);
    }
}
