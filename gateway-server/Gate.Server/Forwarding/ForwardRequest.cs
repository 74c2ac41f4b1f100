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

/// <summary>
/// Told of each delivery step by the forwarding service. The Alarms feature implements it: it records the step in the
/// alarm's history, sends the matching ack stage down to the device, and pushes the change to the status page.
/// </summary>
public interface IDeliveryObserver
{
    Task OnForwardedAsync(string alarmId, string receiver, string path, DateTimeOffset at, CancellationToken cancellationToken);

    Task OnAcknowledgedAsync(string alarmId, string receiver, string path, DateTimeOffset at, TimeSpan latency, CancellationToken cancellationToken);

    Task OnDeliveryTroubleAsync(string alarmId, string reason, DateTimeOffset at, CancellationToken cancellationToken);
}
