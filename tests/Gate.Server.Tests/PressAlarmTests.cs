namespace Gate.Server.Tests;

/// <summary>A press is a person asking for help: a second one while the first is open is its own alarm, never folded.</summary>
public sealed class PressAlarmTests
{
    [Theory]
    [InlineData(AlarmKind.Panic)]
    [InlineData(AlarmKind.Duress)]
    [InlineData(AlarmKind.SilentPanic)]
    [InlineData(AlarmKind.Drill)]
    public async Task Alarm_SecondPressWhileFirstOpen_IsStoredAndForwardedAsItsOwnAlarm(string kind)
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var store = server.Get<AlarmStore>();

        var first = device.NewAlarm(7, 1, kind);
        await device.SendAlarmAndAwaitReceivedAsync(first);
        var second = device.NewAlarm(7, 2, kind);
        await device.SendAlarmAndAwaitReceivedAsync(second);

        Assert.Equal(second.Id, store.Find(second.Id)!.Id);
        Assert.Equal(1, store.Find(first.Id)!.Count);
        Assert.DoesNotContain(store.Find(first.Id)!.Steps, s => s.Step == AlarmStep.Repeat);
        Assert.Equal(2, store.List(null, kind == AlarmKind.Drill, "gate-1", null, 10).Count);
        // Both wait for the police on their own.
        Assert.Equal(new[] { first.Id, second.Id }, QueuedForPolice(server));
    }

    [Fact]
    public async Task Alarm_SecondPressResentWithSameId_StaysOneAlarm()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var store = server.Get<AlarmStore>();
        var first = device.NewAlarm(7, 1, AlarmKind.Panic);
        var second = device.NewAlarm(7, 2, AlarmKind.Panic);
        await device.SendAlarmAndAwaitReceivedAsync(first);
        await device.SendAlarmAndAwaitReceivedAsync(second);

        await device.SendAlarmAsync(second);
        await device.WaitForAsync(m => device.CountSeen(x => x.Topic.EndsWith("/ack", StringComparison.Ordinal) && System.Text.Encoding.UTF8.GetString(x.Payload).Contains(second.Id, StringComparison.Ordinal)) >= 2, "a second received ack for the resend");

        Assert.Equal(2, store.List(null, false, "gate-1", null, 10).Count);
        Assert.Equal(new[] { first.Id, second.Id }, QueuedForPolice(server));
    }

    private static List<string> QueuedForPolice(GateServerFactory server) =>
        ServerFile.Strings(server, "SELECT alarm_id FROM forward_queue ORDER BY alarm_id;");
}
