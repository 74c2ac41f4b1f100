namespace Gate.Server.Forwarding;

/// <summary>What the forwarder needs to send one alarm (or restore, trouble, test) to the police platform.</summary>
public sealed record ForwardRequest(
    string AlarmId,
    string SchoolId,
    string DeviceId,
    string Kind,
    int Zone,
    bool Restore,
    bool IsTest,
    DateTimeOffset RaisedAt,
    string? Detail);
