using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gate.Server.Forwarding;

/// <summary>The delivery trail of an alarm and the health of the paths to the police.</summary>
public static class ForwardingApi
{
    public static IEndpointRouteBuilder MapForwarding(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Forwarding").RequireAuthorization();
        group.MapGet("/alarms/{id}/delivery", GetDeliveryAsync).WithName("GetAlarmDelivery");
        group.MapGet("/forwarding/status", GetStatusAsync).WithName("GetForwardingStatus");
        return app;
    }

    private static async Task<Results<Ok<AlarmDelivery>, NotFound<string>>> GetDeliveryAsync(string id, ForwardingStore store, CancellationToken cancellationToken)
    {
        var delivery = await store.GetDeliveryAsync(id, cancellationToken);
        return delivery is null
            ? TypedResults.NotFound($"No alarm '{id}' in the forwarding outbox.")
            : TypedResults.Ok(delivery);
    }

    private static async Task<Ok<ForwardingStatusView>> GetStatusAsync(
        ForwardingStore store,
        ForwardingStatus status,
        ForwardingPaths paths,
        IOptions<ForwardingOptions> options,
        CancellationToken cancellationToken)
    {
        var queue = await store.SummaryAsync(cancellationToken);
        var interval = options.Value.SupervisionInterval is { } i && i > TimeSpan.Zero ? i : (TimeSpan?)null;
        return TypedResults.Ok(new ForwardingStatusView(paths.All.Count > 0, status.Warning, status.Snapshot(), queue, interval));
    }
}
