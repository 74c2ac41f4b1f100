using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gate.Server.Forwarding;

/// <summary>The delivery trail of an alarm, the health of the paths to the police, and re-queuing a rejected alarm.</summary>
public static class ForwardingApi
{
    public static IEndpointRouteBuilder MapForwarding(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Forwarding").RequireAuthorization(Policies.View).WithApiContract();
        group.MapGet("/alarms/{id}/delivery", GetDeliveryAsync).WithName("GetAlarmDelivery")
            .WithSummary("An alarm's delivery trail to the police")
            .WithDescription("Its state in the forwarding outbox (pending, delivered, rejected), every attempt per path (DC-09 primary, backup, webhook) with its outcome and latency, and the next try.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/alarms/{id}/delivery/retry", RetryAsync).WithName("RetryAlarmDelivery").RequireAuthorization(Policies.HandleAlarms)
            .WithSummary("Re-queue a rejected alarm (admin, duty officer)")
            .WithDescription("After the receiver's set-up was fixed: puts an alarm that every receiver rejected back in line. 409 for an alarm that is not rejected (pending ones are retried already).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/forwarding/status", GetStatusAsync).WithName("GetForwardingStatus")
            .WithSummary("Health of the paths to the police")
            .WithDescription("Whether any path is configured, each path's last success and failure, the outbox queue (pending, oldest), and the supervision interval.");
        return app;
    }

    private static async Task<Results<Ok<AlarmDelivery>, ProblemHttpResult>> GetDeliveryAsync(string id, ForwardingStore store, CancellationToken cancellationToken)
    {
        var delivery = await store.GetDeliveryAsync(id, cancellationToken);
        return delivery is null ? NotInOutbox(id) : TypedResults.Ok(delivery);
    }

    private static ProblemHttpResult NotInOutbox(string id) =>
        ApiProblem.NotFound($"No alarm '{ApiProblem.Shown(id)}' in the forwarding outbox (unknown, or a test alarm that is not forwarded).");

    /// <summary>After the receiver's set-up was fixed: puts an alarm every receiver rejected (DUH) back in line.</summary>
    private static async Task<Results<Accepted<AlarmDelivery>, ProblemHttpResult>> RetryAsync(string id, ForwardingStore store, CancellationToken cancellationToken)
    {
        var delivery = await store.GetDeliveryAsync(id, cancellationToken);
        if (delivery is null)
        {
            return NotInOutbox(id);
        }

        if (!await store.RequeueAsync(id, cancellationToken))
        {
            return ApiProblem.Conflict($"Alarm '{ApiProblem.Shown(id)}' is {delivery.State}; only a rejected alarm is re-queued (pending ones are retried already).");
        }

        return TypedResults.Accepted($"/api/alarms/{id}/delivery", await store.GetDeliveryAsync(id, cancellationToken));
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
