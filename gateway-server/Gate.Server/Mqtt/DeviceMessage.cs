using Gate.Server.Devices;

namespace Gate.Server.Mqtt;

/// <summary>One message from a device, after its topic, owner and size were checked.</summary>
public sealed record DeviceMessage(DeviceRecord Device, string Channel, ReadOnlyMemory<byte> Payload, bool Retained, DateTimeOffset ReceivedAt)
{
    public string DeviceId => Device.Id;

    public string SchoolId => Device.SchoolId;
}
