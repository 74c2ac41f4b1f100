using System.Security.Claims;
using Gate.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Alarms;

public sealed record AlarmNoteRequest(string? Note);

public static class AlarmsApi
{
    public static IEndpointRouteBuilder MapAlarms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alarms").WithTags("Alarms").RequireAuthorization(Policies.View);

        // Real alarms by default; drills and periodic tests only with ?test=true, never mixed in.
        group.MapGet("/", (AlarmStore store, bool? open, bool? test, string? device, string? school, int? limit) =>
            TypedResults.Ok(store.List(open, test ?? false, device, school, Math.Clamp(limit ?? 100, 1, 1000))));

        group.MapGet("/{id}", Results<Ok<AlarmView>, NotFound> (string id, AlarmStore store) =>
            store.Find(id) is { } alarm ? TypedResults.Ok(alarm) : TypedResults.NotFound());

        group.MapPost("/{id}/acknowledge", (string id, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken ct) =>
                PersonStepAsync(id, AlarmStep.OperatorAck, request, alarms, user, ct))
            .RequireAuthorization(Policies.HandleAlarms);

        group.MapPost("/{id}/resolve", (string id, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken ct) =>
                PersonStepAsync(id, AlarmStep.Resolved, request, alarms, user, ct))
            .RequireAuthorization(Policies.HandleAlarms);
        return app;
    }

    private static async Task<Results<Ok<AlarmView>, NotFound, ValidationProblem>> PersonStepAsync(
        string id, string step, AlarmNoteRequest? request, AlarmService alarms, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new Validation.FieldErrors().Check("note", Validation.PersonFields.AlarmNote.Check(request?.Note));
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var updated = await alarms.PersonStepAsync(id, step, user.Identity?.Name ?? "?", request?.Note, cancellationToken);
        return updated is null ? TypedResults.NotFound() : TypedResults.Ok(updated);
    }
}
