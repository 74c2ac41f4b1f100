using System.Security.Claims;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Commands;

public sealed record SendCommandRequest(string Name, int? TtlSeconds);

public static class CommandsApi
{
    public static IEndpointRouteBuilder MapCommands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Commands").RequireAuthorization(Policies.View).WithApiContract();
        group.MapGet("/commands", Results<Ok<IReadOnlyList<CommandView>>, ValidationProblem> (CommandStore store, string? device, int? limit) =>
        {
            var errors = new FieldErrors()
                .Check("device", QueryRules.CheckId(device))
                .Check("limit", QueryRules.CheckLimit(limit));
            return errors.Any ? ApiProblem.Invalid(errors) : TypedResults.Ok(store.List(device, limit ?? QueryRules.DefaultLimit));
        })
            .WithSummary("List commands sent to devices")
            .WithDescription("Newest first, with their state (sent, done, failed, timeout). Filters: device id; limit 1-1000, default 100.");
        group.MapGet("/commands/{id}", Results<Ok<CommandView>, ProblemHttpResult> (string id, CommandStore store) =>
            store.Find(id) is { } c ? TypedResults.Ok(c) : ApiProblem.NotFound($"No command '{ApiProblem.Shown(id)}'."))
            .WithSummary("Get one command and its result")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/devices/{deviceId}/commands", SendAsync).RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Send a command to a device (admin, technician)")
            .WithDescription("name is one of the firmware's commands (raise_bollard, lower_bollard, ...); ttlSeconds 1-3600 (default Commands:DefaultTtlSeconds). 202: queued for the device; follow it at the Location (GET /api/commands/{id}).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Accepted<CommandView>, ProblemHttpResult, ValidationProblem>> SendAsync(
        string deviceId, SendCommandRequest request, CommandService commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (command, error) = await commands.SendAsync(deviceId, request.Name, request.TtlSeconds, user.Identity?.Name ?? "?", cancellationToken);
        return error switch
        {
            null => TypedResults.Accepted($"/api/commands/{command!.Id}", command),
            "unknown_device" => Devices.DevicesApi.NoSuchDevice(deviceId),
            "unknown_command" => ApiProblem.Invalid("name", "one of " + string.Join(", ", Gate.Contracts.CommandName.All)),
            _ => ApiProblem.Invalid("ttlSeconds", "1 to 3600"),
        };
    }
}
