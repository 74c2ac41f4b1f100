using Gate.Server.Forwarding;
using Gate.Server.Wire;

namespace Gate.Server.Tests;

/// <summary>
/// A device whose boot counter restarted (flash mass-erased, board swapped under the same device id) sends new alarms
/// under ids the server already stored. Those must be stored and forwarded, not mistaken for resends.
/// </summary>
public sealed class AlarmIdCollisionTests
{
    [Fact]
    public async Task AlarmId_ReusedForDifferentAlarm_BothStoredForwardedAndAckedUnderDeviceId()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var before = device.NewAlarm(boot: 1, seq: 1, AlarmKind.Panic);
        before.UptimeMs = 5000;
        await device.SendAlarmAndAwaitReceivedAsync(before);

        // After the erase the counter starts over: same id, a different alarm.
        var after = device.NewAlarm(boot: 1, seq: 1, AlarmKind.Tamper);
        after.UptimeMs = 7000;
        Assert.Equal(before.Id, after.Id);
        await device.SendAlarmAsync(after);
        await WaitForReceivedAcksAsync(device, before.Id, 2);

        var store = server.Get<AlarmStore>();
        var stored = store.List(open: null, tests: false, deviceId: "gate-1", schoolId: null, limit: 10);
        Assert.Equal(2, stored.Count);
        var first = stored.Single(a => a.Kind == AlarmKind.Panic);
        var second = stored.Single(a => a.Kind == AlarmKind.Tamper);
        Assert.Equal(before.Id, first.Id);
        Assert.Equal(AlarmIds.Derived(before.Id, 2), second.Id);
        Assert.Contains(second.Steps, s => s.Step == AlarmStep.IdReused && s.Detail!.Contains("boot counter reset", StringComparison.Ordinal));
        Assert.DoesNotContain(first.Steps, s => s.Step == AlarmStep.IdReused);
        Assert.Equal([first.Id, second.Id], ForwardQueue(server));

        // Every ack the device got names the id it sent; the derived key never leaves the server.
        Assert.Equal(0, device.CountSeen(m => IsAck(m, out var ack) && ack.Id != before.Id));

        // The derived key works on the API like any alarm id.
        var admin = await server.AdminClientAsync();
        var view = await admin.GetFromJsonAsync<AlarmView>($"/api/alarms/{Uri.EscapeDataString(second.Id)}");
        Assert.Equal(AlarmKind.Tamper, view!.Kind);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/alarms/{Uri.EscapeDataString(second.Id)}/delivery")).StatusCode);
    }

    [Fact]
    public async Task AlarmId_TrueResendsAfterCollision_AreDuplicatesOfTheirOwnAlarm()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var before = device.NewAlarm(boot: 1, seq: 1, AlarmKind.Panic);
        var after = device.NewAlarm(boot: 1, seq: 1, AlarmKind.Tamper);
        after.UptimeMs = before.UptimeMs + 1;
        var beforeBytes = WireEncoder.EncodeAlarm(before);
        var afterBytes = WireEncoder.EncodeAlarm(after);

        await device.PublishAsync(Topics.Alarm, beforeBytes);
        await WaitForReceivedAcksAsync(device, before.Id, 1);
        await device.PublishAsync(Topics.Alarm, afterBytes);
        await WaitForReceivedAcksAsync(device, before.Id, 2);

        // The device lost both acks and re-sends both alarms byte for byte: each is recognised, nothing new is stored.
        await device.PublishAsync(Topics.Alarm, afterBytes);
        await device.PublishAsync(Topics.Alarm, beforeBytes);
        await WaitForReceivedAcksAsync(device, before.Id, 4);

        var stored = server.Get<AlarmStore>().List(null, false, "gate-1", null, 10);
        Assert.Equal(2, stored.Count);
        Assert.All(stored, a => Assert.Equal(1, a.Count));
        Assert.Equal([before.Id, AlarmIds.Derived(before.Id, 2)], ForwardQueue(server));
    }

    [Fact]
    public async Task AlarmId_ReusedWithSameKindOtherUptime_AfterResolve_IsNewAlarmAndStageAcksUseDeviceId()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var admin = await server.AdminClientAsync();
        var before = device.NewAlarm(boot: 1, seq: 1);
        await device.SendAlarmAndAwaitReceivedAsync(before);
        (await admin.PostAsJsonAsync($"/api/alarms/{before.Id}/resolve", new { note = "drill by installer" })).EnsureSuccessStatusCode();

        var after = device.NewAlarm(boot: 1, seq: 1);
        after.UptimeMs = before.UptimeMs + 60_000;
        await device.SendAlarmAsync(after);
        await WaitForReceivedAcksAsync(device, before.Id, 2);

        var derived = AlarmIds.Derived(before.Id, 2);
        var store = server.Get<AlarmStore>();
        Assert.Equal(AlarmStatus.Open, store.Find(derived)!.Status);
        Assert.Equal(AlarmStatus.Resolved, store.Find(before.Id)!.Status);

        // Later stages of the new alarm reach the device under the id it sent.
        await AlarmTests.ReportDeliveryAsync(server, (p, c, tx) => p.Forwarded(c, tx, derived, "police-zz", "primary", server.Time.GetUtcNow()));
        var forwarded = await device.WaitForAckAsync(before.Id, AckStage.Forwarded);
        Assert.Equal("primary", forwarded.Path);
        Assert.Equal(AckStage.Forwarded, store.Find(derived)!.Stage);
        Assert.Null(store.Find(before.Id)!.ForwardedAt);
    }

    [Fact]
    public async Task AlarmId_OldRowWithoutUptime_ComparesByOtherFieldsAndStaysDuplicate()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var alarm = device.NewAlarm(boot: 3, seq: 9);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);

        // A row stored before uptimes were recorded.
        using (var connection = ServerFile.Open(server))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE alarms SET device_uptime_ms = NULL WHERE id = $id;";
            command.Parameters.AddWithValue("$id", alarm.Id);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        alarm.UptimeMs += 1234;
        await device.SendAlarmAsync(alarm);
        await WaitForReceivedAcksAsync(device, alarm.Id, 2);

        Assert.Single(server.Get<AlarmStore>().List(null, false, "gate-1", null, 10));
    }

    private static bool IsAck((string Topic, byte[] Payload) m, out AlarmAck ack)
    {
        ack = null!;
        return m.Topic.EndsWith("/" + Topics.Ack, StringComparison.Ordinal) && WireDecoder.TryDecodeAck(m.Payload, out ack!, out _);
    }

    private static Task WaitForReceivedAcksAsync(TestDevice device, string alarmId, int count) =>
        device.WaitForAsync(
            _ => device.CountSeen(m => IsAck(m, out var ack) && ack.Id == alarmId && ack.Stage == AckStage.Received) >= count,
            $"{count} received acks for {alarmId}");

    private static List<string> ForwardQueue(GateServerFactory server) =>
        ServerFile.Strings(server, "SELECT alarm_id FROM forward_queue ORDER BY seq;");
}
