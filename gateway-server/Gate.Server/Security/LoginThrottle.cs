using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gate.Server.Security;

/// <summary>What a failed login did to its user name: still counting, or just locked for a while.</summary>
public readonly record struct LoginFailure(int Failures, TimeSpan? LockedFor);

/// <summary>
/// Lockout per user name: after <see cref="SecurityOptions.LockoutThreshold"/> consecutive failures the name is locked,
/// first for <see cref="SecurityOptions.LockoutFirstSeconds"/>, and every further failure after a lock ends doubles the
/// lock up to <see cref="SecurityOptions.LockoutMaxSeconds"/>. While locked not even the right password signs in, so
/// guessing runs at a few tries an hour. Names that do not exist are locked the same way, so a lock tells an attacker
/// nothing about which names exist. In memory: a restart forgets the counts, which costs an attacker a restart each
/// time (and the per-address rate limiter still applies).
/// </summary>
public sealed class LoginThrottle(TimeProvider time, IOptions<SecurityOptions> options)
{
    /// <summary>
    /// Bound on remembered names, so a stream of made-up names cannot grow memory; when full, names that are not locked
    /// are forgotten first.
    /// </summary>
    internal const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _names = new(StringComparer.Ordinal);

    /// <summary>How much longer the name is locked; null when it may try.</summary>
    public TimeSpan? LockedFor(string user)
    {
        if (!_names.TryGetValue(Key(user), out var entry))
        {
            return null;
        }

        lock (entry)
        {
            var left = entry.LockedUntil - time.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    public LoginFailure Failed(string user)
    {
        if (_names.Count >= MaxTracked)
        {
            Prune();
        }

        var entry = _names.GetOrAdd(Key(user), _ => new Entry());
        var o = options.Value;
        lock (entry)
        {
            var now = time.GetUtcNow();
            entry.Failures++;
            entry.LastFailure = now;
            if (entry.Failures < o.LockoutThreshold)
            {
                return new LoginFailure(entry.Failures, null);
            }

            var doublings = Math.Min(entry.Failures - o.LockoutThreshold, 20);
            var seconds = Math.Min((double)o.LockoutFirstSeconds * Math.Pow(2, doublings), o.LockoutMaxSeconds);
            var lockFor = TimeSpan.FromSeconds(seconds);
            entry.LockedUntil = now + lockFor;
            return new LoginFailure(entry.Failures, lockFor);
        }
    }

    public void Succeeded(string user) => _names.TryRemove(Key(user), out _);

    internal int Tracked => _names.Count;

    // User names are matched case-insensitively here so "Admin" and "admin" share one budget.
    private static string Key(string user) => user.ToLowerInvariant();

    private void Prune()
    {
        var now = time.GetUtcNow();
        var forgetAfter = TimeSpan.FromSeconds(options.Value.LockoutMaxSeconds);
        foreach (var (name, entry) in _names)
        {
            bool idle;
            lock (entry)
            {
                idle = entry.LockedUntil <= now && now - entry.LastFailure > forgetAfter;
            }

            if (idle)
            {
                _names.TryRemove(name, out _);
            }
        }

        // Still full of recent names: forget the ones not locked now (they lose their count, not their lock).
        if (_names.Count >= MaxTracked)
        {
            foreach (var (name, entry) in _names)
            {
                bool locked;
                lock (entry)
                {
                    locked = entry.LockedUntil > now;
                }

                if (!locked)
                {
                    _names.TryRemove(name, out _);
                }
            }
        }
    }

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset LockedUntil;
    }
}
