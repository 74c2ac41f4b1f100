using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Mqtt;
using Gate.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gate.Server.Health;

public sealed record HealthReport(string Status, string Database, string BrokerMode, int? MqttPort, bool BrokerReady, int Devices, long RejectedMessages, int LiveSubscribers,
    int? DeviceConnections, int? MaxDeviceConnections, RuntimeReport Runtime, AdmissionReport? MqttAdmission,
    IReadOnlyList<Forwarding.DeliveryStageReport> AlarmStages);

/// <summary>What a technician (or the load test) needs to tell a slow server from a paused one.</summary>
public sealed record RuntimeReport(long ManagedHeapBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, double GcPauseTotalMs, double GcPausePercent);

public static class HealthApi
{
    /// <summary>GET /health: anonymous, for load balancers and monitoring; 503 when the database or broker is not usable.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Results<Ok<HealthReport>, JsonHttpResult<HealthReport>> (
                GateDatabase database, IOptions<MqttOptions> mqtt, EmbeddedBroker embedded, ExternalBroker external, DeviceRegistry registry, IngestCounters counters, ChangeFeed feed,
                ConnectAdmission admission, Forwarding.DeliveryLatency stages) =>
            {
                var databaseOk = true;
                try
                {
                    using var connection = database.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT 1;";
                    command.ExecuteScalar();
                }
                catch (Exception)
                {
                    databaseOk = false;
                }

                int? port = null;
                int? connections = null;
                int? maxConnections = null;
                bool brokerReady;
                if (mqtt.Value.IsEmbedded)
                {
                    var broker = embedded;
                    port = broker.Port;
                    brokerReady = broker.Port != 0;
                    connections = broker.Connected;
                    maxConnections = broker.MaxConnections == int.MaxValue ? null : broker.MaxConnections;
                }
                else
                {
                    brokerReady = external.IsConnected;
                }

                var healthy = databaseOk && brokerReady;
                var report = new HealthReport(healthy ? "ok" : "degraded", databaseOk ? "ok" : "failing", mqtt.Value.IsEmbedded ? "embedded" : "external",
                    port, brokerReady, registry.Count, counters.TotalRejected, feed.SubscriberCount, connections, maxConnections, Runtime(),
                    mqtt.Value.IsEmbedded ? admission.Snapshot() : null, stages.Snapshot());
                return healthy ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithTags("Health")
            .WithSummary("Server health (anonymous)")
            .WithDescription("ok, or degraded with 503 when the database or the broker is not usable; with device and connection counts, MQTT admission and GC figures.")
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable)
            .AllowAnonymous()
            .RequireRateLimiting(Security.SecurityExtensions.AnonymousLimit);
        return app;
    }

    private static RuntimeReport Runtime()
    {
        var info = GC.GetGCMemoryInfo();
        return new RuntimeReport(GC.GetTotalMemory(false), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 1), Math.Round(info.PauseTimePercentage, 2));
    }
}
