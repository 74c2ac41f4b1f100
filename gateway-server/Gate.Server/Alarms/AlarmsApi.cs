using System.Security.Claims;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Alarms;

public sealed record AlarmNoteRequest(string? Note);

public static class AlarmsApi
{
    public static IEndpointRouteBuilder MapAlarms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alarms").WithTags("Alarms").RequireAuthorization(Policies.View).WithApiContract();

        // Real alarms by default; drills and periodic tests only with ?test=true, never mixed in.
        group.MapGet("/", Results<Ok<IReadOnlyList<AlarmView>>, ValidationProblem> (AlarmStore store, bool? open, bool? test, string? device, string? school, int? limit) =>
        {
            var errors = new FieldErrors()
                .Check("device", QueryRules.CheckId(device))
                .Check("school", QueryRules.CheckId(school))
                .Check("limit", QueryRules.CheckLimit(limit));
            return errors.Any
                ? ApiProblem.Invalid(errors)
                : TypedResults.Ok(store.List(open, test ?? false, device, school, limit ?? QueryRules.DefaultLimit));
        })
            .WithSummary("List alarms")
            .WithDescription("Open alarms first (life-safety kinds first among them), then the newest. Real alarms only unless test=true, which lists drills and periodic tests instead. Filters: open (true/false), device and school ids; limit 1-1000, default 100.");

        group.MapGet("/{id}", Results<Ok<AlarmView>, ProblemHttpResult> (string id, AlarmStore store) =>
            store.Find(id) is { } alarm ? TypedResults.Ok(alarm) : NoSuchAlarm(id))
            .WithSummary("Get one alarm with its history")
            .WithDescription("The alarm and every step of its history (raised, received, forwarded, police_ack, operator_ack, resolved ...). An id the device reused for another alarm also finds the record it was stored under.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id}/acknowledge", (string id, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken ct) =>
                PersonStepAsync(id, AlarmStep.OperatorAck, PersonFields.AlarmNote, request, alarms, user, ct))
            .RequireAuthorization(Policies.HandleAlarms)
            .WithSummary("Acknowledge an alarm (duty officer)")
            .WithDescription("Records who took charge, with an optional note (at most 500 characters); the gate's light shows it. Idempotent: a second acknowledge changes nothing and answers the same alarm.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id}/resolve", (string id, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken ct) =>
                PersonStepAsync(id, AlarmStep.Resolved, PersonFields.ResolveNote, request, alarms, user, ct))
            .RequireAuthorization(Policies.HandleAlarms)
            .WithSummary("Resolve an alarm (duty officer)")
            .WithDescription("Closes the alarm. The note (what happened, 1-500 characters) is required. Idempotent: a second resolve changes nothing and answers the same alarm.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    internal static ProblemHttpResult NoSuchAlarm(string id) => ApiProblem.NotFound($"No alarm '{ApiProblem.Shown(id)}'.");

    private static async Task<Results<Ok<AlarmView>, ProblemHttpResult, ValidationProblem>> PersonStepAsync(
        string id, string step, TextRule noteRule, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Check("note", noteRule.Check(request?.Note));
        if (errors.Any)
        {
            return ApiProblem.Invalid(errors);
        }

        var updated = await alarms.PersonStepAsync(id, step, user.Identity?.Name ?? "?", request?.Note, cancellationToken);
        return updated is null ? NoSuchAlarm(id) : TypedResults.Ok(updated);
    }
}
