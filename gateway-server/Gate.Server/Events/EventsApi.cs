using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http.HttpResults;
using Gate.Server.Security;
using Gate.Server.Storage;
using Gate.Server.Validation;

namespace Gate.Server.Events;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Events").RequireAuthorization(Policies.View).WithApiContract();
        group.MapGet("/events", Results<Ok<IReadOnlyList<EventRecord>>, ValidationProblem, ProblemHttpResult> (
                GateDatabase database, System.Security.Claims.ClaimsPrincipal user, string? device, long? before, int? limit, string? category, string? type) =>
            {
                var errors = new FieldErrors()
                    .Check("device", QueryRules.CheckId(device))
                    .Check("before", QueryRules.CheckBefore(before))
                    .Check("limit", QueryRules.CheckLimit(limit))
                    .Check("type", QueryRules.CheckEventType(type));
                if (errors.Any)
                {
                    return ApiProblem.Invalid(errors);
                }

                // The audit trail (category=security) is for admins; others never see the sign-in events in any listing.
                var admin = user.IsInRole(Roles.Admin);
                string[]? only = null;
                if (category is not null)
                {
                    if (category != SecurityEvents.Category)
                    {
                        return ApiProblem.Invalid("category", $"'{SecurityEvents.Category}' or absent");
                    }

                    if (!admin)
                    {
                        return ApiProblem.Forbidden($"The audit trail (category={SecurityEvents.Category}) needs the {Roles.Admin} role.");
                    }

                    only = SecurityEvents.All;
                }

                if (type is not null)
                {
                    // One type; within category=security it must be one of the audit trail's.
                    if (only is not null && !only.Contains(type))
                    {
                        return ApiProblem.Invalid("type", "one of " + string.Join(", ", only));
                    }

                    only = [type];
                }

                return TypedResults.Ok(EventLog.Query(database, device, before, limit ?? QueryRules.DefaultLimit, only, admin ? null : SecurityEvents.AdminOnly));
            })
            .WithSummary("List events")
            .WithDescription("Newest first; page with before (an event id) and limit (1-1000, default 100); filter by device or type. category=security lists the audit trail (sign-ins, accounts, keys, credentials, backups) and needs the admin role; other roles never see sign-in and account events.")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        // The live stream: every change (liveness transitions, alarm steps, commands) as it happens.
        group.MapGet("/stream", (ChangeFeed feed, TimeProvider time, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Stream(feed, time, cancellationToken)))
            .WithSummary("Live changes (Server-Sent Events)")
            .WithDescription("A hello event, then every change as it happens, named by type: liveness, device_flapping, alarm, alarm_repeat, alarm_forwarded, alarm_police_ack, alarm_operator_ack, alarm_resolved, command, command_result, command_timeout, position ...")
            .Produces<ChangeEvent>(StatusCodes.Status200OK, "text/event-stream");
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
