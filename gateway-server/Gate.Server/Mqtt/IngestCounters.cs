using System.Collections.Concurrent;

namespace Gate.Server.Mqtt;

/// <summary>
/// Counts of what came in and what was refused, by reason (e.g. "alarm:malformed_json", "acl_publish", "connect:bad_credential").
/// Refusals are logged too, but at most a few per second per reason, so a misbehaving device cannot flood the log.
/// </summary>
public sealed class IngestCounters(ILogger<IngestCounters> logger, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _rejected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _lastLogSecond = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _flagged = new(StringComparer.Ordinal);

    public void Accepted(string channel) => _accepted.AddOrUpdate(channel, 1, (_, n) => n + 1);

    public void Flagged(string reason, string? deviceId, string detail)
    {
        _flagged.AddOrUpdate(reason, 1, (_, n) => n + 1);
        if (ShouldLog("flag:" + reason))
        {
            logger.LogWarning("Flagged {Reason} from {Device}: {Detail}", reason, deviceId ?? "?", detail);
        }
    }

    public void Rejected(string reason, string? deviceId, string? topic, string? detail = null)
    {
        _rejected.AddOrUpdate(reason, 1, (_, n) => n + 1);
        if (ShouldLog(reason))
        {
            logger.LogWarning("Refused {Reason} from {Device} on {Topic}: {Detail}", reason, deviceId ?? "?", topic ?? "-", detail ?? "");
        }
    }

    public long RejectedCount(string reason) => _rejected.TryGetValue(reason, out var n) ? n : 0;

    public long TotalRejected => _rejected.Values.Sum();

    public IngestStats Snapshot() => new(
        new SortedDictionary<string, long>(_accepted),
        new SortedDictionary<string, long>(_rejected),
        new SortedDictionary<string, long>(_flagged));

    private bool ShouldLog(string key)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var previous = _lastLogSecond.GetValueOrDefault(key, -1);
        return previous != second && _lastLogSecond.TryUpdate(key, second, previous) || _lastLogSecond.TryAdd(key, second);
    }
}

public sealed record IngestStats(IDictionary<string, long> Accepted, IDictionary<string, long> Rejected, IDictionary<string, long> Flagged);
