using System.Collections.Concurrent;
using Gate.Contracts;

namespace Gate.Firmware.Host.Simulation;

public sealed class SwarmOptions
{
    public int Count { get; set; } = 100;

    /// <summary>Number of the first device, so several processes can split one large swarm (1..N, N+1..2N, ...).</summary>
    public int StartIndex { get; set; } = 1;

    /// <summary>Device ids are prefix + zero-padded index: "sim-00001".</summary>
    public string DevicePrefix { get; set; } = "sim-";

    /// <summary>Devices are dealt round-robin over this many schools "school-sim-001".. (at least 1).</summary>
    public int Schools { get; set; } = 10;

    public string SchoolPrefix { get; set; } = "school-sim-";

    public string BrokerHost { get; set; } = "127.0.0.1";

    public int BrokerPort { get; set; } = 1883;

    /// <summary>The credential of each device (provisioned by the server); default: the same for all.</summary>
    public Func<string, string> CredentialFor { get; set; } = _ => "sim";

    public int HeartbeatSeconds { get; set; } = 30;

    public int PanicHoldMs { get; set; } = 100;

    /// <summary>Connections are spread over this time, so a swarm does not hit the broker in one wave.</summary>
    public TimeSpan Ramp { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Controllers per ticker thread.</summary>
    public int ControllersPerTicker { get; set; } = 2000;

    /// <summary>Folder for per-device flash folders; null: in memory.</summary>
    public string? DataRoot { get; set; }

    public string DeviceId(int index) => DevicePrefix + index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    public string SchoolId(int index) => SchoolPrefix + (((index - StartIndex) % Math.Max(1, Schools)) + 1).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class AckLatencyEventArgs(string device, string alarmId, string stage, DateTimeOffset raisedAt, DateTimeOffset ackAt) : EventArgs
{
    public string Device { get; } = device;

    public string AlarmId { get; } = alarmId;

    public string Stage { get; } = stage;

    public DateTimeOffset RaisedAt { get; } = raisedAt;

    public DateTimeOffset AckAt { get; } = ackAt;

    public TimeSpan Latency => AckAt - RaisedAt;
}

/// <summary>
/// N virtual gate controllers against one broker: ramped connections, jittered heartbeats (the core's own),
/// alarms injected at a rate, and per-alarm latency from the moment the core raised the alarm to each ack
/// stage. One process holds about 20,000 connections on our machines; larger swarms run one Swarm per
/// process with different StartIndex.
/// </summary>
public sealed class Swarm : IAsyncDisposable
{
    private readonly SwarmOptions _options;
    private readonly List<VirtualGateController> _controllers = new();
    private readonly List<GateTicker> _tickers = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _raisedAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latencies = new(StringComparer.Ordinal);
    private long _injected;
    private int _next;

    public Swarm(SwarmOptions options)
    {
        _options = options;
        for (int i = 0; i < options.Count; i++)
        {
            if (i % Math.Max(1, options.ControllersPerTicker) == 0)
            {
                _tickers.Add(new GateTicker(TimeSpan.FromMilliseconds(20)));
            }

            int index = options.StartIndex + i;
            string device = options.DeviceId(index);
            var controller = new VirtualGateController(new VirtualGateControllerOptions
            {
                BrokerHost = options.BrokerHost,
                BrokerPort = options.BrokerPort,
                School = options.SchoolId(index),
                Device = device,
                Credential = options.CredentialFor(device),
                HeartbeatSeconds = options.HeartbeatSeconds,
                PanicHoldMs = options.PanicHoldMs,
                DataDirectory = options.DataRoot is null ? null : Path.Combine(options.DataRoot, device),
                Ticker = _tickers[^1],
            });
            controller.AlarmRaised += (_, e) => _raisedAt[e.Alarm.Id] = e.At;
            controller.AckReceived += (sender, e) =>
            {
                if (e.IsFirst && _raisedAt.TryGetValue(e.AlarmId, out var raised))
                {
                    var args = new AckLatencyEventArgs(device, e.AlarmId, e.Stage, raised, e.At);
                    _latencies.GetOrAdd(e.Stage, _ => new ConcurrentBag<double>()).Add(args.Latency.TotalMilliseconds);
                    AckLatency?.Invoke(this, args);
                }
            };
            _controllers.Add(controller);
        }
    }

    /// <summary>Raised once per alarm and stage (first arrival), on a ticker thread: the benchmark's hook.</summary>
    public event EventHandler<AckLatencyEventArgs>? AckLatency;

    public IReadOnlyList<VirtualGateController> Controllers => _controllers;

    public int ConnectedCount => _controllers.Count(c => c.IsConnected);

    public long Injected => Interlocked.Read(ref _injected);

    /// <summary>Milliseconds from raise to the stage, one entry per alarm (first arrival of that stage).</summary>
    public IReadOnlyCollection<double> Latencies(string stage) => _latencies.TryGetValue(stage, out var bag) ? bag.ToArray() : Array.Empty<double>();

    /// <summary>Starts every controller, spread over the ramp.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var gap = _controllers.Count <= 1 ? TimeSpan.Zero : _options.Ramp / _controllers.Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < _controllers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _controllers[i].Start();
            var due = gap * (i + 1);
            if (due - clock.Elapsed > TimeSpan.FromMilliseconds(15))
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task WaitAllConnectedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Task.WhenAll(_controllers.Select(c => c.WaitConnectedAsync(timeout))).WaitAsync(cts.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Raises one alarm on the next controller: a panic on one not latched (held for the hold time, then
    /// released), else an enclosure opening. Returns the controller.
    /// </summary>
    public VirtualGateController InjectAlarm()
    {
        int start = Interlocked.Increment(ref _next);
        for (int k = 0; k < _controllers.Count; k++)
        {
            var c = _controllers[(start + k) % _controllers.Count];
            if (c.IsRunning && !c.PanicLatched)
            {
                Interlocked.Increment(ref _injected);
                // Held until the core has raised it, as a guard holds the button: a busy ticker cannot swallow it.
                _ = c.TriggerPanicAsync(TimeSpan.FromSeconds(30)).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                return c;
            }
        }

        var any = _controllers[start % _controllers.Count];
        Interlocked.Increment(ref _injected);
        any.OpenEnclosure();
        _ = ReleaseLaterAsync(any, () => any.CloseEnclosure());
        return any;
    }

    private async Task ReleaseLaterAsync(VirtualGateController c, Action release)
    {
        await Task.Delay(_options.PanicHoldMs + 300).ConfigureAwait(false);
        release();
    }

    /// <summary>Injects alarms at a steady rate (alarms per second, over the whole swarm) for the duration.</summary>
    public async Task InjectAsync(double perSecond, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        if (perSecond <= 0)
        {
            await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
            return;
        }

        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long n = 0;
        bool forever = duration < TimeSpan.Zero;
        while ((forever || clock.Elapsed < duration) && !cancellationToken.IsCancellationRequested)
        {
            InjectAlarm();
            n++;
            var due = interval * n;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public string Summary()
    {
        string Stage(string stage)
        {
            var v = Latencies(stage);
            return stage + ": n=" + v.Count + (v.Count == 0 ? string.Empty :
                string.Format(System.Globalization.CultureInfo.InvariantCulture, " p50={0:F0} ms p95={1:F0} ms p99={2:F0} ms max={3:F0} ms", Percentile(v, 50), Percentile(v, 95), Percentile(v, 99), v.Max()));
        }

        return "controllers=" + _controllers.Count + " connected=" + ConnectedCount + " injected=" + Injected
            + " outbox=" + _controllers.Sum(c => c.OutboxDepth)
            + Environment.NewLine + "  " + Stage(AckStage.Received)
            + Environment.NewLine + "  " + Stage(AckStage.PoliceAck);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_controllers.Select(c => c.StopAsync())).ConfigureAwait(false);
        foreach (var t in _tickers)
        {
            t.Dispose();
        }
    }
}
