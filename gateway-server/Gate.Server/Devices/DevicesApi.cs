using System.Security.Claims;
using Gate.Contracts;
using Gate.Server.Events;
using Gate.Server.Liveness;
using Gate.Server.Mqtt;
using Gate.Server.Security;
using Gate.Server.Storage;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Devices;

public sealed record DeviceView(
    string Id, string SchoolId, string Role, string? Firmware, int HeartbeatIntervalSeconds, bool CredentialRevoked, DateTimeOffset CreatedAt, LivenessSnapshot? Liveness);

public sealed record RegisterDeviceRequest(string Id, string SchoolId, string? Role, int? HeartbeatIntervalSeconds);

/// <summary>Returned once, when a credential is issued: the secret is not stored anywhere readable.</summary>
public sealed record DeviceCredential(string DeviceId, string SchoolId, string Username, string Password, string ClientId);

public sealed record LivenessSummary(int Total, IDictionary<string, int> ByState, int Flapping);

public static class DevicesApi
{
    private static readonly string[] LivenessStates = [LivenessState.NeverSeen, LivenessState.Unknown, LivenessState.Online, LivenessState.Late, LivenessState.Offline];

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var schools = app.MapGroup("/api/schools").WithTags("Schools").RequireAuthorization(Policies.View).WithApiContract();
        schools.MapGet("/", (DeviceRegistry registry) => TypedResults.Ok(registry.ListSchools()))
            .WithSummary("List schools")
            .WithDescription("Every registered school with its district, address, coordinates and police account.");
        schools.MapGet("/{id}", Results<Ok<School>, ProblemHttpResult> (string id, DeviceRegistry registry) =>
            registry.FindSchool(id) is { } school ? TypedResults.Ok(school) : NoSuchSchool(id))
            .WithSummary("Get one school")
            .ProducesProblem(StatusCodes.Status404NotFound);
        schools.MapPut("/{id}", PutSchoolAsync).RequireAuthorization(Policies.Administer)
            .WithSummary("Create or update a school (admin)")
            .WithDescription("The URL names the school; a body id, when given, must be the same. name is required (at most 200 characters); district, address, latitude/longitude and the police account (the SIA account number the police receiver knows) are optional. A changed police account re-sends alarms that waited for a deliverable one.");

        var devices = app.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization(Policies.View).WithApiContract();
        devices.MapGet("/", Results<Ok<List<DeviceView>>, ValidationProblem> (DeviceRegistry registry, LivenessTracker liveness, string? school, string? state) =>
        {
            var errors = new FieldErrors()
                .Check("school", QueryRules.CheckId(school))
                .Check("state", QueryRules.CheckOneOf(state, LivenessStates));
            if (errors.Any)
            {
                return ApiProblem.Invalid(errors);
            }

            return TypedResults.Ok(registry.All
                .Where(d => school is null || d.SchoolId == school)
                .Select(d => View(d, liveness))
                .Where(v => state is null || v.Liveness?.State == state)
                .OrderBy(v => v.SchoolId, StringComparer.Ordinal).ThenBy(v => v.Id, StringComparer.Ordinal)
                .ToList());
        })
            .WithSummary("List devices with their liveness")
            .WithDescription("Every gate controller, by school then id, with its liveness (state, reason, last heard, telemetry, heartbeat marks). Filters: school id; state one of never_seen, unknown, online, late, offline.");
        devices.MapGet("/{id}", Results<Ok<DeviceView>, ProblemHttpResult> (string id, DeviceRegistry registry, LivenessTracker liveness) =>
            registry.Find(id) is { } d ? TypedResults.Ok(View(d, liveness)) : NoSuchDevice(id))
            .WithSummary("Get one device with its liveness")
            .ProducesProblem(StatusCodes.Status404NotFound);
        devices.MapGet("/{id}/events", Results<Ok<IReadOnlyList<EventRecord>>, ProblemHttpResult, ValidationProblem> (string id, DeviceRegistry registry, GateDatabase database, long? before, int? limit) =>
        {
            var errors = new FieldErrors()
                .Check("before", QueryRules.CheckBefore(before))
                .Check("limit", QueryRules.CheckLimit(limit));
            if (errors.Any)
            {
                return ApiProblem.Invalid(errors);
            }

            return registry.Find(id) is null
                ? NoSuchDevice(id)
                : TypedResults.Ok(EventLog.Query(database, id, before, limit ?? QueryRules.DefaultLimit));
        })
            .WithSummary("A device's event log")
            .WithDescription("Newest first; page with before (the id of the oldest event already seen) and limit (1-1000, default 100).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        devices.MapPost("/", Register).RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Register a device (admin, technician)")
            .WithDescription("Registers a controller of an existing school and returns its MQTT credential, shown this once (only a hash is stored). role defaults to gate, heartbeatIntervalSeconds to 30. Devices with a board and a configuration bundle are registered through /api/provisioning/devices instead.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        devices.MapPost("/{id}/credential", Results<Ok<DeviceCredential>, ProblemHttpResult> (string id, DeviceRegistry registry, EventLog events, ClaimsPrincipal user) =>
            {
                var secret = registry.RotateCredential(id);
                if (secret is null)
                {
                    return NoSuchDevice(id);
                }

                var d = registry.Find(id)!;
                events.Record(SecurityEvents.CredentialIssued, d.Id, d.SchoolId, user.Identity?.Name, "new credential; the previous one no longer works");
                return TypedResults.Ok(new DeviceCredential(d.Id, d.SchoolId, d.Id, secret, d.Id));
            })
            .RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Issue a new device credential (admin, technician)")
            .WithDescription("A new random secret, shown this once; the previous one stops working at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        devices.MapPost("/{id}/revoke", RevokeAsync).RequireAuthorization(Policies.OperateDevices)
            .WithSummary("Revoke a device's credential (admin, technician)")
            .WithDescription("The device is refused from now on and its connection is dropped (embedded broker); it shows offline with reason credential_revoked.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/liveness", (LivenessTracker liveness) =>
            {
                var all = liveness.All().ToList();
                return TypedResults.Ok(new LivenessSummary(all.Count,
                    all.GroupBy(s => s.State).ToDictionary(g => g.Key, g => g.Count()), all.Count(s => s.Flapping)));
            })
            .WithTags("Devices").RequireAuthorization(Policies.View).WithApiContract()
            .WithSummary("Device counts by liveness state")
            .WithDescription("How many devices are in each state (never_seen, unknown, online, late, offline) and how many are flapping.");

        var mosquitto = app.MapGroup("/api/mqtt/mosquitto").WithTags("Broker").RequireAuthorization(Policies.Administer).WithApiContract();
        mosquitto.MapGet("/passwd", (DeviceRegistry registry) => TypedResults.Text(MosquittoExport.PasswordFile(registry), "text/plain"))
            .WithSummary("Mosquitto password file (admin)")
            .WithDescription("Every device with a live credential, in Mosquitto's password_file format (salted SHA-512 hashes), for running with an external broker.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        mosquitto.MapGet("/acl", Results<ContentHttpResult, ValidationProblem> (DeviceRegistry registry, string? serverUser) =>
            QueryRules.CheckId(serverUser) is { } error
                ? ApiProblem.Invalid("serverUser", error)
                : TypedResults.Text(MosquittoExport.AclFile(registry, string.IsNullOrEmpty(serverUser) ? "gate-server" : serverUser), "text/plain"))
            .WithSummary("Mosquitto ACL file (admin)")
            .WithDescription("Each device may write only its own channels and read its own ack and cmd; serverUser (default gate-server) reads every device channel and writes every ack and cmd.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }

    internal static ProblemHttpResult NoSuchDevice(string id) => ApiProblem.NotFound($"No device '{ApiProblem.Shown(id)}'.");

    internal static ProblemHttpResult NoSuchSchool(string id) => ApiProblem.NotFound($"No school '{ApiProblem.Shown(id)}'.");

    private static DeviceView View(DeviceRecord d, LivenessTracker liveness) =>
        new(d.Id, d.SchoolId, d.Role, d.Firmware, d.HeartbeatIntervalSeconds, d.CredentialRevokedAt is not null, d.CreatedAt, liveness.Find(d.Id));

    private static async Task<Results<Ok<School>, ValidationProblem>> PutSchoolAsync(string id, School school, DeviceRegistry registry, EventLog events,
        ClaimsPrincipal user, Forwarding.ForwardingStore forwarding, CancellationToken cancellationToken)
    {
        // The URL names the school; a body naming another one is a client mixing up two records, not a rename.
        var errors = SchoolFields.Check(id, school)
            .Check("id", string.IsNullOrEmpty(school.Id) || school.Id == id ? null : $"'{ApiProblem.Shown(school.Id)}' differs from the URL's '{ApiProblem.Shown(id)}': leave it out or make them match");
        if (errors.Any)
        {
            return ApiProblem.Invalid(errors);
        }

        var policeAccount = string.IsNullOrWhiteSpace(school.PoliceAccount) ? null : school.PoliceAccount.Trim().ToUpperInvariant();
        var before = registry.FindSchool(id);
        var saved = school with { Id = id, District = school.District ?? "", Address = school.Address ?? "", PoliceAccount = policeAccount };
        var created = registry.UpsertSchool(saved);
        events.Record(created ? "school_created" : "school_updated", null, id, user.Identity?.Name, saved.Name);
        if (!created && !string.Equals(before?.PoliceAccount, policeAccount, StringComparison.Ordinal))
        {
            // Alarms that waited for a deliverable account go out now, not at their next backoff slot.
            await forwarding.RetrySchoolNowAsync(id, cancellationToken);
        }

        return TypedResults.Ok(saved);
    }

    private static Results<Created<DeviceCredential>, ValidationProblem, ProblemHttpResult> Register(
        RegisterDeviceRequest request, DeviceRegistry registry, EventLog events, ClaimsPrincipal user)
    {
        var interval = request.HeartbeatIntervalSeconds ?? Limits.DefaultHeartbeatSeconds;
        var errors = new FieldErrors()
            .Check("id", DeviceFields.CheckId(request.Id))
            .Check("schoolId", request.SchoolId is null || registry.FindSchool(request.SchoolId) is null ? "an existing school" : null)
            .Check("role", DeviceFields.CheckRole(request.Role))
            .Check("heartbeatIntervalSeconds", DeviceFields.CheckHeartbeatInterval(interval));
        if (errors.Any)
        {
            return ApiProblem.Invalid(errors);
        }

        var registered = registry.Register(request.Id, request.SchoolId!, request.Role ?? Provisioning.DeviceRoles.Gate, interval);
        if (registered is null)
        {
            return ApiProblem.Conflict($"Device '{request.Id}' already exists; to put a new controller in its place use POST /api/provisioning/devices/{request.Id}/replace.");
        }

        var (device, secret) = registered.Value;
        events.Record(SecurityEvents.DeviceRegistered, device.Id, device.SchoolId, user.Identity?.Name, $"role {device.Role}, heartbeat {interval}s");
        return TypedResults.Created($"/api/devices/{device.Id}", new DeviceCredential(device.Id, device.SchoolId, device.Id, secret, device.Id));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, DeviceRegistry registry, LivenessTracker liveness, IDeviceLink link, EventLog events, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!registry.RevokeCredential(id))
        {
            return NoSuchDevice(id);
        }

        var device = registry.Find(id)!;
        events.Record(SecurityEvents.CredentialRevoked, id, device.SchoolId, user.Identity?.Name, "the device can no longer connect");
        liveness.OnCredentialRevoked(id);
        await link.DisconnectDeviceAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }
}
