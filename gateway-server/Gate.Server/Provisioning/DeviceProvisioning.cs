using Gate.Contracts;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Liveness;
using Gate.Server.Mqtt;
using Microsoft.Extensions.Options;

namespace Gate.Server.Provisioning;

/// <summary>Why a provisioning request was refused; the API maps it to a status code, the message names the problem.</summary>
public enum ProvisioningError
{
    None,
    Invalid,
    NotFound,
    Conflict,
}

public readonly record struct Outcome<T>(T? Value, ProvisioningError Error, string Message)
{
    public bool Ok => Error == ProvisioningError.None;

    public static Outcome<T> Success(T value) => new(value, ProvisioningError.None, "");

    public static Outcome<T> Fail(ProvisioningError error, string message) => new(default, error, message);
}

public static class DeviceRoles
{
    public const string Gate = "gate";
    public const string Bollard = "bollard";

    public static readonly string[] All = [Gate, Bollard];
}

public sealed record ProvisionDeviceRequest(string? Id, string? SchoolId, string? Role, string? Board, string? Place, int? HeartbeatIntervalSeconds);

public sealed record ReplaceDeviceRequest(string? NewId, string? Board);

public sealed record DecommissionRequest(string? Reason);

/// <summary>The device and its one-time credential, as issued.</summary>
public sealed record IssuedDevice(string DeviceId, string SchoolId, string Role, string Board, string Place, string Username, string Password, string ClientId);

/// <summary>
/// Registration with a board and a place, configuration bundles, replacement and decommissioning, on top of the device
/// registry (which owns credentials). A credential is revoked before anything else happens to a device leaving service,
/// so a stolen controller is locked out even if a later step fails.
/// </summary>
public sealed class DeviceProvisioning(
    DeviceRegistry registry,
    ProvisioningStore store,
    BoardCatalog boards,
    IOptions<ProvisioningOptions> options,
    TimeProvider time,
    EventLog events,
    LivenessTracker liveness,
    IDeviceLink link)
{
    public BoardCatalog Boards => boards;

    public Outcome<IssuedDevice> Register(ProvisionDeviceRequest request, string actor)
    {
        if (Validation.DeviceFields.CheckId(request.Id) is { } idError)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, $"device id '{request.Id}' must be {idError}");
        }

        if (string.IsNullOrEmpty(request.SchoolId) || registry.FindSchool(request.SchoolId) is null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.NotFound, $"school '{request.SchoolId}' not found: register the school first");
        }

        var role = request.Role ?? DeviceRoles.Gate;
        if (Validation.DeviceFields.CheckRole(role) is not null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, $"unknown role '{(role.Length > 40 ? role[..40] + "…" : role)}'; known roles: {string.Join(", ", DeviceRoles.All)}");
        }

        if (!boards.TryGet(request.Board, out var board, out var boardError))
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, boardError);
        }

        var interval = request.HeartbeatIntervalSeconds ?? Limits.DefaultHeartbeatSeconds;
        if (Validation.DeviceFields.CheckHeartbeatInterval(interval) is not null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, $"heartbeat interval must be {Limits.MinHeartbeatSeconds}-{Limits.MaxHeartbeatSeconds} s, got {interval}");
        }

        var place = (request.Place ?? "").Trim();
        if (Validation.DeviceFields.Place.Check(place) is { } placeError)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, "place: " + placeError);
        }

        if (registry.Find(request.Id!) is not null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Conflict, $"device '{request.Id}' already exists; to put a new controller in its place use replace");
        }

        var registered = registry.Register(request.Id!, request.SchoolId, role, interval);
        if (registered is null)
        {
            // Lost a race with another registration of the same id (or the school vanished in between).
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Conflict, $"device '{request.Id}' already exists; to put a new controller in its place use replace");
        }

        var (device, secret) = registered.Value;
        var now = time.GetUtcNow();
        store.AddPlacement(new DevicePlacement(device.Id, board.Id, place, PlacementStatus.Active, null, null, null, null, null, now, now, actor));
        events.Record("device_registered", device.Id, device.SchoolId, actor, $"role {role}, board {board.Id}{(place.Length > 0 ? ", " + place : "")}");
        return Outcome<IssuedDevice>.Success(Issued(device, board.Id, place, secret));
    }

    /// <summary>
    /// Builds the device's bundle with a fresh credential. The bundle is built once with a placeholder first, so a
    /// request that cannot produce a valid bundle leaves the device's working credential untouched.
    /// </summary>
    public Outcome<ConfigBundle> IssueBundle(string deviceId, BundleRequest request, string actor)
    {
        var device = registry.Find(deviceId);
        if (device is null)
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.NotFound, $"device '{deviceId}' not found");
        }

        var placement = store.FindPlacement(deviceId);
        if (placement is not null && placement.Status != PlacementStatus.Active)
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.Conflict, OutOfService(placement));
        }

        var boardId = placement?.Board;
        if (boardId is null)
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.Invalid, $"device '{deviceId}' was registered without a board: register it through provisioning (gate-admin device add --board)");
        }

        if (!boards.TryGet(boardId, out var board, out var boardError))
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.Invalid, boardError);
        }

        var caPem = ReadCaCertificate(out var caError);
        if (caError is not null)
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.Invalid, caError);
        }

        // A device id that has been heard from has a boot counter and alarm ids on the server: never mass-erase it.
        var heard = device.Firmware is not null || liveness.Find(deviceId)?.LastSeen is not null;
        var target = new BundleDevice(device.Id, device.SchoolId, device.Role, device.HeartbeatIntervalSeconds, heard);
        if (!ConfigBundleBuilder.TryBuild(target, board, new string('x', 32), request, options.Value, caPem, out _, out var error))
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.Invalid, error);
        }

        var secret = registry.RotateCredential(deviceId);
        if (secret is null)
        {
            return Outcome<ConfigBundle>.Fail(ProvisioningError.NotFound, $"device '{deviceId}' not found");
        }

        ConfigBundleBuilder.TryBuild(target, board, secret, request, options.Value, caPem, out var bundle, out _);
        var now = time.GetUtcNow();
        store.NoteCredentialIssued(deviceId, now, actor);
        events.Record("credential_issued", device.Id, device.SchoolId, actor, $"configuration bundle for {board.Id}; the previous credential no longer works");
        return Outcome<ConfigBundle>.Success(bundle);
    }

    /// <summary>Puts a new controller in the old one's place: the old credential is revoked first, its history stays.</summary>
    public async Task<Outcome<IssuedDevice>> ReplaceAsync(string oldId, ReplaceDeviceRequest request, string actor, CancellationToken cancellationToken)
    {
        var old = registry.Find(oldId);
        if (old is null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.NotFound, $"device '{oldId}' not found");
        }

        var placement = store.FindPlacement(oldId);
        if (placement is not null && placement.Status != PlacementStatus.Active)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Conflict, OutOfService(placement));
        }

        if (!Identifier.IsValid(request.NewId))
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, $"new device id '{request.NewId}' must be 1-32 characters of a-z, 0-9 and '-' (not first)");
        }

        if (registry.Find(request.NewId!) is not null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Conflict, $"device '{request.NewId}' already exists; choose a new id for the replacement");
        }

        var boardId = request.Board ?? placement?.Board;
        if (!boards.TryGet(boardId, out var board, out var boardError))
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Invalid, boardError);
        }

        await RevokeAsync(old, actor, $"replaced by {request.NewId}", cancellationToken);
        var registered = registry.Register(request.NewId!, old.SchoolId, old.Role, old.HeartbeatIntervalSeconds);
        if (registered is null)
        {
            return Outcome<IssuedDevice>.Fail(ProvisioningError.Conflict, $"device '{request.NewId}' already exists; choose a new id for the replacement");
        }

        var (device, secret) = registered.Value;
        var now = time.GetUtcNow();
        var place = placement?.Place ?? "";
        if (placement is null)
        {
            // Registered outside provisioning: give the old device a placement so the replacement chain is complete.
            store.AddPlacement(new DevicePlacement(oldId, board.Id, place, PlacementStatus.Active, null, null, null, null, null, null, old.CreatedAt, actor));
        }

        store.EndService(oldId, PlacementStatus.Replaced, device.Id, $"replaced by {device.Id}", now, actor);
        store.AddPlacement(new DevicePlacement(device.Id, board.Id, place, PlacementStatus.Active, oldId, null, null, null, null, now, now, actor));
        events.Record("device_replaced", oldId, old.SchoolId, actor, $"replaced by {device.Id}; credential revoked, history kept");
        events.Record("device_registered", device.Id, device.SchoolId, actor, $"replaces {oldId}, role {device.Role}, board {board.Id}");
        return Outcome<IssuedDevice>.Success(Issued(device, board.Id, place, secret));
    }

    public async Task<Outcome<DevicePlacement>> DecommissionAsync(string deviceId, DecommissionRequest request, string actor, CancellationToken cancellationToken)
    {
        var device = registry.Find(deviceId);
        if (device is null)
        {
            return Outcome<DevicePlacement>.Fail(ProvisioningError.NotFound, $"device '{deviceId}' not found");
        }

        var placement = store.FindPlacement(deviceId);
        if (placement is not null && placement.Status != PlacementStatus.Active)
        {
            return Outcome<DevicePlacement>.Fail(ProvisioningError.Conflict, OutOfService(placement));
        }

        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "decommissioned" : request.Reason.Trim();
        if (Validation.DeviceFields.DecommissionReason.Check(reason) is { } reasonError)
        {
            return Outcome<DevicePlacement>.Fail(ProvisioningError.Invalid, "reason: " + reasonError);
        }

        await RevokeAsync(device, actor, reason, cancellationToken);
        var now = time.GetUtcNow();
        if (placement is null)
        {
            store.AddPlacement(new DevicePlacement(deviceId, "", "", PlacementStatus.Active, null, null, null, null, null, null, device.CreatedAt, actor));
        }

        store.EndService(deviceId, PlacementStatus.Decommissioned, null, reason, now, actor);
        events.Record("device_decommissioned", deviceId, device.SchoolId, actor, reason);
        return Outcome<DevicePlacement>.Success(store.FindPlacement(deviceId)!);
    }

    private async Task RevokeAsync(DeviceRecord device, string actor, string why, CancellationToken cancellationToken)
    {
        registry.RevokeCredential(device.Id);
        events.Record("credential_revoked", device.Id, device.SchoolId, actor, $"{why}: the device can no longer connect");
        liveness.OnCredentialRevoked(device.Id);

        // A connected controller keeps its session until the broker drops it: revocation must take effect now.
        await link.DisconnectDeviceAsync(device.Id, cancellationToken);
    }

    private string? ReadCaCertificate(out string? error)
    {
        error = null;
        var path = options.Value.CaCertificatePath;
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            var pem = File.ReadAllText(path);
            if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                error = $"Provisioning:CaCertificatePath '{path}' is not a PEM certificate";
                return null;
            }

            return pem;
        }
        catch (IOException e)
        {
            error = $"Provisioning:CaCertificatePath '{path}' cannot be read: {e.Message}";
            return null;
        }
    }

    private static string OutOfService(DevicePlacement p) => p.Status == PlacementStatus.Replaced
        ? $"device '{p.DeviceId}' was replaced by '{p.ReplacedBy}' on {p.StatusChangedAt:yyyy-MM-dd}; its credential stays revoked"
        : $"device '{p.DeviceId}' was decommissioned on {p.StatusChangedAt:yyyy-MM-dd} ({p.StatusReason}); its credential stays revoked";

    private static IssuedDevice Issued(DeviceRecord device, string board, string place, string secret) =>
        new(device.Id, device.SchoolId, device.Role, board, place, device.Id, secret, device.Id);
}
