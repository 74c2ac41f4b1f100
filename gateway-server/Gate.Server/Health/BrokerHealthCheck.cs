using Gate.Server.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gate.Server.Health;

/// <summary>Devices can reach the server: the embedded broker listens, or the connection to the external broker is up.</summary>
public sealed class BrokerHealthCheck(IOptions<MqttOptions> mqtt, EmbeddedBroker embedded, ExternalBroker external) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(mqtt.Value.IsEmbedded
            ? embedded.Port > 0
                ? HealthCheckResult.Healthy($"embedded broker on port {embedded.Port}, {embedded.Connected} connections")
                : HealthCheckResult.Unhealthy("the embedded broker is not listening")
            : external.IsConnected
                ? HealthCheckResult.Healthy("connected to the external broker")
                : HealthCheckResult.Unhealthy("not connected to the external broker (retrying)"));
}
