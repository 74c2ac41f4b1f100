using Gate.LoadTest;
using Gate.LoadTest.Baselines;

// gate-load: reproducible load for docs/benchmarks.md. Loopback only; every run stops by itself.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        gate-load <verb> [--option value ...]
          bare            N publishers -> broker -> one do-nothing subscriber (mosquitto | mqttnet), QoS 0/1
          broker-mqttnet  host a bare MQTTnet 5 broker on --port (used by `bare`)
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
        _ => throw new ArgumentException($"unknown verb '{cl.Verb}'"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"gate-load: {e.Message}");
    return 2;
}
