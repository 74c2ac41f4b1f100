using Gate.LoadTest.Baselines;
using Gate.LoadTest.Swarm;

namespace Gate.LoadTest;

/// <summary>gate-load: reproducible load for docs/benchmarks.md. Loopback only; every run stops by itself.</summary>
public static class LoadProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine("""
                gate-load <verb> [--option value ...]
                  bare            N publishers -> broker -> one do-nothing subscriber (mosquitto | mqttnet), QoS 0/1, rate steps
                  swarm           start Gate.Server (or use --external host:port), seed N devices, connect them from child
                                  processes, carry heartbeats and alarms, play the police receiver, report per-alarm latency;
                                  --net-fault loss:30@broker|blackhole:60@police|delay:2000@broker ... impairs one link during the window
                  slowloris       start Gate.Server, hold --silent sockets that never send CONNECT plus a stream of CONNECTs
                                  announcing 64 MiB; report the server's RSS idle/during/after and whether a real gate's
                                  panic still reaches the police ack (exit 1 if not, or if RSS rose more than 50 MB)
                  broker-mqttnet  host a bare MQTTnet 5 broker on --port (used by `bare`)
                  swarm-child     one process of a swarm (started by `swarm`)
                Results: one JSON line per run appended to --out FILE; a readable summary on stdout.
                """);
            return 0;
        }

        var cl = new CommandLine(args[0], args.Skip(1));
        try
        {
            return cl.Verb switch
            {
                "bare" => await BarePlumbingRun.RunAsync(cl),
                "broker-mqttnet" => await BareMqttNetBroker.RunAsync(cl),
                "swarm" => await SwarmRun.RunAsync(cl),
                "slowloris" => await Attack.SlowLorisRun.RunAsync(cl),
                "swarm-child" => await SwarmChild.RunAsync(cl),
                _ => throw new ArgumentException($"unknown verb '{cl.Verb}'"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"gate-load: {e.Message}");
            return 2;
        }
    }
}
