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
        var perProcess = cl.Int("per-process", count);
        var deviceKind = cl.String("device", "protocol");
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
        ISwarmDriver driver = deviceKind switch
        {
            "firmware" => new FirmwareSwarmDriver(host, port, first, count, perProcess, heartbeatMs / 1000, secret),
            "protocol" => new ProtocolSwarmDriver(context, first, count, perProcess, heartbeatMs, concurrency, TimeSpan.FromSeconds(retryS)),
            _ => throw new ArgumentException("--device must be firmware or protocol"),
        };
        await driver.StartAsync();
        Emit(new { @event = "ready", devices = count, connected = driver.Connected, report = driver.Report() });

        var clock = Stopwatch.StartNew();
        double alarmRate = 0;
        long burstLeft = 0;
        var rateStartedMs = 0L;
        long raisedSinceRate = 0;
        using var stop = new CancellationTokenSource();

        var scheduler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var now = clock.ElapsedMilliseconds;
                driver.Tick(now);
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

                        driver.RaiseOne();
                        raisedSinceRate++;
                        if (Volatile.Read(ref alarmRate) == 0)
                        {
                            break;
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
                    driver.Stats.Reset();
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
                    Emit(new { @event = "report", report = driver.Report() });
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

                    await driver.DisposeAsync();
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
