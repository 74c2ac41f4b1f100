using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Gate.Server.Mqtt;

/// <summary>
/// Who may open a socket to the embedded broker: every socket, before and after CONNECT, counts against the connection
/// cap; a source address may hold only a few sockets that have not finished CONNECT; and a source that keeps failing
/// (bad credentials, no CONNECT in time, oversized packets) is turned away for a while, longer each time.
/// Refusals are counted in <see cref="IngestCounters"/> under "connect:{reason}" (logged at a bounded rate there).
/// </summary>
public sealed class ConnectAdmission(IOptions<MqttOptions> options, IngestCounters counters, TimeProvider time)
{
    private readonly EmbeddedBrokerOptions _o = options.Value.Embedded;
    private readonly ConcurrentDictionary<IPAddress, Source> _sources = new();
    private readonly IPNetwork[] _exempt = options.Value.Embedded.ExemptSources
        .Select(n => TryParseNetwork(n, out var network) ? network : throw new ArgumentException($"not a network: {n}")).ToArray();
    private readonly Source _exemptSource = new();
    private int _open;
    private int _pending;
    private long _failed;
    private long _blocks;
    private int _sinceLastPrune;

    /// <summary>Sockets held beyond this are closed at once (set by the broker from the connection cap at start).</summary>
    public int SocketCap { get; set; } = int.MaxValue;

    /// <summary>Sockets open now, pending or connected.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Sockets open now that have not yet been answered with a CONNACK.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>A ticket when the socket may proceed (it is then counted until <see cref="Closed"/>), else null and the refusal's reason word.</summary>
    public ConnectTicket? TryAdmit(IPAddress address, out string? refusal)
    {
        if (IsExempt(address))
        {
            if (Interlocked.Increment(ref _open) > SocketCap)
            {
                Interlocked.Decrement(ref _open);
                refusal = "server_full";
                return null;
            }

            lock (_exemptSource)
            {
                _exemptSource.Pending++;
            }

            Interlocked.Increment(ref _pending);
            refusal = null;
            return new ConnectTicket(address, _exemptSource);
        }

        while (true)
        {
            var source = _sources.GetOrAdd(address, _ => new Source());
            lock (source)
            {
                if (source.Forgotten)
                {
                    continue; // pruned between the lookup and the lock: take the fresh entry
                }

                if (time.GetUtcNow() < source.BlockedUntil)
                {
                    refusal = "source_backoff";
                    return null;
                }

                if (source.Pending >= _o.MaxPendingPerSource)
                {
                    refusal = "source_pending";
                    return null;
                }

                if (Interlocked.Increment(ref _open) > SocketCap)
                {
                    Interlocked.Decrement(ref _open);
                    refusal = "server_full";
                    return null;
                }

                source.Pending++;
                Interlocked.Increment(ref _pending);
                refusal = null;
                return new ConnectTicket(address, source);
            }
        }
    }

    /// <summary>The broker answered the CONNECT: the socket no longer counts as pending; a success clears the source's record.</summary>
    public void Answered(ConnectTicket ticket, bool accepted)
    {
        var source = ticket.Source;
        lock (source)
        {
            if (ticket.IsPending)
            {
                ticket.IsPending = false;
                source.Pending--;
                Interlocked.Decrement(ref _pending);
            }

            if (accepted)
            {
                source.Failures = 0;
                source.Level = 0;
            }
        }
    }

    public void Closed(ConnectTicket ticket)
    {
        Answered(ticket, accepted: false);
        Interlocked.Decrement(ref _open);
        if (Interlocked.Increment(ref _sinceLastPrune) >= 4096)
        {
            Prune();
        }
    }

    /// <summary>
    /// One failed attempt from this address. The budget is <see cref="EmbeddedBrokerOptions.FailedConnectBudget"/> per
    /// <see cref="EmbeddedBrokerOptions.FailedConnectWindowSeconds"/>; spent, the address is refused for the backoff, which doubles
    /// with each block up to <see cref="EmbeddedBrokerOptions.MaxFailedConnectBackoffSeconds"/>.
    /// </summary>
    public void Failed(IPAddress address)
    {
        Interlocked.Increment(ref _failed);
        if (IsExempt(address))
        {
            return;
        }

        var now = time.GetUtcNow();
        TimeSpan? blockedFor = null;
        var source = _sources.GetOrAdd(address, _ => new Source());
        lock (source)
        {
            if (now - source.WindowStart > TimeSpan.FromSeconds(_o.FailedConnectWindowSeconds))
            {
                source.WindowStart = now;
                source.Failures = 0;
                // A quiet window after the last block forgives the earlier ones.
                if (now - source.BlockedUntil > TimeSpan.FromSeconds(_o.MaxFailedConnectBackoffSeconds))
                {
                    source.Level = 0;
                }
            }

            if (++source.Failures >= _o.FailedConnectBudget && now >= source.BlockedUntil)
            {
                var seconds = Math.Min((double)_o.FailedConnectBackoffSeconds * Math.Pow(2, source.Level), _o.MaxFailedConnectBackoffSeconds);
                blockedFor = TimeSpan.FromSeconds(seconds);
                source.BlockedUntil = now + blockedFor.Value;
                source.Level = Math.Min(source.Level + 1, 30);
                source.Failures = 0;
                source.WindowStart = now;
            }
        }

        if (blockedFor is { } backoff)
        {
            Interlocked.Increment(ref _blocks);
            counters.Rejected("connect:source_blocked", null, null, $"{address} for {backoff.TotalSeconds:0} s after {_o.FailedConnectBudget} failed connects");
        }
    }

    /// <summary>"10.20.0.0/16" or a single address ("192.0.2.7", "2001:db8::1").</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var single))
        {
            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }

    private bool IsExempt(IPAddress address)
    {
        foreach (var network in _exempt)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsBlocked(IPAddress address) =>
        _sources.TryGetValue(address, out var source) && time.GetUtcNow() < source.BlockedUntil;

    public AdmissionReport Snapshot()
    {
        var now = time.GetUtcNow();
        var refusals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in counters.Snapshot().Rejected)
        {
            if (reason.StartsWith("connect:", StringComparison.Ordinal) || reason.StartsWith("packet:", StringComparison.Ordinal))
            {
                refusals[reason] = count;
            }
        }

        return new AdmissionReport(Open, Pending, Interlocked.Read(ref _failed), Interlocked.Read(ref _blocks),
            _sources.Count(s => now < s.Value.BlockedUntil), refusals);
    }

    /// <summary>Forgets addresses with nothing open, no block and no recent failure, so a scan from many addresses cannot grow the table forever.</summary>
    private void Prune()
    {
        Interlocked.Exchange(ref _sinceLastPrune, 0);
        var now = time.GetUtcNow();
        var window = TimeSpan.FromSeconds(_o.FailedConnectWindowSeconds);
        foreach (var (address, source) in _sources)
        {
            lock (source)
            {
                if (source.Pending == 0 && now >= source.BlockedUntil && now - source.WindowStart > window && source.Level == 0)
                {
                    source.Forgotten = true;
                    _sources.TryRemove(address, out _);
                }
            }
        }
    }

    internal sealed class Source
    {
        public bool Forgotten;
        public int Pending;
        public int Failures;
        public int Level;
        public DateTimeOffset WindowStart;
        public DateTimeOffset BlockedUntil;
    }
}

/// <summary>One admitted socket: pending until its CONNECT is answered, counted until it closes.</summary>
public sealed class ConnectTicket
{
    internal ConnectTicket(IPAddress address, ConnectAdmission.Source source)
    {
        Address = address;
        Source = source;
    }

    public IPAddress Address { get; }

    internal ConnectAdmission.Source Source { get; }

    internal bool IsPending { get; set; } = true;
}

/// <summary>The broker's door as /health shows it.</summary>
public sealed record AdmissionReport(int OpenSockets, int PendingSockets, long FailedConnects, long SourceBlocks, int SourcesInBackoff,
    IDictionary<string, long> Refusals);
