using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Gate.LoadTest.Swarm;

/// <summary>
/// `gate-load swarm-child`: one process of a swarm, holding up to ~9,000 device connections (a process may hold at
/// most 20,000 open files here, and the parent spreads the swarm over several). Driven by the parent over stdin
/// ("measure", "rate R", "burst N S", "report", "exit"); answers with JSON lines on stdout.
/// </summary>
public static class SwarmChild
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly Lock Out = new();

    public static async Task<int> RunAsync(CommandLine cl)
    {
        var host = cl.String("host", "127.0.0.1");
        var port = cl.Int("port", 1883);
        var first = cl.Int("first", 0);
        var count = cl.Int("count", 1000);
        var heartbeatMs = cl.Int("heartbeat-ms", 30_000);
        var declared = Math.Clamp(cl.Int("declared-s", Math.Max(5, heartbeatMs / 1000)), 5, 300);
        var secret = cl.String("secret", Server.RegistrySeeder.Secret);
        var source = cl.OptionalString("source-ip");
        var concurrency = cl.Int("connect-concurrency", 64);
        var retryS = cl.Int("retry-s", 15);
        cl.RejectUnknown();

        var sourceAddress = source is null ? null : IPAddress.Parse(source);
        if (sourceAddress is not null && !IPAddress.IsLoopback(sourceAddress))
        {
            throw new ArgumentException("--source-ip must be a loopback address (127.0.0.0/8)");
        }

        if (!IPAddress.TryParse(host, out var hostAddress) || !IPAddress.IsLoopback(hostAddress))
        {
            throw new ArgumentException("--host must be a loopback address: the load generator never targets another machine");
        }

        var context = new SwarmContext(host, port, secret, sourceAddress, declared);
        var devices = Enumerable.Range(first, count).Select(n => new SwarmDevice(context, n)).ToArray();

        // Connect with bounded concurrency so the server sees a ramp, not a SYN flood.
        using (var gate = new SemaphoreSlim(concurrency))
        {
            var connects = devices.Select(async d =>
            {
                await gate.WaitAsync();
                try
                {
                    for (var attempt = 0; attempt < 5 && !await d.ConnectAsync(CancellationToken.None); attempt++)
                    {
                        await Task.Delay(500 * (attempt + 1));
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToArray();
            await Task.WhenAll(connects);
        }

        var connected = devices.Count(d => d.IsConnected);
        Emit(new { @event = "ready", devices = count, connected, report = context.Stats.Report(connected, count, 0) });

        var clock = Stopwatch.StartNew();
        foreach (var d in devices)
        {
            d.NextHeartbeatMs = Random.Shared.NextInt64(0, heartbeatMs);
        }

        double alarmRate = 0;
        long burstLeft = 0;
        var rateStartedMs = 0L;
        long raisedSinceRate = 0;
        var next = 0;
        using var stop = new CancellationTokenSource();

        var scheduler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            var lastRetry = 0L;
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var now = clock.ElapsedMilliseconds;
                foreach (var d in devices)
                {
                    if (d.NextHeartbeatMs <= now)
                    {
                        d.SendHeartbeat(now);
                        // ±10 % jitter per beat, like the firmware, so the swarm never beats in lock-step.
                        d.NextHeartbeatMs = now + (long)(heartbeatMs * (0.9 + Random.Shared.NextDouble() * 0.2));
                    }
                }

                var rate = Volatile.Read(ref alarmRate);
                if (rate > 0)
                {
                    var due = (long)((now - Volatile.Read(ref rateStartedMs)) / 1000.0 * rate) - raisedSinceRate;
                    for (var i = 0; i < due; i++)
                    {
                        if (Interlocked.Read(ref burstLeft) > 0 && Interlocked.Decrement(ref burstLeft) == 0)
                        {
                            Volatile.Write(ref alarmRate, 0);
                        }

                        // Round-robin over connected devices: one press per device until all have pressed once.
                        for (var tries = 0; tries < devices.Length; tries++)
                        {
                            var d = devices[next++ % devices.Length];
                            if (d.IsConnected && d.CanPress)
                            {
                                d.Press();
                                break;
                            }
                        }

                        raisedSinceRate++;
                        if (Volatile.Read(ref alarmRate) == 0)
                        {
                            break;
                        }
                    }
                }

                if (now - lastRetry >= 1000)
                {
                    lastRetry = now;
                    var ts = Stopwatch.GetTimestamp();
                    foreach (var d in devices)
                    {
                        if (d.OutboxDepth > 0)
                        {
                            d.RetryDue(ts, TimeSpan.FromSeconds(retryS));
                        }
                    }
                }
            }
        });

        string? line;
        while ((line = await Console.In.ReadLineAsync()) is not null)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            switch (parts[0])
            {
                case "measure":
                    context.Stats.Reset();
                    Emit(new { @event = "measuring" });
                    break;
                case "rate":
                    raisedSinceRate = 0;
                    Volatile.Write(ref rateStartedMs, clock.ElapsedMilliseconds);
                    Interlocked.Exchange(ref burstLeft, 0);
                    Volatile.Write(ref alarmRate, double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case "burst":
                    // N alarms spread evenly over S seconds.
                    var n = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                    var s = double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                    raisedSinceRate = 0;
                    Volatile.Write(ref rateStartedMs, clock.ElapsedMilliseconds);
                    Interlocked.Exchange(ref burstLeft, n);
                    Volatile.Write(ref alarmRate, n > 0 ? n / s : 0);
                    break;
                case "report":
                    Emit(new { @event = "report", report = context.Stats.Report(devices.Count(d => d.IsConnected), count, devices.Sum(d => d.OutboxDepth)) });
                    break;
                case "exit":
                    await stop.CancelAsync();
                    try
                    {
                        await scheduler;
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    using (var gate = new SemaphoreSlim(256))
                    {
                        await Task.WhenAll(devices.Select(async d =>
                        {
                            await gate.WaitAsync();
                            try
                            {
                                await d.StopAsync();
                            }
                            finally
                            {
                                gate.Release();
                            }
                        }));
                    }

                    Emit(new { @event = "exited" });
                    return 0;
            }
        }

        // The parent went away: stop by ourselves rather than linger.
        return 1;
    }

    private static void Emit(object value)
    {
        var text = JsonSerializer.Serialize(value, Json);
        lock (Out)
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }
}
