using Gate.Server.Security;
using Gate.Server.Validation;

namespace Gate.Server.Mqtt;

public static class MqttApi
{
    /// <summary>GET /api/ingest: what the device side accepted and refused, by reason (the counters this module keeps).</summary>
    public static IEndpointRouteBuilder MapMqtt(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ingest", (IngestCounters counters) => TypedResults.Ok(counters.Snapshot()))
            .WithTags("Health").RequireAuthorization(Policies.View).WithApiContract()
            .WithSummary("Device message counters")
            .WithDescription("Messages accepted, refused (by reason: connect:bad_credential, alarm:malformed_json ...) and flagged since start, and broker queue drops.");
        return app;
    }
}
