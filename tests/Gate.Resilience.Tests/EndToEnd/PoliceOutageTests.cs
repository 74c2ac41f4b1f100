namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>The police alarm-receiving platform is unreachable for a long stretch, then comes back.</summary>
[Trait("Category", "Integration")]
public sealed class PoliceOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PoliceReceiverDown_ThenBack_BacklogArrivesInOrderPerSchoolAndSupervisionReportedTheOutage()
    {
        await using var rig = await GateRig.StartWithControllersAsync(devices: 4);
        await rig.Police.StopAsync();

        // While the police are away, every gate raises alarms one after another; each must be stored (received) even
        // though it cannot be forwarded.
        foreach (var c in rig.Controllers)
        {
            await c.TriggerPanicAsync(TimeSpan.FromSeconds(30));
            c.OpenEnclosure();
        }

        await rig.WaitUntilAsync(() => rig.Raised.Count >= 8, TimeSpan.FromSeconds(30), "eight alarms raised");
        foreach (var c in rig.Controllers)
        {
            c.CloseEnclosure();
        }

        await rig.WaitUntilAsync(() => rig.Raised.Count >= 12, TimeSpan.FromSeconds(30), "twelve alarms raised (with restores)");
        var raised = rig.Raised.ToList();
        await rig.WaitUntilAsync(() => raised.All(id => rig.AckedWith(AckStage.Received).Contains(id)), TimeSpan.FromSeconds(60), "every alarm stored while the police are down");

        // The outage is seen: supervision and deliveries mark the path failing, with a reason, on the status API.
        System.Text.Json.JsonElement primary = default;
        await rig.WaitUntilAsync(
            () =>
            {
                primary = rig.GetJsonAsync("api/forwarding/status").GetAwaiter().GetResult().GetProperty("paths").EnumerateArray().First();
                return primary.GetProperty("consecutiveFailures").GetInt32() >= 3 && primary.GetProperty("lastSupervisionAt").ValueKind != System.Text.Json.JsonValueKind.Null;
            },
            TimeSpan.FromSeconds(90),
            "supervision reporting the police path as failing");
        output.WriteLine("during the outage: " + primary);
        Assert.NotEqual("ok", primary.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(primary.GetProperty("lastError").GetString()), "the outage has a reason");
        Assert.Empty(rig.PoliceAcknowledgedIds());
        // The guard is told: the first alarm of every gate (the one being retried) reaches the device as "failed",
        // and none was ever reported "forwarded" while no receiver answered.
        var heads = raised.GroupBy(id => id.Split('.')[0]).Select(g => g.First()).ToList();
        await rig.WaitUntilAsync(() => heads.All(rig.AckedWith(AckStage.Failed).Contains), TimeSpan.FromSeconds(90), "'failed' on every gate's first alarm");
        Assert.Empty(rig.AckedWith(AckStage.Forwarded));
        Assert.Contains("DELIVERY TROUBLE", rig.Server.Tail(2000), StringComparison.Ordinal);

        await rig.Police.StartAsync();
        await rig.WaitUntilAsync(() => raised.All(rig.PoliceAcknowledgedIds().Contains), TimeSpan.FromSeconds(90), "the whole backlog acknowledged by the police");

        // In order: for each school, the police saw its alarms in the order the gate raised them.
        var arrival = rig.PoliceAcknowledgedIds().Distinct().ToList();
        foreach (var school in raised.GroupBy(id => id.Split('.')[0]))
        {
            var sent = school.ToList();
            var got = arrival.Where(sent.Contains).ToList();
            Assert.Equal(sent, got);
        }

        var after = await rig.GetJsonAsync("api/forwarding/status");
        output.WriteLine("after: " + after.GetProperty("paths").EnumerateArray().First());
    }
}
