namespace Gate.Forwarding.Tests;

[Trait("Category", "Integration")]
public class PoliceAccountFixTests
{
    [Fact]
    public async Task Forwarding_SchoolAccountFixed_WaitingAlarmGoesOutAtOnceNotAtTheNextBackoffSlot()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync();
        // An account stored before the edge checked it (or by hand in the database): the forwarder cannot send it.
        fx.AddSchool("school-a", "zz");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));

        fx.Enqueue(ForwardingFixture.Alarm("gate-1.1.1"));
        await fx.Observer.Trouble("gate-1.1.1");
        var waiting = await fx.WaitForDelivery("gate-1.1.1", d => d.Attempts >= 1 && d.NextAttemptAt is not null, "a retry scheduled");
        Assert.Contains("police account", waiting.LastError, StringComparison.Ordinal);

        // The fake clock stands still: only the fix can send it now.
        fx.AddSchool("school-a", "1001");
        Assert.Equal(1, await fx.Store.RetrySchoolNowAsync("school-a", CancellationToken.None));

        var ack = await fx.Observer.Acknowledged("gate-1.1.1");
        Assert.Equal("primary", ack.Path);
        Assert.Equal("1001", Assert.Single(receiver.Acknowledged).Frame!.Account);
    }
}
