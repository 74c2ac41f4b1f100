namespace Gate.Server.Security;

/// <summary>
/// The audit trail: event-log types that record who got in, who was kept out and whose credentials changed. The status
/// page and GET /api/events?category=security filter on this list; types about people and keys (which name accounts an
/// attacker may be guessing) are shown to admins only.
/// </summary>
public static class SecurityEvents
{
    public const string Category = "security";

    public const string LoginFailed = "login_failed";
    public const string LoginLocked = "login_locked";
    public const string UserCreated = "user_created";
    public const string ApiKeyCreated = "api_key_created";
    public const string ApiKeyRevoked = "api_key_revoked";
    public const string CredentialIssued = "credential_issued";
    public const string CredentialRevoked = "credential_revoked";
    public const string DeviceRegistered = "device_registered";
    public const string DeviceReplaced = "device_replaced";
    public const string DeviceDecommissioned = "device_decommissioned";
    public const string BackupWritten = "backup_written";

    /// <summary>Every security event type.</summary>
    public static readonly string[] All =
    [
        LoginFailed, LoginLocked, UserCreated, ApiKeyCreated, ApiKeyRevoked,
        CredentialIssued, CredentialRevoked, DeviceRegistered, DeviceReplaced, DeviceDecommissioned, BackupWritten,
    ];

    /// <summary>Types that only admins see; device credential events stay in a device's history for technicians.</summary>
    public static readonly string[] AdminOnly = [LoginFailed, LoginLocked, UserCreated, ApiKeyCreated, ApiKeyRevoked, BackupWritten];
}
