using System.Security.Claims;
using Gate.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Commands;

public sealed record SendCommandRequest(string Name, int? TtlSeconds);

public static class CommandsApi
{
    public static IEndpointRouteBuilder MapCommands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Commands").RequireAuthorization(Policies.View);
        group.MapGet("/commands", (CommandStore store, string? device, int? limit) =>
            TypedResults.Ok(store.List(device, Math.Clamp(limit ?? 100, 1, 1000))));
        group.MapGet("/commands/{id}", Results<Ok<CommandView>, NotFound> (string id, CommandStore store) =>
            store.Find(id) is { } c ? TypedResults.Ok(c) : TypedResults.NotFound());
        group.MapPost("/devices/{deviceId}/commands", SendAsync).RequireAuthorization(Policies.OperateDevices);
        return app;
    }

    private static async Task<Results<Accepted<CommandView>, NotFound, ValidationProblem>> SendAsync(
        string deviceId, SendCommandRequest request, CommandService commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (command, error) = await commands.SendAsync(deviceId, request.Name, request.TtlSeconds, user.Identity?.Name ?? "?", cancellationToken);
        return error switch
        {
            null => TypedResults.Accepted($"/api/commands/{command!.Id}", command),
            "unknown_device" => TypedResults.NotFound(),
            "unknown_command" => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["one of " + string.Join(", ", Gate.Contracts.CommandName.All)] }),
            _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ttlSeconds"] = ["1 to 3600"] }),
        };
    }
}
