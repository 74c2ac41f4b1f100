namespace Gate.Server.Mqtt;

/// <summary>The way to a device: the embedded broker or the external broker connection.</summary>
public interface IDeviceLink
{
    bool IsEmbedded { get; }

    /// <summary>Publishes QoS 1, not retained, to gate/v1/{school}/{device}/{channel}; queued by the broker if the device is away.</summary>
    Task PublishToDeviceAsync(string schoolId, string deviceId, string channel, byte[] payload, CancellationToken cancellationToken);

    /// <summary>Drops the device's connection (after its credential is revoked). No-op for an external broker.</summary>
    Task DisconnectDeviceAsync(string deviceId, CancellationToken cancellationToken);
}
