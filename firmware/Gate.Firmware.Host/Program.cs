using System.CommandLine;
using System.Globalization;
using Gate.Firmware.Host.Cli;
using Gate.Firmware.Host.Simulation;

namespace Gate.Firmware.Host;

/// <summary>
/// gate-sim: the firmware core on the host. Composition only; the work is in Simulation/ and Cli/.
/// An explicit, namespaced entry point (not top-level statements) so that a project referencing gate-sim as a library,
/// such as the gateway server for --demo, keeps its own global <c>Program</c> unambiguous.
/// </summary>
internal static class GateSimProgram
{
    public static async Task<int> Main(string[] args)
    {
        var host = new Option<string>("--host") { Description = "MQTT broker host", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "MQTT broker port", DefaultValueFactory = _ => 1883 };
        var school = new Option<string>("--school") { Description = "school id", DefaultValueFactory = _ => "school-sim" };
        var device = new Option<string>("--device") { Description = "device id", DefaultValueFactory = _ => "sim-00001" };
        var credential = new Option<string>("--credential") { Description = "device credential (MQTT password)", DefaultValueFactory = _ => "sim" };
        var heartbeat = new Option<int>("--heartbeat") { Description = "heartbeat interval, seconds (5..300)", DefaultValueFactory = _ => 30 };
        var hold = new Option<int>("--hold-ms") { Description = "panic button hold time, ms", DefaultValueFactory = _ => 500 };
        var board = new Option<string>("--board") { Description = "board: esp32-devkitc or olimex-esp32-poe-iso", DefaultValueFactory = _ => BoardFiles.DevKitC };
        var dataDir = new Option<string?>("--data-dir") { Description = "folder for the controller's flash (default: memory)" };
        var config = new Option<FileInfo?>("--config") { Description = "a device configuration file (gate.json); overrides the options above" };
        var emulate = new Option<bool>("--emulate-server") { Description = "also run a gateway emulator that acknowledges alarms (for a plain broker such as Mosquitto)" };

        var root = new RootCommand("gate-sim: virtual Gate controllers running the real firmware core");

        VirtualGateControllerOptions One(ParseResult p) => new()
        {
            BrokerHost = p.GetValue(host)!,
            BrokerPort = p.GetValue(port),
            School = p.GetValue(school)!,
            Device = p.GetValue(device)!,
            Credential = p.GetValue(credential)!,
            HeartbeatSeconds = p.GetValue(heartbeat),
            PanicHoldMs = p.GetValue(hold),
            Board = p.GetValue(board)!,
            DataDirectory = p.GetValue(dataDir),
            ConfigJson = p.GetValue(config) is { } f ? File.ReadAllText(f.FullName) : null,
        };

        async Task<GatewayEmulator?> EmulatorAsync(ParseResult p, CancellationToken ct)
        {
            if (!p.GetValue(emulate))
            {
                return null;
            }

            var emulator = new GatewayEmulator();
            await emulator.StartAsync(p.GetValue(host)!, p.GetValue(port), "gate-sim-emulator-" + Environment.ProcessId, cancellationToken: ct);
            return emulator;
        }

        async Task<int> RunLinesAsync(ParseResult p, TextReader input, bool stopOnError, CancellationToken ct)
        {
            await using var emulator = await EmulatorAsync(p, ct);
            await using var gate = new VirtualGateController(One(p));
            var console = new SimulatorConsole(gate, Console.Out);
            gate.Start();
            if (!stopOnError)
            {
                Console.WriteLine("gate-sim: " + gate.Device + " at " + gate.School + ", broker " + gate.Config.BrokerHost + ":" + gate.Config.BrokerPort + ". Type help.");
            }

            int lineNo = 0;
            while (!ct.IsCancellationRequested && await input.ReadLineAsync(ct) is { } line)
            {
                lineNo++;
                try
                {
                    if (!await console.ExecuteAsync(line))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is FormatException or TimeoutException or InvalidOperationException or OverflowException)
                {
                    Console.Error.WriteLine((stopOnError ? "line " + lineNo + ": " : string.Empty) + ex.Message);
                    if (stopOnError)
                    {
                        return 1;
                    }
                }
            }

            return 0;
        }

        var run = new Command("run", "one controller, driven from the keyboard or stdin (type help)");
        var script = new Command("script", "one controller driven by a script file; exits 1 when an expect-... fails");
        var scriptFile = new Argument<FileInfo>("file") { Description = "the script (one command a line)" };
        script.Arguments.Add(scriptFile);
        foreach (var command in new[] { run, script })
        {
            foreach (var option in new Option[] { host, port, school, device, credential, heartbeat, hold, board, dataDir, config, emulate })
            {
                command.Options.Add(option);
            }

            root.Subcommands.Add(command);
        }

        run.SetAction((p, ct) => RunLinesAsync(p, Console.In, stopOnError: false, ct));
        script.SetAction(async (p, ct) =>
        {
            using var reader = new StreamReader(p.GetValue(scriptFile)!.FullName);
            return await RunLinesAsync(p, reader, stopOnError: true, ct);
        });

        var swarm = new Command("swarm", "N controllers with jittered heartbeats and injected alarms, to load a server");
        var count = new Option<int>("--count") { Description = "controllers in this process (at most about 20,000)", DefaultValueFactory = _ => 100 };
        var startIndex = new Option<int>("--start-index") { Description = "number of the first device (split a large swarm over processes)", DefaultValueFactory = _ => 1 };
        var prefix = new Option<string>("--prefix") { Description = "device id prefix", DefaultValueFactory = _ => "sim-" };
        var schools = new Option<int>("--schools") { Description = "devices are dealt over this many schools", DefaultValueFactory = _ => 10 };
        var credentialTemplate = new Option<string>("--credential-template") { Description = "credential per device; {device} is replaced by the device id", DefaultValueFactory = _ => "sim" };
        var ramp = new Option<double>("--ramp") { Description = "seconds over which connections are spread", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--alarm-rate") { Description = "alarms per second injected over the whole swarm", DefaultValueFactory = _ => 0 };
        var duration = new Option<double>("--duration") { Description = "seconds to run after all are connected (0: until Ctrl+C)", DefaultValueFactory = _ => 60 };
        foreach (var option in new Option[] { host, port, heartbeat, count, startIndex, prefix, schools, credentialTemplate, ramp, rate, duration, emulate })
        {
            swarm.Options.Add(option);
        }

        swarm.SetAction(async (p, ct) =>
        {
            var template = p.GetValue(credentialTemplate)!;
            var options = new SwarmOptions
            {
                Count = p.GetValue(count),
                StartIndex = p.GetValue(startIndex),
                DevicePrefix = p.GetValue(prefix)!,
                Schools = p.GetValue(schools),
                BrokerHost = p.GetValue(host)!,
                BrokerPort = p.GetValue(port),
                HeartbeatSeconds = p.GetValue(heartbeat),
                Ramp = TimeSpan.FromSeconds(p.GetValue(ramp)),
                CredentialFor = d => template.Replace("{device}", d, StringComparison.Ordinal),
            };
            await using var emulator = await EmulatorAsync(p, ct);
            await using var sw = new Swarm(options);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await sw.StartAsync(ct);
            try
            {
                await sw.WaitAllConnectedAsync(TimeSpan.FromSeconds(60 + p.GetValue(ramp)));
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine("not all connected: " + sw.ConnectedCount + "/" + options.Count);
            }

            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "connected {0}/{1} in {2:F1} s", sw.ConnectedCount, options.Count, clock.Elapsed.TotalSeconds));
            var seconds = p.GetValue(duration);
            using var stats = new Timer(_ => Console.WriteLine(sw.Summary()), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
            try
            {
                await sw.InjectAsync(p.GetValue(rate), seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan, ct);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: report what we have.
            }

            Console.WriteLine(sw.Summary());
            if (emulator is not null)
            {
                Console.WriteLine("emulator: heartbeats=" + emulator.Heartbeats + " alarms=" + emulator.Alarms.Count + " online=" + emulator.Status.Values.Count(s => s == "online"));
            }

            return sw.ConnectedCount == options.Count ? 0 : 2;
        });
        root.Subcommands.Add(swarm);

        return await root.Parse(args).InvokeAsync();
    }
}
