using Gate.Server.Alarms;
using Gate.Server.Commands;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Forwarding;
using Gate.Server.Health;
using Gate.Server.Hosting;
using Gate.Server.Liveness;
using Gate.Server.Metrics;
using Gate.Server.Mqtt;
using Gate.Server.Provisioning;
using Gate.Server.Security;
using Gate.Server.StatusPage;
using Gate.Server.Storage;
using Gate.Server.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;

// "--demo" is a switch, not a configuration key: the command-line provider would take the next argument as its value.
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--demo").ToArray());

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
builder.AddDemo(args);
builder.Services.AddForwarding(builder.Configuration);
builder.Services.AddStatusPage();
builder.Services.AddOpenApi();
builder.Services.AddGateProblems();
builder.Services.AddGateMetrics();
builder.Services.AddGateHealthChecks();

var app = builder.Build();

if (ServerCommands.TryRun(app, args, out var exitCode))
{
    return exitCode;
}

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
app.MapEvents();
app.MapCommands();
app.MapProvisioning();
app.MapForwarding();
app.MapStatusPage();
app.MapStorage();

app.Run();
return 0;

public partial class Program;
