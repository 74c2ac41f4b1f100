using Gate.Server.Alarms;
using Gate.Server.Commands;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Forwarding;
using Gate.Server.Health;
using Gate.Server.Liveness;
using Gate.Server.Metrics;
using Gate.Server.Mqtt;
using Gate.Server.Provisioning;
using Gate.Server.Returns;
using Gate.Server.Security;
using Gate.Server.StatusPage;
using Gate.Server.Storage;
using Gate.Server.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gate.Server.Hosting;

/// <summary>
/// The whole server as two calls, so Program.cs and the demo host (gateway-server/Gate.Demo) compose the same thing.
/// Hosted services start in the order registered here: storage first, the broker before the features that answer
/// devices, forwarding after the alarms it forwards.
/// </summary>
public static class GateServerExtensions
{
    public static WebApplicationBuilder AddGateServer(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services
            .AddGateStorage()
            .AddGateSecurity()
            .AddEvents()
            .AddDevices()
            .AddLiveness()
            .AddAlarms()
            .AddCommands()
            .AddMqttIngest()
            .AddProvisioning();
        builder.Services.AddForwarding(builder.Configuration);
        builder.Services.AddStatusPage();
        builder.Services.AddReturns();
        builder.Services.AddOpenApi();
        builder.Services.AddGateProblems();
        builder.Services.AddGateMetrics();
        builder.Services.AddGateHealthChecks();
        return builder;
    }

    public static WebApplication UseGateServer(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseGateRequestChecks();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().RequireRateLimiting(SecurityExtensions.AnonymousLimit);
        app.MapHealth();
        app.MapHealthProbes();
        app.MapGateMetrics();
        app.MapSecurity();
        app.MapDevices();
        app.MapAlarms();
        app.MapMqtt();
        app.MapEvents();
        app.MapCommands();
        app.MapProvisioning();
        app.MapForwarding();
        app.MapStatusPage();
        app.MapReturns();
        app.MapStorage();
        return app;
    }
}
