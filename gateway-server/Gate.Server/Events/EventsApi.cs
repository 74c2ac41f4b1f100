using System.Net.ServerSentEvents;
using Gate.Server.Security;
using Gate.Server.Storage;

namespace Gate.Server.Events;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Events").RequireAuthorization(Policies.View);
        group.MapGet("/events", (GateDatabase database, string? device, long? before, int? limit) =>
            TypedResults.Ok(EventLog.Query(database, device, before, Math.Clamp(limit ?? 100, 1, 1000))));

        // The live stream: every change (liveness transitions, alarm steps, commands) as it happens.
        group.MapGet("/stream", (ChangeFeed feed, TimeProvider time, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Stream(feed, time, cancellationToken)));
        return app;
    }

    private static async IAsyncEnumerable<SseItem<ChangeEvent>> Stream(ChangeFeed feed, TimeProvider time, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = feed.Subscribe();

        // A first "hello", sent after the subscription is registered, so a client knows nothing later is missed.
        yield return new SseItem<ChangeEvent>(new ChangeEvent(0, "hello", time.GetUtcNow(), null, null, null, null), "hello");
        await foreach (var change in subscription.Reader.ReadAllAsync(cancellationToken))
        {
            yield return new SseItem<ChangeEvent>(change, change.Type) { EventId = change.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }
}
