using System.Buffers.Binary;
using Gate.LoadTest.Reporting;

namespace Gate.LoadTest.Baselines;

/// <summary>
/// `gate-load bare`: N publishers push heartbeat-sized messages through a broker to one subscriber that does nothing
/// but count and time them. The reference the full Gate pipeline is held against (figures 4 and 5): what the plumbing
/// alone delivers on this machine, measured with the same MQTT client library the load generator uses everywhere.
/// </summary>
public static class BarePlumbingRun
{
    public static async Task<int> RunAsync(CommandLine cl)
    {
        var brokerKind = cl.String("broker", "mosquitto");
        var qos = cl.Int("qos", 0) == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
        var publishers = cl.Int("publishers", 1);
        var seconds = cl.Double("seconds", 10);
        var warmup = cl.Double("warmup", 3);
        var rates = cl.String("rates", cl.String("rate", "0"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var payloadBytes = Math.Max(16, cl.Int("payload", 260));
        var window = cl.Int("window", 64);
        var inflight = cl.Int("mosquitto-inflight", 20);
        var boundMs = cl.Double("bound-ms", 100);
        var output = cl.OptionalString("out");
        var label = cl.String("label", "");
        cl.RejectUnknown();

        // One fresh broker per step, so the backlog of a step it could not carry never slows the next one.
        foreach (var rate in rates)
        {
            await using var broker = brokerKind switch
            {
                "mosquitto" => await BrokerProcess.StartMosquittoAsync(maxInflight: inflight),
                "mqttnet" => await BrokerProcess.StartMqttNetAsync(),
                _ => throw new ArgumentException("--broker must be mosquitto or mqttnet"),
            };

            var m = await MeasureAsync(broker.Port, broker.Pid, qos, publishers, seconds, warmup, rate, payloadBytes, window);
            var summary = m.Latency.Summary();
            var sustained = m.Lost == 0 && m.Errors == 0 && summary.P99Ms <= boundMs && (rate <= 0 || m.DeliveredPerSecond >= 0.97 * rate);
            var row = new RunResult("bare", (string.IsNullOrEmpty(label) ? $"bare {broker.Kind} qos{(int)qos} pub{publishers}" : label) + (rate > 0 ? $" @{rate:0}/s" : " unthrottled"))
            {
                Broker = broker.Kind,
                Qos = (int)qos,
                Publishers = publishers,
                OfferedRatePerSecond = rate > 0 ? rate : m.PublishedPerSecond,
                DurationSeconds = seconds,
                Published = m.Published,
                Received = m.Received,
                DeliveredPerSecond = m.DeliveredPerSecond,
                AlarmsLost = m.Lost,
                Errors = m.Errors,
                Latency = summary,
                LatencyHistogram = m.Latency.ToBase64(),
                Server = m.Broker,
                LoadGenerator = m.LoadGenerator,
                Notes = rate > 0 ? (sustained ? $"sustained (p99 <= {boundMs} ms, >= 97% delivered, nothing lost)" : "NOT sustained") : "publishers unthrottled: delivered/s is the subscriber-side capacity, latency includes queueing",
            };
            ResultLog.Write(row, output);
            if (rate > 0 && !sustained && rates.Count > 1)
            {
                Console.WriteLine($"ceiling: stopped at {rate:0}/s");
                break;
            }
        }

        return 0;
    }

    public sealed record Measurement(
        double PublishedPerSecond,
        long Published,
        long Received,
        double DeliveredPerSecond,
        long Lost,
        long Errors,
        LatencyHistogram Latency,
        ProcessUsage Broker,
        ProcessUsage LoadGenerator);

    public static async Task<Measurement> MeasureAsync(
        int port,
        int brokerPid,
        MqttQualityOfServiceLevel qos,
        int publishers,
        double seconds,
        double warmupSeconds,
        double rate,
        int payloadBytes,
        int window,
        double drainSeconds = 30)
    {
        var factory = new MqttClientFactory();
        var latency = new LatencyHistogram();
        long receivedTotal = 0;
        long receivedInWindow = 0;
        var measuring = 0;

        using var subscriber = factory.CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload;
            Span<byte> head = stackalloc byte[9];
            if (payload.Length >= 9)
            {
                payload.Slice(0, 9).CopyTo(head);
                Interlocked.Increment(ref receivedTotal);
                if (Volatile.Read(ref measuring) == 1)
                {
                    Interlocked.Increment(ref receivedInWindow);
                    if (head[8] == 1)
                    {
                        latency.RecordSince(BinaryPrimitives.ReadInt64LittleEndian(head));
                    }
                }
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(Options(port, "bench-sub"));
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("bench/#", qos).Build());

        var clients = new List<IMqttClient>();
        for (var i = 0; i < publishers; i++)
        {
            var c = factory.CreateMqttClient();
            await c.ConnectAsync(Options(port, $"bench-pub-{i}"));
            clients.Add(c);
        }

        await using var sampler = new ProcessSampler(brokerPid);
        await using var self = new ProcessSampler(Environment.ProcessId);
        long published = 0;
        long publishedTotal = 0;
        long errors = 0;
        using var stop = new CancellationTokenSource();
        var perPublisherRate = rate > 0 ? rate / publishers : 0;
        var start = Stopwatch.GetTimestamp();

        var loops = clients.Select((c, i) => Task.Run(async () =>
        {
            using var slots = new SemaphoreSlim(window);
            long sentHere = 0;
            var topic = $"bench/{i}";
            while (!stop.IsCancellationRequested)
            {
                if (perPublisherRate > 0)
                {
                    var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * perPublisherRate) - sentHere;
                    if (due <= 0)
                    {
                        await Task.Delay(1);
                        continue;
                    }
                }

                var payload = new byte[payloadBytes];
                payload.AsSpan(9).Fill((byte)'x');
                BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                var counted = Volatile.Read(ref measuring) == 1;
                payload[8] = counted ? (byte)1 : (byte)0;
                var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
                sentHere++;
                if (qos == MqttQualityOfServiceLevel.AtMostOnce)
                {
                    // Awaiting each QoS 0 publish is faster than a window of continuations: it only waits for the socket.
                    try
                    {
                        await c.PublishAsync(message);
                        Interlocked.Increment(ref publishedTotal);
                        if (counted)
                        {
                            Interlocked.Increment(ref published);
                        }
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                else
                {
                    await slots.WaitAsync();
                    _ = c.PublishAsync(message).ContinueWith(
                        t =>
                        {
                            if (t.IsCompletedSuccessfully)
                            {
                                Interlocked.Increment(ref publishedTotal);
                                if (counted)
                                {
                                    Interlocked.Increment(ref published);
                                }
                            }
                            else
                            {
                                Interlocked.Increment(ref errors);
                            }

                            slots.Release();
                        },
                        TaskScheduler.Default);
                }
            }

            for (var k = 0; k < window; k++)
            {
                await slots.WaitAsync();
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(warmupSeconds));
        sampler.Reset();
        self.Reset();
        Interlocked.Exchange(ref measuring, 1);
        var measuredStart = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, 0);
        var measuredSeconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
        var brokerUsage = sampler.Usage();
        var selfUsage = self.Usage();
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        // Let the subscriber drain what is still in flight, but stop by itself.
        var drain = Stopwatch.StartNew();
        while (Interlocked.Read(ref receivedTotal) < Interlocked.Read(ref publishedTotal) && drain.Elapsed < TimeSpan.FromSeconds(drainSeconds))
        {
            await Task.Delay(100);
        }

        foreach (var c in clients)
        {
            await c.DisconnectAsync();
            c.Dispose();
        }

        await subscriber.DisconnectAsync();
        // Delivered rate: what reached the subscriber per second inside the measured window (its steady-state capacity
        // when publishers outrun it). Lost: published and acknowledged by the broker but never delivered after the drain.
        var delivered = Interlocked.Read(ref receivedInWindow) / measuredSeconds;
        var lost = Math.Max(0, Interlocked.Read(ref publishedTotal) - Interlocked.Read(ref receivedTotal));
        return new Measurement(
            Interlocked.Read(ref published) / measuredSeconds,
            Interlocked.Read(ref publishedTotal),
            Interlocked.Read(ref receivedTotal),
            delivered,
            lost,
            Interlocked.Read(ref errors),
            latency,
            brokerUsage,
            selfUsage);
    }

    private static MqttClientOptions Options(int port, string clientId) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithCleanSession(true)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
}
