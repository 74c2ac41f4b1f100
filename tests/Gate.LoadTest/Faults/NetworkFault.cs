using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Gate.LoadTest.Faults;

/// <summary>
/// A bad network on one link of a swarm run. Loss and blackholes are nftables rules on the loopback traffic of the
/// link's TCP port: random packet loss on the way to the listening side (the uplink), or a blackhole of both
/// directions in which the peer vanishes without FIN or RST (a half-open connection until keep-alive or DC-09
/// supervision notices); they need root and Debian's nftables (scripts/bench/badnet.sh installs it). Added latency is
/// a <see cref="DelayProxy"/> relay on the link, since the kernel here has no netem.
/// </summary>
public sealed class NetworkFault : IAsyncDisposable
{
    private static int _instances;

    // One nftables table per fault, so faults of tests running side by side never remove each other's rules.
    private readonly string _table = FormattableString.Invariant($"gate_load_{Environment.ProcessId}_{Interlocked.Increment(ref _instances)}");
    private bool _applied;

    private NetworkFault(FaultKind kind, double amount, FaultLink link)
    {
        Kind = kind;
        Amount = amount;
        Link = link;
    }

    public FaultKind Kind { get; }

    /// <summary>Percent of packets lost (loss), or seconds without any packet (blackhole).</summary>
    public double Amount { get; }

    public FaultLink Link { get; }

    /// <summary>The relay that adds the latency of a delay fault (null for the other kinds, or before it is attached).</summary>
    public DelayProxy? Proxy { get; private set; }

    public override string ToString() => Kind switch
    {
        FaultKind.Loss => FormattableString.Invariant($"{Amount:0}% packet loss toward the {(Link == FaultLink.Broker ? "broker" : "receiver")} on the {Describe(Link)} link"),
        FaultKind.Delay => FormattableString.Invariant($"{Amount:0} ms added each way (a TCP relay) on the {Describe(Link)} link"),
        _ => FormattableString.Invariant($"{Amount:0} s blackhole (no FIN, no RST) on the {Describe(Link)} link"),
    };

    /// <summary>
    /// For a delay: puts the relay in front of <paramref name="target"/> and returns where the link's client must
    /// connect instead (the relay adds nothing until the fault begins). Other kinds: the target itself.
    /// </summary>
    public IPEndPoint Route(IPEndPoint target)
    {
        if (Kind != FaultKind.Delay)
        {
            return target;
        }

        Proxy = new DelayProxy(target).Start();
        return Proxy.EndPoint;
    }

    /// <summary>
    /// Reads "loss:30@broker", "blackhole:60@police", "delay:2000@broker" (KIND:AMOUNT@LINK); null for none.
    /// </summary>
    public static NetworkFault? Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return null;
        }

        var at = spec.Split('@');
        var what = at[0].Split(':');
        if (at.Length != 2 || what.Length != 2
            || !double.TryParse(what[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            throw new ArgumentException($"--net-fault '{spec}': expected KIND:AMOUNT@LINK, e.g. loss:30@broker or blackhole:60@police");
        }

        var kind = what[0] switch
        {
            "loss" when amount is > 0 and < 100 => FaultKind.Loss,
            "blackhole" when amount > 0 => FaultKind.Blackhole,
            "delay" when amount is > 0 and <= 60_000 => FaultKind.Delay,
            "delay" => throw new ArgumentException($"--net-fault '{spec}': a delay is 1..60000 ms each way"),
            "loss" => throw new ArgumentException($"--net-fault '{spec}': loss is a percentage between 0 and 100"),
            "blackhole" => throw new ArgumentException($"--net-fault '{spec}': a blackhole lasts a positive number of seconds"),
            _ => throw new ArgumentException($"--net-fault '{spec}': kind must be loss, blackhole or delay"),
        };
        var link = at[1] switch
        {
            "broker" => FaultLink.Broker,
            "police" => FaultLink.Police,
            _ => throw new ArgumentException($"--net-fault '{spec}': link must be broker (devices <-> MQTT) or police (server <-> DC-09 receiver)"),
        };
        return new NetworkFault(kind, amount, link);
    }

    /// <summary>A blackhole of <paramref name="seconds"/> on <paramref name="link"/>, for tests that lift it themselves.</summary>
    public static NetworkFault Blackhole(FaultLink link, double seconds) => new(FaultKind.Blackhole, seconds, link);

    /// <summary>Starts the fault on <paramref name="port"/>; a blackhole lifts itself after its seconds.</summary>
    public async Task BeginAsync(int port, CancellationToken ct = default)
    {
        if (Kind == FaultKind.Delay)
        {
            (Proxy ?? throw new InvalidOperationException("a delay fault needs Route() before the link's client connects")).DelayMs = (int)Amount;
            return;
        }

        await NftAsync($"add table inet {_table}", ct);
        await NftAsync($"add chain inet {_table} input {{ type filter hook input priority -10 ; }}", ct);
        var p = port.ToString(CultureInfo.InvariantCulture);
        var verdict = Kind == FaultKind.Loss
            ? FormattableString.Invariant($"numgen random mod 100 < {Amount:0} drop")
            : "drop";
        // Loss is on the way to the listening side only, as `tc netem loss` on the uplink of the device (or of the
        // server, toward the receiver) would do; a blackhole swallows both directions.
        await NftAsync($"add rule inet {_table} input iif lo tcp dport {p} {verdict}", ct);
        if (Kind == FaultKind.Blackhole)
        {
            await NftAsync($"add rule inet {_table} input iif lo tcp sport {p} {verdict}", ct);
        }
        _applied = true;
        if (Kind == FaultKind.Blackhole)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(Amount), CancellationToken.None);
                await EndAsync();
            }, CancellationToken.None);
        }
    }

    /// <summary>Removes the fault (idempotent).</summary>
    public async Task EndAsync()
    {
        if (Proxy is not null)
        {
            Proxy.DelayMs = 0;
        }

        if (!_applied)
        {
            return;
        }

        _applied = false;
        await NftAsync($"delete table inet {_table}", CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await EndAsync();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }
    }

    /// <summary>Fails at once, with what to install, when nft cannot be run (not root, or nftables missing).</summary>
    public async Task CheckAvailableAsync()
    {
        if (Kind == FaultKind.Delay)
        {
            return;
        }

        try
        {
            await NftAsync("list tables", CancellationToken.None);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ArgumentException($"--net-fault needs root and Debian's nftables ('apt-get install nftables'): {e.Message}");
        }
    }

    private static string Describe(FaultLink link) => link == FaultLink.Broker ? "device-broker" : "server-police";

    private static async Task NftAsync(string command, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("nft") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var word in command.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            psi.ArgumentList.Add(word);
        }

        using var nft = Process.Start(psi) ?? throw new InvalidOperationException("nft did not start");
        var error = await nft.StandardError.ReadToEndAsync(ct);
        await nft.WaitForExitAsync(ct);
        if (nft.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft {command}: {error.Trim()}");
        }
    }
}

public enum FaultKind
{
    Loss,
    Blackhole,
    Delay,
}

public enum FaultLink
{
    Broker,
    Police,
}
