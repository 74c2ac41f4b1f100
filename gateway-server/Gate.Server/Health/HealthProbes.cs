using System.Text.Json;
using Gate.Server.Forwarding;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gate.Server.Health;

/// <summary>
/// ASP.NET Core health checks behind two probes: <c>/health/live</c> (the process answers; no checks, so a slow
/// database never gets the server restarted) and <c>/health/ready</c> (database and broker, 503 when either fails; each
/// police path, Degraded when it is down). <c>/health</c> (<see cref="HealthApi"/>) keeps its report for people.
/// </summary>
public static class HealthProbes
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddGateHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<BrokerHealthCheck>("broker", HealthStatus.Unhealthy, [ReadyTag]);

        // One check per configured police path, named police:{path}; none configured is itself worth a Degraded.
        services.AddOptions<HealthCheckServiceOptions>().Configure<ForwardingPaths, ForwardingStatus>((options, paths, status) =>
        {
            foreach (var forwarder in paths.All)
            {
                var path = forwarder.Path;
                options.Registrations.Add(new HealthCheckRegistration("police:" + path, _ => new PolicePathHealthCheck(status, path), HealthStatus.Degraded, [ReadyTag]));
            }

            if (paths.All.Count == 0)
            {
                options.Registrations.Add(new HealthCheckRegistration("police", _ => new PolicePathHealthCheck(status, null), HealthStatus.Degraded, [ReadyTag]));
            }
        });
        return services;
    }

    public static IEndpointRouteBuilder MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithTags("Health").AllowAnonymous().RequireRateLimiting(Security.SecurityExtensions.AnonymousLimit);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .WithTags("Health").AllowAnonymous().RequireRateLimiting(Security.SecurityExtensions.AnonymousLimit);
        return app;
    }

    /// <summary>{"status": "Healthy", "checks": [{"name": "database", "status": "Healthy", "description": "..."}]}</summary>
    private static Task WriteAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            totalMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description, ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1) }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
