using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gate.LoadTest.Baselines;
using Gate.LoadTest.Measurement;
using Gate.LoadTest.Reporting;
using Gate.LoadTest.Server;
using Gate.PoliceReceiver;
using Gate.Server.Devices;
using Gate.Server.Security;
using Gate.Server.Storage;
using Gate.SiaDc09;
using Microsoft.Data.Sqlite;

namespace Gate.LoadTest.Swarm;

/// <summary>
/// `gate-load swarm`: the whole pipeline under load. Seeds N devices, starts the police receiver simulator and
/// Gate.Server (embedded broker, or Mosquitto as external broker), connects the devices from child processes, lets
/// them beat, raises alarms at a rate or in one burst, and reports press→received and press→police_ack percentiles,
/// server CPU and memory, heartbeats handled, false offline transitions, and anything lost.
/// </summary>
public static class SwarmRun
{
    public static async Task<int> RunAsync(CommandLine cl)
    {
        var devices = cl.Int("devices", 1000);
        var perProcess = Math.Clamp(cl.Int("per-process", 7500), 100, 9000);
        var heartbeatRate = cl.Double("heartbeat-rate", 0);
        var heartbeatS = cl.Double("heartbeat-s", 30);
        var heartbeatMs = heartbeatRate > 0 ? (int)Math.Max(50, devices / heartbeatRate * 1000) : (int)(heartbeatS * 1000);
        var declared = Math.Clamp((int)Math.Ceiling(heartbeatMs / 1000.0), 5, 300);
        var alarmRate = cl.Double("alarm-rate", 0);
        var burst = cl.Int("burst", 0);
        var burstSeconds = cl.Double("burst-s", 10);
        var seconds = cl.Double("seconds", 60);
        var warmup = cl.Double("warmup", Math.Min(heartbeatMs / 1000.0 + 5, 40));
        var brokerMode = cl.String("broker", "embedded");
        // "firmware": the real firmware core (gate-sim's Swarm of VirtualGateControllers); heartbeat interval 5..300 s.
        // "protocol": a lighter wire-level controller, for heartbeat rates beyond what 5 s intervals can offer.
        var deviceKind = cl.String("device", heartbeatMs >= 5000 ? "firmware" : "protocol");
        if (deviceKind == "firmware" && (heartbeatMs < 5000 || heartbeatMs % 1000 != 0))
        {
            throw new ArgumentException("--device firmware needs a whole heartbeat interval of 5..300 s; use --device protocol for higher rates");
        }

        var checkSeconds = cl.Double("check-s", 30);
        var drainSeconds = cl.Double("drain-s", 180);
        var sourceAddresses = cl.Flag("spread-source");
        var police = !cl.Flag("no-police");
        var keep = cl.Flag("keep");
        var dataDir = cl.OptionalString("data");
        var output = cl.OptionalString("out");
        var label = cl.String("label", $"swarm {devices} devices");
        var netFault = Faults.NetworkFault.Parse(cl.OptionalString("net-fault"));
        cl.RejectUnknown();
        if (netFault is not null)
        {
            await netFault.CheckAvailableAsync();
            if (netFault.Link == Faults.FaultLink.Police && !police)
            {
                throw new ArgumentException("--net-fault on the police link needs the police receiver (drop --no-police)");
            }
        }

        var machine = MachineInfo.Read();
        Console.WriteLine($"machine: {machine}");
        var dir = dataDir ?? Directory.CreateTempSubdirectory("gate-swarm-").FullName;
        Console.WriteLine($"data: {dir}; heartbeat every {heartbeatMs} ms per device (int_s {declared}) = {devices * 1000.0 / heartbeatMs:0}/s offered");

        var seedClock = Stopwatch.StartNew();
        RegistrySeeder.Seed(Path.Combine(dir, "gate.db"), devices, declared, perProcess);
        Console.WriteLine($"seeded {devices} schools and devices in {seedClock.Elapsed.TotalSeconds:0.0} s");

        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });
        if (police)
        {
            await receiver.StartAsync();
        }

        // A delay on the police link sits between the server and the receiver from the start.
        System.Net.IPEndPoint PoliceRoute() =>
            netFault?.Link == Faults.FaultLink.Police ? netFault.Route(receiver.TcpEndPoint!) : receiver.TcpEndPoint!;

        BrokerProcess? mosquitto = null;
        ServerSettings settings;
        const string serverUser = "gate-server-bench";
        var serverPassword = "bench-" + Guid.NewGuid().ToString("N");
        if (brokerMode == "mosquitto")
        {
            var registry = new DeviceRegistry(new GateDatabase(Path.Combine(dir, "gate.db")), TimeProvider.System);
            var passwd = MosquittoExport.PasswordFile(registry) + serverUser + ":" + SecretHasher.HashDeviceSecret(serverPassword) + "\n";
            mosquitto = await BrokerProcess.StartMosquittoAsync(
                maxInflight: 20,
                files: new Dictionary<string, string> { ["passwd"] = passwd, ["acl"] = MosquittoExport.AclFile(registry, serverUser) },
                extraConfig: "password_file {dir}/passwd\nacl_file {dir}/acl\nmax_queued_messages 1000\n");
            settings = new ServerSettings
            {
                DataDirectory = dir,
                ExternalBroker = ("127.0.0.1", mosquitto.Port, serverUser, serverPassword),
                PoliceReceiver = police ? PoliceRoute() : null,
            };
        }
        else if (brokerMode == "embedded")
        {
            settings = new ServerSettings { DataDirectory = dir, PoliceReceiver = police ? PoliceRoute() : null };
        }
        else
        {
            throw new ArgumentException("--broker must be embedded or mosquitto");
        }

        await using var server = await ServerProcess.StartAsync(settings);
        var mqttPort = mosquitto?.Port ?? server.Settings.MqttPort;
        Console.WriteLine($"server pid {server.Pid}, http {server.Settings.HttpPort}, mqtt {mqttPort} ({brokerMode})");
        // A delay on the device link sits between the controllers and the broker from the start.
        var devicePort = netFault?.Link == Faults.FaultLink.Broker
            ? netFault.Route(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, mqttPort)).Port
            : mqttPort;
        using var http = await server.LoginAsync();

        var children = new List<ChildProcess>();
        var processCount = (devices + perProcess - 1) / perProcess;
        try
        {
            var connectClock = Stopwatch.StartNew();
            for (var k = 0; k < processCount; k++)
            {
                var first = k * perProcess;
                var count = Math.Min(perProcess, devices - first);
                var args = new List<string>
                {
                    "--host", "127.0.0.1", "--port", devicePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--first", first.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--heartbeat-ms", heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--declared-s", declared.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--per-process", perProcess.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--device", deviceKind,
                };
                if (sourceAddresses)
                {
                    args.AddRange(["--source-ip", $"127.0.{1 + k / 250}.{2 + k % 250}"]);
                }

                children.Add(ChildProcess.Start(k, args));
            }

            var ready = await Task.WhenAll(children.Select(c => c.WaitForAsync("ready", TimeSpan.FromMinutes(12))));
            var connected = ready.Sum(r => r.GetProperty("connected").GetInt32());
            Console.WriteLine($"{connected}/{devices} connected from {processCount} process(es) in {connectClock.Elapsed.TotalSeconds:0.0} s");
            foreach (var r in ready)
            {
                foreach (var err in r.GetProperty("report").GetProperty("connectErrors").EnumerateArray())
                {
                    Console.WriteLine($"  connect error: {err.GetString()}");
                }
            }

            Console.WriteLine($"warm-up {warmup:0} s (every device beats at least once)");
            await Task.Delay(TimeSpan.FromSeconds(warmup));

            // One connect phase can serve two measurements: a steady phase (heartbeats and alarms at a rate, e.g. a soak)
            // and then a burst, each reported as its own row with its own server usage and latency histograms.
            var phases = new List<string>();
            if (burst == 0 || alarmRate > 0)
            {
                phases.Add("steady");
            }

            if (burst > 0)
            {
                phases.Add("burst");
            }

            foreach (var phase in phases)
            {
                var isBurst = phase == "burst";
                await using var serverSampler = new ProcessSampler(server.Pid);
                await using var brokerSampler = mosquitto is null ? null : new ProcessSampler(mosquitto.Pid);
                var childSamplers = children.Select(c => new ProcessSampler(c.Pid)).ToList();
                serverSampler.Reset();
                brokerSampler?.Reset();
                childSamplers.ForEach(s => s.Reset());
                var ingestBefore = await HeartbeatsAcceptedAsync(http);
                var gcBefore = await GcAsync(http);
                var lastEventId = MaxEventId(server.DatabasePath);
                var loadStart = MachineInfo.LoadAverageNow();
                foreach (var c in children)
                {
                    await c.SendAsync("measure");
                }

                var measureClock = Stopwatch.StartNew();
                if (netFault is not null)
                {
                    await netFault.BeginAsync(netFault.Link == Faults.FaultLink.Broker ? mqttPort : receiver.TcpEndPoint!.Port);
                    Console.WriteLine($"  net fault on: {netFault}");
                }

                double window = 0;
                ProcessUsage serverUsage = null!;
                long? ingestAfter = null;
                double? drainTime = null;
                var worstLate = 0;
                var worstOffline = 0;
                if (isBurst)
                {
                    var share = SplitEvenly(burst, children.Count);
                    for (var k = 0; k < children.Count; k++)
                    {
                        await children[k].SendAsync(FormattableString.Invariant($"burst {share[k]} {burstSeconds}"));
                    }

                    // Drain: from the first press until every alarm is acknowledged by the police (or received, without police).
                    var drainClock = Stopwatch.StartNew();
                    while (drainClock.Elapsed.TotalSeconds < burstSeconds + drainSeconds)
                    {
                        await Task.Delay(250);
                        var reports = await Task.WhenAll(children.Select(c => c.ReportAsync()));
                        var raised = reports.Sum(r => r.AlarmsRaised);
                        var done = police ? reports.Sum(r => r.AlarmsPoliceAcked) : reports.Sum(r => r.AlarmsReceived);
                        if (raised >= burst && done >= raised)
                        {
                            drainTime = drainClock.Elapsed.TotalSeconds;
                            break;
                        }

                        if (drainClock.Elapsed.TotalSeconds % 5 < 0.3)
                        {
                            Console.WriteLine(FormattableString.Invariant($"  t={drainClock.Elapsed.TotalSeconds:0}s raised {raised}, received {reports.Sum(r => r.AlarmsReceived)}, police-acked {reports.Sum(r => r.AlarmsPoliceAcked)}; server {serverSampler.Usage()}"));
                        }
                    }
                }
                else
                {
                    if (alarmRate > 0)
                    {
                        foreach (var c in children)
                        {
                            await c.SendAsync(FormattableString.Invariant($"rate {alarmRate / children.Count}"));
                        }
                    }

                    var nextCheck = checkSeconds;
                    while (measureClock.Elapsed.TotalSeconds < seconds)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, Math.Max(0.1, seconds - measureClock.Elapsed.TotalSeconds))));
                        if (measureClock.Elapsed.TotalSeconds >= nextCheck || measureClock.Elapsed.TotalSeconds >= seconds)
                        {
                            nextCheck += checkSeconds;
                            var (late, offline) = await LivenessAsync(http);
                            worstLate = Math.Max(worstLate, late);
                            worstOffline = Math.Max(worstOffline, offline);
                            Console.WriteLine(FormattableString.Invariant($"  t={measureClock.Elapsed.TotalSeconds:0}s late {late}, offline {offline}; server {serverSampler.Usage()}; load {MachineInfo.LoadAverageNow()}"));
                        }
                    }

                    foreach (var c in children)
                    {
                        await c.SendAsync("rate 0");
                    }

                    window = measureClock.Elapsed.TotalSeconds;
                    serverUsage = serverSampler.Usage();
                    ingestAfter = await HeartbeatsAcceptedAsync(http);
                    if (netFault is not null)
                    {
                        // A loss lasts the measuring window; the drain runs on a healthy network.
                        await netFault.EndAsync();
                    }

                    // Let the alarms still in flight finish, but stop by ourselves.
                    var drainClock = Stopwatch.StartNew();
                    while (alarmRate > 0 && drainClock.Elapsed.TotalSeconds < drainSeconds)
                    {
                        var reports = await Task.WhenAll(children.Select(c => c.ReportAsync()));
                        var done = police ? reports.Sum(r => r.AlarmsPoliceAcked) : reports.Sum(r => r.AlarmsReceived);
                        if (done >= reports.Sum(r => r.AlarmsRaised))
                        {
                            drainTime = drainClock.Elapsed.TotalSeconds;
                            break;
                        }

                        await Task.Delay(500);
                    }
                }

                if (isBurst)
                {
                    window = measureClock.Elapsed.TotalSeconds;
                    serverUsage = serverSampler.Usage();
                    ingestAfter = await HeartbeatsAcceptedAsync(http);
                }

                var gcAfter = await GcAsync(http);
                var brokerUsage = brokerSampler?.Usage();
                var childUsage = childSamplers.Select(s => s.Usage()).ToList();
                var final = await Task.WhenAll(children.Select(c => c.ReportAsync()));
                await Task.Delay(TimeSpan.FromSeconds(6)); // the event log is written in batches
                var (falseOffline, falseLate) = LivenessTransitions(server.DatabasePath, lastEventId);
                var stored = CountAlarms(server.DatabasePath);

                var received = new LatencyHistogram();
                var policeAck = new LatencyHistogram();
                foreach (var r in final)
                {
                    received.Add(LatencyHistogram.FromBase64(r.PressToReceived));
                    policeAck.Add(LatencyHistogram.FromBase64(r.PressToPoliceAck));
                }

                var raisedTotal = final.Sum(r => r.AlarmsRaised);
                var policeAcked = final.Sum(r => r.AlarmsPoliceAcked);
                var receivedTotal = final.Sum(r => r.AlarmsReceived);
                var policeDistinct = police ? receiver.Acknowledged.Select(m => m.Frame?.ExtendedData.FirstOrDefault() ?? m.Raw).Distinct().Count() : 0;
                var notes = new List<string>
                {
                    FormattableString.Invariant($"load avg {loadStart} -> {MachineInfo.LoadAverageNow()}"),
                    FormattableString.Invariant($"heartbeat every {heartbeatMs} ms (int_s {declared}), devices: {deviceKind}"),
                    $"late seen by server (worst sample) {worstLate}, offline {worstOffline}; liveness events late {falseLate}",
                    $"alarms stored in server db (all runs of this db) {stored}; police receiver acknowledged {policeDistinct} distinct alarm(s)",
                    netFault is null ? "network: healthy loopback" : $"network: {netFault} from the start of the window",
                    $"resends {final.Sum(r => r.Resends)}, publish errors {final.Sum(r => r.PublishErrors)}, reconnects {final.Sum(r => r.Reconnects)}",
                    "load generator: " + string.Join("; ", childUsage.Select(u => u.ToString())),
                };
                if (gcBefore is { } g0 && gcAfter is { } g1)
                {
                    // The latency tail at scale is the collector's pauses: say how many and how long in this phase.
                    var collections = g1.Gen0 - g0.Gen0;
                    var pauseMs = g1.PauseMs - g0.PauseMs;
                    notes.Add(FormattableString.Invariant(
                        $"server GC: {collections} collection(s) (gen1 {g1.Gen1 - g0.Gen1}, gen2 {g1.Gen2 - g0.Gen2}), paused {pauseMs:0} ms in all, {(collections > 0 ? pauseMs / collections : 0):0.0} ms each on average"));
                }

                if (brokerUsage is not null)
                {
                    notes.Add("mosquitto: " + brokerUsage);
                }

                var result = new RunResult("swarm", phases.Count > 1 ? $"{label} [{phase}]" : label)
                {
                    Machine = machine,
                    Broker = brokerMode,
                    Devices = devices,
                    Processes = processCount,
                    HeartbeatIntervalSeconds = heartbeatMs / 1000.0,
                    OfferedRatePerSecond = devices * 1000.0 / heartbeatMs,
                    DurationSeconds = window,
                    HeartbeatsSent = final.Sum(r => r.HeartbeatsSent),
                    HeartbeatsPerSecond = ingestBefore is null || ingestAfter is null ? null : (ingestAfter - ingestBefore) / window,
                    AlarmsRaised = raisedTotal,
                    AlarmsReceived = receivedTotal,
                    AlarmsPoliceAcked = police ? policeAcked : null,
                    AlarmsLost = raisedTotal - (police ? policeAcked : receivedTotal),
                    DrainSeconds = drainTime,
                    ConnectFailures = devices - final.Sum(r => r.Connected),
                    Disconnects = final.Sum(r => r.Disconnects),
                    FalseOffline = falseOffline,
                    Errors = final.Sum(r => r.HeartbeatErrors + r.PublishErrors + r.BadAcks),
                    PressToReceived = received.Summary(),
                    PressToPoliceAck = policeAck.Summary(),
                    PressToReceivedHistogram = received.ToBase64(),
                    PressToPoliceAckHistogram = policeAck.ToBase64(),
                    Server = serverUsage,
                    RssBytesPerDevice = (double)serverUsage.FinalRssBytes / devices,
                    Notes = string.Join(" | ", notes),
                };
                ResultLog.Write(result, output);
                foreach (var s in childSamplers)
                {
                    await s.DisposeAsync();
                }
            }
        }
        finally
        {
            if (netFault is not null)
            {
                await netFault.DisposeAsync();
            }

            await Task.WhenAll(children.Select(async c => await c.DisposeAsync()));
            await server.StopAsync();
            if (mosquitto is not null)
            {
                await mosquitto.DisposeAsync();
            }

            if (!keep && dataDir is null)
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        return 0;
    }

    private static long[] SplitEvenly(long total, int parts) =>
        Enumerable.Range(0, parts).Select(i => total / parts + (i < total % parts ? 1 : 0)).ToArray();

    private static async Task<long?> HeartbeatsAcceptedAsync(HttpClient http)
    {
        try
        {
            var stats = await http.GetFromJsonAsync<JsonElement>("api/ingest");
            return stats.GetProperty("accepted").TryGetProperty("heartbeat", out var n) ? n.GetInt64() : 0;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"could not read /api/ingest: {e.Message}");
            return null;
        }
    }

    /// <summary>The server's collection counts and total pause so far, from /health (null when it cannot be read).</summary>
    private static async Task<(int Gen0, int Gen1, int Gen2, double PauseMs)?> GcAsync(HttpClient http)
    {
        try
        {
            var runtime = (await http.GetFromJsonAsync<JsonElement>("health")).GetProperty("runtime");
            return (runtime.GetProperty("gen0Collections").GetInt32(), runtime.GetProperty("gen1Collections").GetInt32(),
                runtime.GetProperty("gen2Collections").GetInt32(), runtime.GetProperty("gcPauseTotalMs").GetDouble());
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"could not read /health: {e.Message}");
            return null;
        }
    }

    private static async Task<(int Late, int Offline)> LivenessAsync(HttpClient http)
    {
        try
        {
            var summary = await http.GetFromJsonAsync<JsonElement>("api/liveness");
            var byState = summary.GetProperty("byState");
            int Get(string s) => byState.TryGetProperty(s, out var v) ? v.GetInt32() : 0;
            return (Get("late"), Get("offline"));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            Console.Error.WriteLine($"could not read /api/liveness: {e.Message}");
            return (-1, -1);
        }
    }

    private static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long MaxEventId(string path)
    {
        using var connection = OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM events;";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Liveness transitions to offline / late recorded by the server after the measured window began.</summary>
    private static (long Offline, long Late) LivenessTransitions(string path, long afterId)
    {
        using var connection = OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT
              COALESCE(SUM(CASE WHEN detail LIKE '% -> offline%' THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN detail LIKE '% -> late%' THEN 1 ELSE 0 END), 0)
            FROM events WHERE id > $after AND type IN ('liveness', 'device_flapping');
            """;
        command.Parameters.AddWithValue("$after", afterId);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static long CountAlarms(string path)
    {
        using var connection = OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM alarms;";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
