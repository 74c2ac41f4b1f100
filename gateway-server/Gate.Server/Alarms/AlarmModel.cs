namespace Gate.Server.Alarms;

public static class AlarmStatus
{
    public const string Open = "open";
    public const string Resolved = "resolved";
}

/// <summary>Steps of an alarm's history, in the order they normally happen.</summary>
public static class AlarmStep
{
    public const string Raised = "raised";
    public const string Received = "received";
    public const string Repeat = "repeat";
    public const string IdReused = "id_reused";
    public const string Restored = "restored";
    public const string Forwarded = "forwarded";
    public const string PoliceAck = "police_ack";
    public const string DeliveryTrouble = "delivery_trouble";
    public const string OperatorAck = "operator_ack";
    public const string Resolved = "resolved";
}

public enum AlarmOutcome
{
    /// <summary>A new alarm: stored, enqueued for forwarding.</summary>
    New,

    /// <summary>An id already stored (the device re-sent it): nothing changes, the ack is sent again.</summary>
    Duplicate,

    /// <summary>Another alarm of a kind already open on the device: its count went up (storm control).</summary>
    Folded,
}

/// <summary>
/// What storing one alarm did. <c>AlarmId</c> is the record it lives in; <c>ReceivedId</c> is the id the device sent.
/// <c>StoredId</c> is the key the alarm itself was stored (or folded) under: the device's id, or a derived one when
/// <c>IdReused</c> says the device sent a different alarm under an id already stored.
/// </summary>
public sealed record AlarmStoreResult(AlarmOutcome Outcome, string AlarmId, string ReceivedId, string Stage, bool IsTest, bool IdReused = false, string? StoredId = null);

/// <summary>What recording a delivery step did to an alarm: its device and school, its stage now, and whether it moved.</summary>
public sealed record AlarmProgress(string DeviceId, string SchoolId, string Stage, bool Advanced);

public sealed record AlarmStepView(DateTimeOffset At, string Step, string Actor, string? Detail);

public sealed record AlarmView(
    string Id,
    string DeviceId,
    string SchoolId,
    string Kind,
    int Zone,
    bool Restore,
    bool IsTest,
    bool LifeSafety,
    int Count,
    string? Detail,
    DateTimeOffset? DeviceTimestamp,
    DateTimeOffset RaisedAt,
    DateTimeOffset ReceivedAt,
    string Stage,
    string Status,
    DateTimeOffset? LastRepeatAt,
    DateTimeOffset? ForwardedAt,
    DateTimeOffset? PoliceAckAt,
    DateTimeOffset? OperatorAckAt,
    string? OperatorAckBy,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    IReadOnlyList<AlarmStepView> Steps);

/// <summary>One alarm as a line of a device's history.</summary>
public sealed record DeviceAlarmLine(DateTimeOffset ReceivedAt, string Kind, string Status, bool Restore, bool PoliceAcked, string? OperatorAckBy);

/// <summary>
/// An alarm as the duty console needs it: the alarm, and its steps summarised. <see cref="ForwardSteps"/> counts the
/// forwarded and trouble steps, <see cref="TroubleSteps"/> the trouble ones; <see cref="Note"/> is the last note a
/// person left when acknowledging or resolving; <see cref="ForwardedPath"/> the path of its last forward.
/// </summary>
public sealed record UnresolvedAlarm(
    string Id,
    string DeviceId,
    string SchoolId,
    string Kind,
    int Zone,
    bool IsTest,
    bool Restore,
    int Count,
    string? Detail,
    DateTimeOffset RaisedAt,
    DateTimeOffset ReceivedAt,
    string Stage,
    string Status,
    DateTimeOffset? ForwardedAt,
    DateTimeOffset? PoliceAckAt,
    DateTimeOffset? OperatorAckAt,
    string? OperatorAckBy,
    int ForwardSteps,
    int TroubleSteps,
    string? Note,
    string? ForwardedPath);
