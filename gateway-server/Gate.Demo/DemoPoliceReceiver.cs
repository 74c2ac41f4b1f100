using Gate.PoliceReceiver;

namespace Gate.Demo;

/// <summary>The demo without a configured police path: the DC-09 police receiver simulator on a free local port, as the primary path.</summary>
public sealed class DemoPoliceReceiver(int port, ILogger<DemoPoliceReceiver> logger) : IHostedService, IAsyncDisposable
{
    private readonly PoliceReceiverSimulator _simulator = new(new PoliceReceiverOptions { TcpPort = port, UdpPort = null });

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _simulator.StartAsync();
        logger.LogWarning("Demo: police receiver simulator (SIA DC-09) on tcp 127.0.0.1:{Port} is the primary forwarding path", port);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _simulator.StopAsync();

    public ValueTask DisposeAsync() => _simulator.DisposeAsync();
}
