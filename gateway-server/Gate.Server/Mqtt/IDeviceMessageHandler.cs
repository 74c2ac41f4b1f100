namespace Gate.Server.Mqtt;

/// <summary>Handles one channel (topic leaf) of the device topic tree.</summary>
public interface IDeviceMessageHandler
{
    string Channel { get; }

    Task<IngestResult> HandleAsync(DeviceMessage message, CancellationToken cancellationToken);
}
