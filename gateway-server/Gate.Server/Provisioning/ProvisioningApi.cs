using System.Security.Claims;
using System.Text;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Provisioning;

public sealed record BoardView(string Id, string Title, string Network, string? NanoffTarget, bool Provisionable);

public sealed record BoardsView(IReadOnlyList<BoardView> Boards, IReadOnlyList<string> Errors);

public sealed record BundleView(string DeviceId, string SchoolId, string Board, IReadOnlyList<BundleFile> Files, IReadOnlyList<string> Commands, IReadOnlyList<string> Warnings);

public sealed record StartAcceptanceRequest(string? Technician);

public sealed record LightAnswer(bool Seen);

public sealed record DeviceProvisioningView(DevicePlacement? Placement, CommissioningRun? Commissioning, IReadOnlyList<CommissioningRun> Runs);

/// <summary>
/// /api/provisioning: boards, registration with a board, configuration bundles, replace and decommission (technician
/// or admin), and the acceptance test. Refusals are ProblemDetails whose <c>detail</c> names the problem, for gate-admin to print.
/// </summary>
public static class ProvisioningApi
{
    public static IEndpointRouteBuilder MapProvisioning(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/provisioning").WithTags("Provisioning").RequireAuthorization(Policies.View).WithApiContract();

        group.MapGet("/boards", (DeviceProvisioning provisioning) =>
            TypedResults.Ok(new BoardsView(
                provisioning.Boards.Boards.Select(b => new BoardView(b.Id, b.Title, b.Network, b.NanoffTarget, b.Profile is not null && b.NanoffTarget is not null)).ToList(),
                provisioning.Boards.Errors)))
            .WithSummary("Boards a device can be provisioned for")
            .WithDescription("Each board of the catalogue (id, title, network, nanoff target, whether it can be provisioned), and the catalogue files that were refused with why.");

        group.MapPost("/devices", (ProvisionDeviceRequest request, DeviceProvisioning provisioning, ClaimsPrincipal user) =>
                Respond(provisioning.Register(request, Actor(user)), d => TypedResults.Created($"/api/devices/{d.DeviceId}", d)))
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Register a device with its board and place (admin, technician)")
            .WithDescription("Registers the controller for an existing school with a board from the catalogue and where it is mounted, and returns its MQTT credential, shown once. The next configuration bundle issues a new credential (the one shown here then stops working).")
            .Produces<IssuedDevice>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/devices/{id}", Results<Ok<DeviceProvisioningView>, ProblemHttpResult> (string id, ProvisioningStore store, Devices.DeviceRegistry registry) =>
        {
            if (registry.Find(id) is null)
            {
                return Devices.DevicesApi.NoSuchDevice(id);
            }

            var runs = store.ListRuns(id);
            return TypedResults.Ok(new DeviceProvisioningView(store.FindPlacement(id), runs.FirstOrDefault(r => r.Result == RunResult.Passed), runs));
        })
            .WithSummary("A device's placement and commissioning record")
            .WithDescription("Where and on which board it is installed (or when it was replaced or decommissioned), its passing acceptance test, and every acceptance run.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/devices/{id}/bundle", (string id, BundleRequest? request, DeviceProvisioning provisioning, ClaimsPrincipal user) =>
                Respond(provisioning.IssueBundle(id, request ?? new BundleRequest(), Actor(user)),
                    b => TypedResults.Ok(new BundleView(b.DeviceId, b.SchoolId, b.Board, b.Files, b.Commands, b.Warnings))))
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Issue a configuration bundle (admin, technician)")
            .WithDescription("The files to flash (gate.json with a new credential, board.json, deploy-files.json) and the nanoff command lines. Issuing a bundle revokes the device's previous credential.")
            .Produces<BundleView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/devices/{id}/replace", async (string id, ReplaceDeviceRequest request, DeviceProvisioning provisioning, ClaimsPrincipal user, CancellationToken ct) =>
                Respond(await provisioning.ReplaceAsync(id, request, Actor(user), ct), d => TypedResults.Created($"/api/devices/{d.DeviceId}", d)))
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Replace a controller (admin, technician)")
            .WithDescription("Registers a new device in the old one's place (same school and place, new id and board if given) and takes the old one out of service with its credential revoked.")
            .Produces<IssuedDevice>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/devices/{id}/decommission", async (string id, DecommissionRequest? request, DeviceProvisioning provisioning, ClaimsPrincipal user, CancellationToken ct) =>
                Respond(await provisioning.DecommissionAsync(id, request ?? new DecommissionRequest(null), Actor(user), ct), p => TypedResults.Ok(p)))
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Decommission a controller (admin, technician)")
            .WithDescription("Takes the device out of service with an optional reason (at most 200 characters) and revokes its credential.")
            .Produces<DevicePlacement>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/devices/{id}/acceptance", (string id, StartAcceptanceRequest? request, AcceptanceTestService acceptance, ClaimsPrincipal user) =>
                Respond(acceptance.Start(id, request?.Technician ?? user.Identity?.Name, Actor(user)), r => TypedResults.Accepted($"/api/provisioning/acceptance/{r.Id}", r)))
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Start an acceptance test (admin, technician)")
            .WithDescription("Runs the commissioning steps against the online device (drill alarm to the police receiver, bollard, light) and returns the run to follow at its Location. 409 while another run of the device is going.")
            .Produces<CommissioningRun>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/acceptance/{runId}", (string runId, AcceptanceTestService acceptance) =>
            acceptance.Find(runId) is { } run
                ? Results.Ok(run)
                : ApiProblem.NotFound($"acceptance run '{ApiProblem.Shown(runId)}' not found"))
            .WithSummary("Follow an acceptance test")
            .WithDescription("The run's steps so far, its result (running, passed, failed, aborted) and the failed step's detail.")
            .Produces<CommissioningRun>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/acceptance/{runId}/light", (string runId, LightAnswer answer, AcceptanceTestService acceptance, ClaimsPrincipal user) =>
                Respond(acceptance.ConfirmLight(runId, answer.Seen, Actor(user)), r => TypedResults.Ok(r)))
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Answer the acceptance test's light question (admin, technician)")
            .WithDescription("Whether the technician at the gate saw the light show the step (seen: true/false).")
            .Produces<CommissioningRun>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        // The newest run of every device, for the status page's commissioning column.
        group.MapGet("/commissioning", (ProvisioningStore store) => TypedResults.Ok(store.LatestRuns().Values.OrderBy(r => r.DeviceId, StringComparer.Ordinal).ToList()))
            .WithSummary("The newest acceptance run of every device");

        return app;
    }

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    private static IResult Respond<T>(Outcome<T> outcome, Func<T, IResult> ok) => outcome.Error switch
    {
        ProvisioningError.None => ok(outcome.Value!),
        ProvisioningError.NotFound => ApiProblem.NotFound(outcome.Message),
        ProvisioningError.Conflict => ApiProblem.Conflict(outcome.Message),
        _ => ApiProblem.BadRequest(outcome.Message),
    };
}
