namespace Gate.Server.Forwarding;

/// <summary>Health of one path to the police as last seen by deliveries and supervision.</summary>
public sealed record PathHealthView(
    string Path,
    string Receiver,
    string State,
    DateTimeOffset? LastOkAt,
    DateTimeOffset? LastFailureAt,
    string? LastError,
    int ConsecutiveFailures,
    double? LastLatencyMs,
    DateTimeOffset? LastSupervisionAt);

public sealed record ForwardingStatusView(
    bool Configured,
    string? Warning,
    IReadOnlyList<PathHealthView> Paths,
    QueueSummary Queue,
    TimeSpan? SupervisionInterval);

/// <summary>
/// Live health of each path, kept in memory by the forwarding service: used to order paths (a path that just failed
/// goes last until it answers again or <see cref="ForwardingRetryOptions.PathRetryAfter"/> passes) and shown by the API.
/// </summary>
public sealed class ForwardingStatus
{
    private readonly object _lock = new();
    private readonly Dictionary<string, PathHealth> _paths = new(StringComparer.Ordinal);

    public string? Warning { get; set; }

    public void Register(IAlarmForwarder forwarder)
    {
        lock (_lock)
        {
            _paths[forwarder.Path] = new PathHealth(forwarder.Path, forwarder.Receiver);
        }
    }

    public void Report(string path, ForwardAttempt attempt, DateTimeOffset at, bool supervision = false)
    {
        lock (_lock)
        {
            if (!_paths.TryGetValue(path, out var health))
            {
                return;
            }

            if (supervision)
            {
                health.LastSupervisionAt = at;
            }

            switch (attempt.Outcome)
            {
                // A DUH still proves the receiver is there and talking.
                case ForwardOutcome.Acknowledged or ForwardOutcome.Rejected:
                    health.LastOkAt = at;
                    health.ConsecutiveFailures = 0;
                    health.LastLatencyMs = attempt.Latency.TotalMilliseconds;
                    break;
                case ForwardOutcome.Failed:
                    health.LastFailureAt = at;
                    health.LastError = attempt.Detail;
                    health.ConsecutiveFailures++;
                    break;
            }
        }
    }

    /// <summary>True when the path failed recently and has not answered since.</summary>
    public bool IsSuspect(string path, DateTimeOffset now, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            return _paths.TryGetValue(path, out var health)
                && health.ConsecutiveFailures > 0
                && health.LastFailureAt is { } failed
                && now - failed < retryAfter;
        }
    }

    public IReadOnlyList<PathHealthView> Snapshot()
    {
        lock (_lock)
        {
            return _paths.Values.Select(h => new PathHealthView(
                h.Path,
                h.Receiver,
                h.ConsecutiveFailures > 0 ? "down" : h.LastOkAt is null ? "unknown" : "up",
                h.LastOkAt,
                h.LastFailureAt,
                h.LastError,
                h.ConsecutiveFailures,
                h.LastLatencyMs,
                h.LastSupervisionAt)).ToArray();
        }
    }

    private sealed class PathHealth(string path, string receiver)
    {
        public string Path { get; } = path;

        public string Receiver { get; } = receiver;

        public DateTimeOffset? LastOkAt { get; set; }

        public DateTimeOffset? LastFailureAt { get; set; }

        public string? LastError { get; set; }

        public int ConsecutiveFailures { get; set; }

        public double? LastLatencyMs { get; set; }

        public DateTimeOffset? LastSupervisionAt { get; set; }
    }
}
