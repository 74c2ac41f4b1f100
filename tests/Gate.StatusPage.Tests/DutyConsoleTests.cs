using Gate.Server.Alarms;
using Gate.Server.Forwarding;
using Gate.Server.StatusPage;

namespace Gate.StatusPage.Tests;

/// <summary>The duty console's card of an alarm the police have not taken: its tries and last failure from the delivery trail.</summary>
[Trait("Category", "Integration")]
public sealed class DutyConsoleTests
{
    [Fact]
    public async Task DutyConsole_TwoFailedTries_ShowsBothTriesTheLastFailureAndTheSchool()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("s1", "s1-gate1");
        var alarm = device.NewAlarm(1, 1);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);

        // Two tries, as the forwarder records them: one receiver unreachable, then one that answered NAK; the second
        // with the alarm's trouble step in its transaction.
        var trail = server.Get<ForwardingStore>();
        var alarms = server.Get<AlarmStore>();
        var at = server.Time.GetUtcNow();
        await trail.RecordAttemptAsync(alarm.Id, at, "primary", "tcp", "failed", "CONNECTIONFAILED: connect refused", TimeSpan.FromMilliseconds(3),
            null, null, CancellationToken.None);
        await trail.RecordAttemptAsync(alarm.Id, at.AddSeconds(5), "primary", "tcp", "failed", "\"NAK\"0000R0L0A0[]_08:00:05,11-23-2026", TimeSpan.FromMilliseconds(4),
            null, (c, tx) => alarms.RecordDeliveryTrouble(c, tx, alarm.Id, "nak", at.AddSeconds(5)), CancellationToken.None);

        var card = Assert.Single(server.Get<DutyAlarmQuery>().Open(), a => a.Id == alarm.Id);
        Assert.Equal("School s1", card.SchoolName);
        Assert.Equal("District", card.District);
        Assert.Equal(2, card.Delivery.Attempts);
        Assert.True(card.Delivery.Trouble);
        Assert.Equal("nak", card.Delivery.TroubleReason);
        Assert.StartsWith("\"NAK\"", card.Delivery.LastError, StringComparison.Ordinal);
        Assert.Null(card.Delivery.PoliceAckAt);
    }
}
