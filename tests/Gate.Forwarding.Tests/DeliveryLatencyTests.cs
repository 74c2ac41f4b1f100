using Gate.Server.Forwarding;
using Microsoft.Extensions.DependencyInjection;

namespace Gate.Forwarding.Tests;

/// <summary>The per-stage latency histograms /health shows (issue 15): where an alarm's time went.</summary>
public class DeliveryLatencyTests
{
    [Fact]
    public void Snapshot_RecordedDurations_BucketBoundPercentilesMaxAndCounts()
    {
        var latency = new DeliveryLatency();
        for (var i = 0; i < 98; i++)
        {
            latency.Record(DeliveryStage.PoliceRoundTrip, TimeSpan.FromMilliseconds(4));
        }

        latency.Record(DeliveryStage.PoliceRoundTrip, TimeSpan.FromMilliseconds(150));
        latency.Record(DeliveryStage.PoliceRoundTrip, TimeSpan.FromMilliseconds(700));
        latency.Record(DeliveryStage.PressToStored, TimeSpan.FromMilliseconds(-30)); // device clock ahead: instant

        var stages = latency.Snapshot().ToDictionary(s => s.Stage);
        var trip = stages["police_round_trip"];
        Assert.Equal(100, trip.Count);
        Assert.Equal(5, trip.P50Ms);
        Assert.Equal(5, trip.P90Ms);
        Assert.Equal(200, trip.P99Ms);
        Assert.Equal(700, trip.MaxMs);
        Assert.Equal(98, trip.BucketsMs["5"]);
        Assert.Equal(1, trip.BucketsMs["1000"]);

        Assert.Equal(1, stages["press_to_stored"].BucketsMs["1"]);
        Assert.Equal(0, stages["ack_to_device"].Count);
        Assert.Null(stages["ack_to_device"].P99Ms);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Forwarding_AcknowledgedAlarm_IsTimedInEachStageAfterStorage()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = fx.Simulator();
        await receiver.StartAsync();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver));

        fx.Enqueue(ForwardingFixture.Alarm("gate-1.1.1"));
        await fx.Observer.Acknowledged("gate-1.1.1");
        await fx.WaitForDelivery("gate-1.1.1", d => d.State == ForwardState.Delivered, "delivered");

        var stages = fx.Services.GetRequiredService<DeliveryLatency>().Snapshot().ToDictionary(s => s.Stage, s => s.Count);
        Assert.Equal(1, stages["police_round_trip"]);
        Assert.Equal(1, stages["ack_to_device"]);
        Assert.Equal(1, stages["press_to_police_ack"]);
    }
}
