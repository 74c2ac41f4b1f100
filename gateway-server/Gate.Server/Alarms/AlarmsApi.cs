using System.Security.Claims;
using Gate.Server.Mqtt;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Alarms;

public sealed record AlarmNoteRequest(string? Note);

public static class AlarmsApi
{
    public static IEndpointRouteBuilder MapAlarms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alarms").WithTags("Alarms").RequireAuthorization(Policies.View);

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
        });

        group.MapGet("/{id}", Results<Ok<AlarmView>, ProblemHttpResult> (string id, AlarmStore store) =>
            store.Find(id) is { } alarm ? TypedResults.Ok(alarm) : NoSuchAlarm(id));

        group.MapPost("/{id}/acknowledge", (string id, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken ct) =>
                PersonStepAsync(id, AlarmStep.OperatorAck, PersonFields.AlarmNote, request, alarms, user, ct))
            .RequireAuthorization(Policies.HandleAlarms);

        group.MapPost("/{id}/resolve", (string id, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken ct) =>
                PersonStepAsync(id, AlarmStep.Resolved, PersonFields.ResolveNote, request, alarms, user, ct))
            .RequireAuthorization(Policies.HandleAlarms);

        app.MapGet("/api/ingest", (IngestCounters counters) => TypedResults.Ok(counters.Snapshot()))
            .WithTags("Health").RequireAuthorization(Policies.View);
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
