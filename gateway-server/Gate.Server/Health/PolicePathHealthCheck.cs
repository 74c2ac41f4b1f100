using Gate.Server.Forwarding;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gate.Server.Health;

/// <summary>
/// One path to the police (primary, backup, webhook), from what the last delivery or supervision attempt saw. A path
/// that is down makes the server Degraded, not Unhealthy: taking the server out of a load balancer would not bring
/// the police receiver back, and alarms keep being stored and retried (or sent on the other path) meanwhile.
/// No path at all (<paramref name="path"/> null) is Degraded too: alarms are stored but reach nobody.
/// </summary>
public sealed class PolicePathHealthCheck(ForwardingStatus status, string? path) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (path is null)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                "no police receiver is configured (Forwarding:Primary, Forwarding:Backup or Forwarding:Webhook): alarms reach nobody"));
        }

        var health = status.Snapshot().FirstOrDefault(p => p.Path == path);
        return Task.FromResult(health switch
        {
            null => HealthCheckResult.Degraded($"{path}: not registered"),
            { State: "down" } => HealthCheckResult.Degraded($"{health.Receiver}: {health.ConsecutiveFailures} failed attempt(s) in a row, last: {health.LastError}"),
            { State: "up" } => HealthCheckResult.Healthy($"{health.Receiver}: answered at {health.LastOkAt:O}"),
            _ => HealthCheckResult.Healthy($"{health.Receiver}: not tried yet"),
        });
    }
}
