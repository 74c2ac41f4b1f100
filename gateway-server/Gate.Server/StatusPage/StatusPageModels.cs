namespace Gate.Server.StatusPage;

/// <summary>
/// One tile of the technician grid: the device facts the grid and the device page share. <see cref="State"/> is the
/// page's word: online, late, offline, never.
/// </summary>
public record DeviceTile(
    string Id,
    string Name,
    string SchoolId,
    string SchoolName,
    string District,
    string State,
    string? Reason,
    DateTimeOffset? Since,
    DateTimeOffset? LastSeen,
    int IntervalS,
    string? Firmware,
    int? Rssi,
    bool? Mains,
    int? BatteryMv,
    int? Outbox,
    bool Drill,
    bool Flapping,
    string? Bollard,
    string? Barrier,
    IReadOnlyList<bool> Beats);

/// <summary>
/// A device's page: its tile plus what was recorded when it was registered and commissioned. Derived rather than
/// wrapping the tile, so the JSON stays one flat object, as the page reads it.
/// </summary>
public sealed record DeviceDetail : DeviceTile
{
    public DeviceDetail(DeviceTile tile, IReadOnlyDictionary<string, object?> commissioning)
        : base(tile)
    {
        Commissioning = commissioning;
    }

    public IReadOnlyDictionary<string, object?> Commissioning { get; init; }
}

/// <summary>One line of a device's history. Category: liveness, alarm, command, config, audit.</summary>
public sealed record DeviceHistoryEntry(DateTimeOffset At, string Category, string Kind, string? Detail, string? Actor);

/// <summary>How far an alarm has got towards the police.</summary>
public sealed record DeliveryTrail(
    string Stage,
    DateTimeOffset? ForwardedAt,
    DateTimeOffset? PoliceAckAt,
    long? LatencyMs,
    string? Path,
    int Attempts,
    bool Trouble,
    string? TroubleReason,
    string? LastError = null);

/// <summary>One card of the duty console.</summary>
public sealed record DutyAlarm(
    string Id,
    string DeviceId,
    string DeviceName,
    string SchoolId,
    string SchoolName,
    string District,
    string Kind,
    int Zone,
    bool IsTest,
    bool LifeSafety,
    bool Restore,
    int Count,
    string? Detail,
    DateTimeOffset RaisedAt,
    DateTimeOffset ReceivedAt,
    string Status,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? Note,
    DeliveryTrail Delivery);
