using System.Collections.Concurrent;

namespace Gate.Server.Forwarding;

/// <summary>
/// Wakes the forwarding service the moment an alarm is enqueued, so delivery starts without waiting for a timer.
/// One signal per database file (tests run several servers in one process). Enqueue runs inside the caller's
/// transaction, before the commit, so the signal also remembers which alarm ids are on their way: the service keeps
/// looking for a few milliseconds until the commit makes them visible.
/// </summary>
internal sealed class ForwardingSignal
{
    private static readonly ConcurrentDictionary<string, ForwardingSignal> Signals = new(StringComparer.Ordinal);

    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, long> _expected = new(StringComparer.Ordinal);
    private TaskCompletionSource? _waiter;
    private bool _set;

    public static ForwardingSignal For(string databasePath) =>
        Signals.GetOrAdd(Normalize(databasePath), _ => new ForwardingSignal());

    /// <summary>Alarm ids enqueued but perhaps not yet committed, with the tick (ms) they were enqueued at.</summary>
    public IReadOnlyDictionary<string, long> Expected => _expected;

    public void Notify(string? alarmId = null)
    {
        if (alarmId is not null)
        {
            _expected[alarmId] = Environment.TickCount64;
        }

        TaskCompletionSource? release;
        lock (_lock)
        {
            release = _waiter;
            _waiter = null;
            if (release is null)
            {
                _set = true;
            }
        }

        release?.TrySetResult();
    }

    /// <summary>Completes at the next <see cref="Notify"/> (or at once if one came since the last wait).</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_set)
            {
                _set = false;
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }

    public void Seen(string alarmId) => _expected.TryRemove(alarmId, out _);

    /// <summary>Forgets ids whose transaction evidently rolled back.</summary>
    public void ExpireOlderThan(TimeSpan age)
    {
        var cutoff = Environment.TickCount64 - (long)age.TotalMilliseconds;
        foreach (var (id, at) in _expected)
        {
            if (at < cutoff)
            {
                _expected.TryRemove(id, out _);
            }
        }
    }

    private static string Normalize(string path) =>
        string.IsNullOrEmpty(path) || path == ":memory:" ? path : Path.GetFullPath(path);
}
