using System.Security.Claims;
using Gate.Contracts;
using Gate.Server.Events;
using Gate.Server.Liveness;
using Gate.Server.Mqtt;
using Gate.Server.Security;
using Gate.Server.Storage;
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
    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var schools = app.MapGroup("/api/schools").WithTags("Schools").RequireAuthorization(Policies.View);
        schools.MapGet("/", (DeviceRegistry registry) => TypedResults.Ok(registry.ListSchools()));
        schools.MapGet("/{id}", Results<Ok<School>, NotFound> (string id, DeviceRegistry registry) =>
            registry.FindSchool(id) is { } school ? TypedResults.Ok(school) : TypedResults.NotFound());
        schools.MapPut("/{id}", PutSchoolAsync).RequireAuthorization(Policies.Administer);

        var devices = app.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization(Policies.View);
        devices.MapGet("/", (DeviceRegistry registry, LivenessTracker liveness, string? school, string? state) =>
            TypedResults.Ok(registry.All
                .Where(d => school is null || d.SchoolId == school)
                .Select(d => View(d, liveness))
                .Where(v => state is null || v.Liveness?.State == state)
                .OrderBy(v => v.SchoolId, StringComparer.Ordinal).ThenBy(v => v.Id, StringComparer.Ordinal)
                .ToList()));
        devices.MapGet("/{id}", Results<Ok<DeviceView>, NotFound> (string id, DeviceRegistry registry, LivenessTracker liveness) =>
            registry.Find(id) is { } d ? TypedResults.Ok(View(d, liveness)) : TypedResults.NotFound());
        devices.MapGet("/{id}/events", (string id, GateDatabase database, long? before, int? limit) =>
            TypedResults.Ok(EventLog.Query(database, id, before, Math.Clamp(limit ?? 100, 1, 1000))));
        devices.MapPost("/", Register).RequireAuthorization(Policies.OperateDevices);
        devices.MapPost("/{id}/credential", Results<Ok<DeviceCredential>, NotFound> (string id, DeviceRegistry registry, EventLog events, ClaimsPrincipal user) =>
            {
                var secret = registry.RotateCredential(id);
                if (secret is null)
                {
                    return TypedResults.NotFound();
                }

                var d = registry.Find(id)!;
                events.Record("credential_issued", d.Id, d.SchoolId, user.Identity?.Name, "new credential; the previous one no longer works");
                return TypedResults.Ok(new DeviceCredential(d.Id, d.SchoolId, d.Id, secret, d.Id));
            })
            .RequireAuthorization(Policies.OperateDevices);
        devices.MapPost("/{id}/revoke", RevokeAsync).RequireAuthorization(Policies.OperateDevices);

        app.MapGet("/api/liveness", (LivenessTracker liveness) =>
            {
                var all = liveness.All().ToList();
                return TypedResults.Ok(new LivenessSummary(all.Count,
                    all.GroupBy(s => s.State).ToDictionary(g => g.Key, g => g.Count()), all.Count(s => s.Flapping)));
            })
            .WithTags("Devices").RequireAuthorization(Policies.View);

        var mosquitto = app.MapGroup("/api/mqtt/mosquitto").WithTags("Broker").RequireAuthorization(Policies.Administer);
        mosquitto.MapGet("/passwd", (DeviceRegistry registry) => TypedResults.Text(MosquittoExport.PasswordFile(registry), "text/plain"));
        mosquitto.MapGet("/acl", (DeviceRegistry registry, string? serverUser) =>
            TypedResults.Text(MosquittoExport.AclFile(registry, string.IsNullOrEmpty(serverUser) ? "gate-server" : serverUser), "text/plain"));
        return app;
    }

    private static DeviceView View(DeviceRecord d, LivenessTracker liveness) =>
        new(d.Id, d.SchoolId, d.Role, d.Firmware, d.HeartbeatIntervalSeconds, d.CredentialRevokedAt is not null, d.CreatedAt, liveness.Find(d.Id));

    private static async Task<Results<Ok<School>, ValidationProblem>> PutSchoolAsync(string id, School school, DeviceRegistry registry, EventLog events,
        ClaimsPrincipal user, Forwarding.ForwardingStore forwarding, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Identifier.IsValid(id))
        {
            errors["id"] = ["1-32 characters of a-z, 0-9 and '-'"];
        }

        if (string.IsNullOrWhiteSpace(school.Name) || school.Name.Length > 200)
        {
            errors["name"] = ["required, at most 200 characters"];
        }

        if (school.Latitude is < -90 or > 90 || school.Longitude is < -180 or > 180)
        {
            errors["coordinates"] = ["latitude -90..90, longitude -180..180"];
        }

        // The forwarder's own rule: an account that can never be delivered is refused here, not at the next panic.
        var policeAccount = string.IsNullOrWhiteSpace(school.PoliceAccount) ? null : school.PoliceAccount.Trim().ToUpperInvariant();
        if (policeAccount is not null && Gate.SiaDc09.SiaAccount.AccountProblem(policeAccount) is { } accountProblem)
        {
            errors["policeAccount"] = [accountProblem];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

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

    private static Results<Created<DeviceCredential>, ValidationProblem, Conflict> Register(
        RegisterDeviceRequest request, DeviceRegistry registry, EventLog events, ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Identifier.IsValid(request.Id))
        {
            errors["id"] = ["1-32 characters of a-z, 0-9 and '-'"];
        }

        if (request.SchoolId is null || registry.FindSchool(request.SchoolId) is null)
        {
            errors["schoolId"] = ["an existing school"];
        }

        var interval = request.HeartbeatIntervalSeconds ?? Limits.DefaultHeartbeatSeconds;
        if (interval is < Limits.MinHeartbeatSeconds or > Limits.MaxHeartbeatSeconds)
        {
            errors["heartbeatIntervalSeconds"] = [$"{Limits.MinHeartbeatSeconds}-{Limits.MaxHeartbeatSeconds}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var registered = registry.Register(request.Id, request.SchoolId!, request.Role ?? "gate", interval);
        if (registered is null)
        {
            return TypedResults.Conflict();
        }

        var (device, secret) = registered.Value;
        events.Record("device_registered", device.Id, device.SchoolId, user.Identity?.Name, $"role {device.Role}, heartbeat {interval}s");
        return TypedResults.Created($"/api/devices/{device.Id}", new DeviceCredential(device.Id, device.SchoolId, device.Id, secret, device.Id));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(
        string id, DeviceRegistry registry, LivenessTracker liveness, IDeviceLink link, EventLog events, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!registry.RevokeCredential(id))
        {
            return TypedResults.NotFound();
        }

        var device = registry.Find(id)!;
        events.Record("credential_revoked", id, device.SchoolId, user.Identity?.Name, "the device can no longer connect");
        liveness.OnCredentialRevoked(id);
        await link.DisconnectDeviceAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }
}
