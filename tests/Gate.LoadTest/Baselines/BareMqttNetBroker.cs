using MQTTnet.Server;

namespace Gate.LoadTest.Baselines;

/// <summary>
/// `gate-load broker-mqttnet --port P`: an MQTTnet 5 server with nothing attached (no authentication, no interception,
/// no persistence), the floor under the embedded broker of Gate.Server. Runs until stdin closes or it is killed.
/// </summary>
public static class BareMqttNetBroker
{
    public static async Task<int> RunAsync(CommandLine cl)
    {
        var port = cl.Int("port", 1883);
        var backlog = cl.Int("backlog", 4096);
        cl.RejectUnknown();

        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .WithConnectionBacklog(backlog)
            .Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync();
        Console.WriteLine($"mqttnet broker listening on 127.0.0.1:{port}");

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await server.StopAsync();
        return 0;
    }
}
