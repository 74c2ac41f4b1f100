namespace Gate.Server.Forwarding;

/// <summary>What the school table tells the forwarders: the account at the police receiver and where the gate is.</summary>
public sealed record SchoolInfo(string Id, string? Name, string? PoliceAccount, double? Latitude, double? Longitude);

/// <summary>One queued alarm as the forwarders see it.</summary>
/// <param name="Dc09Sequence">The DC-09 sequence number this alarm went out with first, reused by every resend.</param>
public sealed record ForwardItem(long Seq, ForwardRequest Request, int Attempts, DateTimeOffset EnqueuedAt, SchoolInfo? School, int? Dc09Sequence = null);

public enum ForwardOutcome
{
    /// <summary>The receiver acknowledged: delivered.</summary>
    Acknowledged,

    /// <summary>The receiver answered that it cannot process this message (DC-09 DUH, HTTP 400/413/415/422).</summary>
    Rejected,

    /// <summary>No acknowledgement (timeout, refused connection, NAK, garbage, 5xx): try again later.</summary>
    Failed,

    /// <summary>Could not even be sent on this path (e.g. the school has no account at this receiver).</summary>
    NotSendable,
}

/// <summary>One try on one path; becomes a row of the delivery trail.</summary>
/// <param name="Sequence">The DC-09 sequence number the message carried, kept with the alarm for resends.</param>
public sealed record ForwardAttempt(ForwardOutcome Outcome, string Response, string Detail, TimeSpan Latency, int? Sequence = null)
{
    public static ForwardAttempt NotSendable(string detail) => new(ForwardOutcome.NotSendable, string.Empty, detail, TimeSpan.Zero);
}

/// <summary>A way to the police: a DC-09 receiver (primary or backup) or a webhook.</summary>
public interface IAlarmForwarder
{
    /// <summary>"primary", "backup" or "webhook": what the trail and the device's ack show.</summary>
    string Path { get; }

    /// <summary>Where it goes, for people: e.g. dc09+tcp://10.0.0.5:12000.</summary>
    string Receiver { get; }

    /// <summary>Whether <see cref="SuperviseAsync"/> tests the link (DC-09 NULL messages).</summary>
    bool SupportsSupervision { get; }

    Task<ForwardAttempt> ForwardAsync(ForwardItem item, CancellationToken cancellationToken);

    Task<ForwardAttempt> SuperviseAsync(CancellationToken cancellationToken);
}

/// <summary>The delivery trail of one alarm, as the API shows it.</summary>
public sealed record AlarmDelivery(
    string AlarmId,
    string SchoolId,
    string State,
    int Attempts,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? Receiver,
    string? Path,
    double? LatencyMs,
    string? LastError,
    DateTimeOffset? TroubleAt,
    IReadOnlyList<DeliveryAttemptView> Trail);

public sealed record DeliveryAttemptView(DateTimeOffset At, string Receiver, string Path, string Outcome, string? Response, double LatencyMs);

public sealed record QueueSummary(int Pending, int Rejected, int Troubled, DateTimeOffset? OldestPendingAt);

public static class ForwardState
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";

    /// <summary>Every receiver said it cannot process it: kept, shown as a trouble, not resent unchanged.</summary>
    public const string Rejected = "rejected";
}

/// <summary>An alarm's delivery trail in brief: how many tries, and the outcome and answer of the last failed one.</summary>
public sealed record AttemptSummary(int Attempts, string? LastFailedOutcome, string? LastFailedResponse);
