using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http.HttpResults;
using Gate.Server.Security;
using Gate.Server.Storage;

namespace Gate.Server.Events;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Events").RequireAuthorization(Policies.View);
        group.MapGet("/events", Results<Ok<IReadOnlyList<EventRecord>>, ValidationProblem, ForbidHttpResult> (
                GateDatabase database, System.Security.Claims.ClaimsPrincipal user, string? device, long? before, int? limit, string? category, string? type) =>
            {
                // The audit trail (category=security) is for admins; others never see the sign-in events in any listing.
                var admin = user.IsInRole(Roles.Admin);
                string[]? only = null;
                if (category is not null)
                {
                    if (category != SecurityEvents.Category)
                    {
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["category"] = [$"'{SecurityEvents.Category}' or absent"] });
                    }

                    if (!admin)
                    {
                        return TypedResults.Forbid();
                    }

                    only = SecurityEvents.All;
                }

                if (type is not null)
                {
                    // One type; within category=security it must be one of the audit trail's.
                    if (only is not null && !only.Contains(type))
                    {
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["type"] = ["one of " + string.Join(", ", only)] });
                    }

                    only = [type];
                }

                return TypedResults.Ok(EventLog.Query(database, device, before, Math.Clamp(limit ?? 100, 1, 1000), only, admin ? null : SecurityEvents.AdminOnly));
            });

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
