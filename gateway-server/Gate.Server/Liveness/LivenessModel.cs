namespace Gate.Server.Liveness;

public static class LivenessState
{
    public const string NeverSeen = "never_seen";
    public const string Unknown = "unknown";
    public const string Online = "online";
    public const string Late = "late";
    public const string Offline = "offline";
}

public static class LivenessReason
{
    public const string Registered = "registered";
    public const string Heartbeat = "heartbeat";
    public const string Connected = "connected";
    public const string StatusOnline = "status_online";
    public const string LastWill = "last_will";
    public const string MissedHeartbeats = "missed_heartbeats";
    public const string CleanDisconnect = "clean_disconnect";
    public const string CredentialRevoked = "credential_revoked";
    public const string ServerRestart = "server_restart";
}

/// <summary>
/// One heartbeat as the bar strip shows it; <c>Gap</c> when heartbeats were missed just before it. A struct: kept inline
/// in each device's ring, so a heartbeat leaves no new object alive for the garbage collector to copy.
/// </summary>
public readonly record struct HeartbeatMark(DateTimeOffset At, long Sequence, bool Gap);

public sealed record DeviceTelemetry(
    string? Firmware,
    int? BootCount,
    string? ResetReason,
    int? Rssi,
    bool? Mains,
    int? BatteryMillivolts,
    int? OutboxDepth,
    int? FreeMemory,
    bool? Drill,
    string? Panic,
    string? Duress,
    bool? Tamper,
    string? Bollard,
    string? Barrier,
    double? ClockSkewSeconds);

public sealed record LivenessSnapshot(
    string DeviceId,
    string SchoolId,
    string State,
    string? Reason,
    DateTimeOffset? Since,
    DateTimeOffset? LastSeen,
    int IntervalSeconds,
    bool Connected,
    bool Flapping,
    DeviceTelemetry Telemetry,
    IReadOnlyList<HeartbeatMark> Marks);

public sealed record LivenessTransition(string DeviceId, string SchoolId, string From, string To, string Reason, DateTimeOffset At);
