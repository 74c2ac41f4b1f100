using System.Collections.Concurrent;

namespace Gate.LoadTest.Swarm;

/// <summary>Counters and latency histograms of one swarm child, reset when the measured window starts.</summary>
public sealed class SwarmStats
{
    private long _connectFailures;
    private long _disconnects;
    private long _reconnects;
    private long _heartbeatsAttempted;
    private long _heartbeatsSent;
    private long _heartbeatErrors;
    private long _alarmsRaised;
    private long _alarmsReceived;
    private long _alarmsForwarded;
    private long _alarmsPoliceAcked;
    private long _resends;
    private long _publishErrors;
    private long _badAcks;
    private readonly ConcurrentDictionary<string, int> _connectErrors = new();

    public LatencyHistogram PressToReceived { get; private set; } = new();

    public LatencyHistogram PressToPoliceAck { get; private set; } = new();

    public void Reset()
    {
        Interlocked.Exchange(ref _heartbeatsAttempted, 0);
        Interlocked.Exchange(ref _heartbeatsSent, 0);
        Interlocked.Exchange(ref _heartbeatErrors, 0);
        Interlocked.Exchange(ref _alarmsRaised, 0);
        Interlocked.Exchange(ref _alarmsReceived, 0);
        Interlocked.Exchange(ref _alarmsForwarded, 0);
        Interlocked.Exchange(ref _alarmsPoliceAcked, 0);
        Interlocked.Exchange(ref _resends, 0);
        Interlocked.Exchange(ref _publishErrors, 0);
        Interlocked.Exchange(ref _disconnects, 0);
        Interlocked.Exchange(ref _reconnects, 0);
        PressToReceived = new LatencyHistogram();
        PressToPoliceAck = new LatencyHistogram();
    }

    public void CountConnectFailure(Exception e)
    {
        Interlocked.Increment(ref _connectFailures);
        _connectErrors.AddOrUpdate(e.GetType().Name + ": " + Truncate(e.Message), 1, (_, n) => n + 1);
    }

    public void Disconnected() => Interlocked.Increment(ref _disconnects);

    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    public void HeartbeatAttempted() => Interlocked.Increment(ref _heartbeatsAttempted);

    public void HeartbeatDone(bool ok)
    {
        if (ok)
        {
            Interlocked.Increment(ref _heartbeatsSent);
        }
        else
        {
            Interlocked.Increment(ref _heartbeatErrors);
        }
    }

    public void AlarmRaised(string id) => Interlocked.Increment(ref _alarmsRaised);

    public void AlarmReceived(long pressTimestamp)
    {
        PressToReceived.RecordSince(pressTimestamp);
        Interlocked.Increment(ref _alarmsReceived);
    }

    /// <summary>For the firmware swarm, whose hook hands over the latency itself (raise to first arrival of a stage).</summary>
    public void AlarmReceivedAfter(TimeSpan latency)
    {
        PressToReceived.RecordMicros((long)(latency.Ticks / 10.0));
        Interlocked.Increment(ref _alarmsReceived);
    }

    public void AlarmPoliceAckedAfter(TimeSpan latency)
    {
        PressToPoliceAck.RecordMicros((long)(latency.Ticks / 10.0));
        Interlocked.Increment(ref _alarmsPoliceAcked);
    }

    public void AlarmForwarded() => Interlocked.Increment(ref _alarmsForwarded);

    public void AlarmPoliceAcked(long pressTimestamp)
    {
        PressToPoliceAck.RecordSince(pressTimestamp);
        Interlocked.Increment(ref _alarmsPoliceAcked);
    }

    public void AlarmResent() => Interlocked.Increment(ref _resends);

    public void PublishError() => Interlocked.Increment(ref _publishErrors);

    public void BadAck() => Interlocked.Increment(ref _badAcks);

    public ChildReport Report(int connected, int devices, int outboxTotal) => new(
        devices,
        connected,
        Interlocked.Read(ref _connectFailures),
        Interlocked.Read(ref _disconnects),
        Interlocked.Read(ref _reconnects),
        Interlocked.Read(ref _heartbeatsAttempted),
        Interlocked.Read(ref _heartbeatsSent),
        Interlocked.Read(ref _heartbeatErrors),
        Interlocked.Read(ref _alarmsRaised),
        Interlocked.Read(ref _alarmsReceived),
        Interlocked.Read(ref _alarmsForwarded),
        Interlocked.Read(ref _alarmsPoliceAcked),
        Interlocked.Read(ref _resends),
        Interlocked.Read(ref _publishErrors),
        Interlocked.Read(ref _badAcks),
        outboxTotal,
        PressToReceived.ToBase64(),
        PressToPoliceAck.ToBase64(),
        _connectErrors.OrderByDescending(e => e.Value).Take(3).Select(e => $"{e.Value}x {e.Key}").ToArray());

    private static string Truncate(string s) => s.Length > 80 ? s[..80] : s;
}

/// <summary>What a child reports to the parent (one JSON line).</summary>
public sealed record ChildReport(
    int Devices,
    int Connected,
    long ConnectFailures,
    long Disconnects,
    long Reconnects,
    long HeartbeatsAttempted,
    long HeartbeatsSent,
    long HeartbeatErrors,
    long AlarmsRaised,
    long AlarmsReceived,
    long AlarmsForwarded,
    long AlarmsPoliceAcked,
    long Resends,
    long PublishErrors,
    long BadAcks,
    int OutboxTotal,
    string PressToReceived,
    string PressToPoliceAck,
    string[] ConnectErrors);
