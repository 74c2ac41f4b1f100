using Gate.Server.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Gate.Server.Metrics;

public static class MetricsExtensions
{
    /// <summary>OpenTelemetry metrics: the <c>Gate</c> meter, ASP.NET Core's HTTP meters and .NET's runtime meter (GC pauses, heap, thread pool).</summary>
    public static IServiceCollection AddGateMetrics(this IServiceCollection services)
    {
        services.AddGateMeter();
        services.AddSingleton<GateGauges>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GateMetrics.MeterName)
            .AddMeter("System.Runtime")
            .AddAspNetCoreInstrumentation()
            // No response cache: a scrape every 15 s costs nothing, and a cached one would hide a stage move just made.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>The Gate meter's instruments, for the features that report to them (Alarms, Forwarding); safe to call from each.</summary>
    public static IServiceCollection AddGateMeter(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<GateMetrics>();
        return services;
    }

    /// <summary>
    /// GET /metrics in Prometheus' text format, for any signed-in role: Prometheus scrapes with a viewer API key as its
    /// bearer token (docs/operations.md), so there is no second kind of secret to hand out, rotate or audit.
    /// </summary>
    public static IEndpointRouteBuilder MapGateMetrics(this IEndpointRouteBuilder app)
    {
        // The observable instruments are registered when GateGauges is built: build it now, not at the first scrape.
        _ = app.ServiceProvider.GetRequiredService<GateGauges>();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.View);
        return app;
    }
}
