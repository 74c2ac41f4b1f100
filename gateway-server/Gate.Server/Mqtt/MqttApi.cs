using Gate.Server.Security;

namespace Gate.Server.Mqtt;

public static class MqttApi
{
    /// <summary>GET /api/ingest: what the device side accepted and refused, by reason (the counters this module keeps).</summary>
    public static IEndpointRouteBuilder MapMqtt(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ingest", (IngestCounters counters) => TypedResults.Ok(counters.Snapshot()))
            .WithTags("Health").RequireAuthorization(Policies.View);
        return app;
    }
}
