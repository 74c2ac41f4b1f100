using Gate.Server.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gate.Server.Health;

/// <summary>Devices can reach the server: the embedded broker listens, or the connection to the external broker is up.</summary>
public sealed class BrokerHealthCheck(IDeviceLink link) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(link switch
        {
            EmbeddedBroker { Port: > 0 } embedded => HealthCheckResult.Healthy($"embedded broker on port {embedded.Port}, {embedded.Connected} connections"),
            EmbeddedBroker => HealthCheckResult.Unhealthy("the embedded broker is not listening"),
            ExternalBroker { IsConnected: true } => HealthCheckResult.Healthy("connected to the external broker"),
            _ => HealthCheckResult.Unhealthy("not connected to the external broker (retrying)"),
        });
}
