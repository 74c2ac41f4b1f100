namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>The server dies with SIGKILL (power cut, OOM killer) in the middle of a city-wide burst of alarms.</summary>
[Trait("Category", "Integration")]
public sealed class ServerCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServerKilledMidBurst_EveryAlarmAckedBeforeTheKill_IsForwardedAfterRestartAndNoneIsLost()
    {
        await using var rig = await GateRig.StartWithControllersAsync(devices: 30);

        // Each controller raises three alarms at once: panic, enclosure opened, enclosure closed (restore).
        foreach (var c in rig.Controllers)
        {
            c.PressPanic();
            c.OpenEnclosure();
        }

        await rig.WaitUntilAsync(() => rig.Raised.Count >= 30, TimeSpan.FromSeconds(30), "the first alarms raised");
        foreach (var c in rig.Controllers)
        {
            c.ReleasePanic();
            c.CloseEnclosure();
        }

        // Kill once part of the burst is stored and acknowledged, and part is not.
        await rig.WaitUntilAsync(() => rig.AckedWith(AckStage.Received).Count >= 10, TimeSpan.FromSeconds(60), "ten alarms acknowledged as received");
        var receivedBeforeKill = rig.AckedWith(AckStage.Received);
        await rig.KillAndRestartServerAsync();
        output.WriteLine($"killed with {receivedBeforeKill.Count} alarm(s) acknowledged as received, {rig.Raised.Count} raised");

        var raised = rig.Raised.ToHashSet(StringComparer.Ordinal);
        Assert.True(raised.Count >= 60, $"expected the burst to raise at least 60 alarms, got {raised.Count}");
        await rig.WaitUntilAsync(
            () => raised.IsSubsetOf(rig.PoliceAcknowledgedIds()),
            TimeSpan.FromSeconds(120),
            "every raised alarm acknowledged by the police receiver");

        var atPolice = rig.PoliceAcknowledgedIds();
        output.WriteLine($"police acknowledged {atPolice.Distinct().Count()} distinct alarm(s) in {atPolice.Count} frame(s) (duplicates are allowed: at-least-once)");
        Assert.Empty(receivedBeforeKill.Except(atPolice));
        Assert.Empty(raised.Except(atPolice));
        await rig.WaitUntilAsync(() => rig.Controllers.All(c => c.OutboxDepth == 0), TimeSpan.FromSeconds(60), "every outbox emptied by its received ack");
    }
}
