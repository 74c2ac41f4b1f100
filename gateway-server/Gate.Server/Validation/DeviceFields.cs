using Gate.Contracts;
using Gate.Server.Provisioning;

namespace Gate.Server.Validation;

/// <summary>What a device record and its installation details may hold; the API, provisioning and gate-admin's answers all come from here.</summary>
public static class DeviceFields
{
    public const string IdRule = "1-32 characters of a-z, 0-9 and '-' (not first)";

    /// <summary>Where the controller is mounted ("north gate").</summary>
    public static readonly TextRule Place = new(200);

    /// <summary>Why a controller was taken out of service.</summary>
    public static readonly TextRule DecommissionReason = new(200);

    /// <summary>The person at the gate during an acceptance test.</summary>
    public static readonly TextRule Technician = new(100, Required: true);

    public static string? CheckId(string? id) => Identifier.IsValid(id) ? null : IdRule;

    public static string? CheckRole(string? role) =>
        role is null || DeviceRoles.All.Contains(role) ? null : "one of " + string.Join(", ", DeviceRoles.All);

    public static string? CheckHeartbeatInterval(int seconds) =>
        seconds is < Limits.MinHeartbeatSeconds or > Limits.MaxHeartbeatSeconds ? $"{Limits.MinHeartbeatSeconds}-{Limits.MaxHeartbeatSeconds}" : null;
}
