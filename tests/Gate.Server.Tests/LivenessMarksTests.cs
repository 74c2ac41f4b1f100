using Gate.Contracts;
using Gate.Server.Liveness;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>The heartbeat marks behind the bar strip, kept per device in a fixed ring (issue 15: memory per device).</summary>
public sealed class LivenessMarksTests
{
    [Fact]
    public void Marks_MoreHeartbeatsThanKept_LastOnesOldestFirstWithTheirTimesSequencesAndGaps()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { ["Liveness:MarksKept"] = "3" });
        server.AddDevice("school-a", "gate-1");
        var tracker = server.Get<LivenessTracker>();
        var heard = new List<DateTimeOffset>();
        foreach (var sequence in new long[] { 1, 2, 3, 5, 6 })
        {
            tracker.OnHeartbeat("gate-1", "school-a", Beat(sequence), null);
            heard.Add(server.Time.GetUtcNow());
            server.Time.Advance(TimeSpan.FromSeconds(30));
        }

        var marks = tracker.Find("gate-1")!.Marks;
        Assert.Equal([3L, 5L, 6L], marks.Select(m => m.Sequence));
        Assert.Equal([false, true, false], marks.Select(m => m.Gap));
        Assert.Equal(heard.Skip(2), marks.Select(m => m.At));
    }

    [Fact]
    public void Marks_FewerHeartbeatsThanKept_AllOfThemInOrder()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        var tracker = server.Get<LivenessTracker>();
        Assert.Empty(tracker.Find("gate-1")!.Marks);

        tracker.OnHeartbeat("gate-1", "school-a", Beat(7), null);
        server.Time.Advance(TimeSpan.FromSeconds(30));
        tracker.OnHeartbeat("gate-1", "school-a", Beat(8), null);

        Assert.Equal([7L, 8L], tracker.Find("gate-1")!.Marks.Select(m => m.Sequence));
    }

    private static Heartbeat Beat(long sequence) => new()
    {
        Device = "gate-1",
        Sequence = sequence,
        Firmware = "1.0.0",
        BootCount = 1,
        IntervalSeconds = 30,
        Inputs = new InputStates(),
    };
}
