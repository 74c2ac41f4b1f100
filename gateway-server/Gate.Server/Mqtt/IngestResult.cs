namespace Gate.Server.Mqtt;

/// <summary>What became of one message. <c>Retry</c>: not the message's fault (e.g. storage failed); do not acknowledge it.</summary>
public readonly record struct IngestResult(bool Ok, string? Reason, bool Retry = false)
{
    public static readonly IngestResult Accepted = new(true, null);

    public static IngestResult Rejected(string reason) => new(false, reason);

    public static IngestResult Failed(string reason) => new(false, reason, true);
}
