using Microsoft.Extensions.Options;

namespace Gate.Server.Mqtt;

/// <summary>
/// The one way out to the devices, owned by the MQTT module: Alarms, Commands, Liveness and Provisioning publish and
/// disconnect through this <see cref="IDeviceLink"/>. It depends on nothing but the options; the broker side that the
/// configuration chose (embedded broker or external broker client) is attached before it starts. So the inbound path
/// (broker → router → handlers) and the outbound one (handlers → broker) are two plain constructor graphs, not a cycle
/// the container could only close with a service locator.
/// </summary>
public sealed class DeviceOutbound(IOptions<MqttOptions> options) : IDeviceLink
{
    private IDeviceLink? _broker;

    public bool IsEmbedded => options.Value.IsEmbedded;

    /// <summary>Called once by the MQTT module, before the chosen broker side starts.</summary>
    internal void Attach(IDeviceLink broker) => Volatile.Write(ref _broker, broker);

    public Task PublishToDeviceAsync(string schoolId, string deviceId, string channel, byte[] payload, CancellationToken cancellationToken) =>
        (Volatile.Read(ref _broker) ?? throw new InvalidOperationException("no broker is running"))
            .PublishToDeviceAsync(schoolId, deviceId, channel, payload, cancellationToken);

    /// <summary>Nothing to drop before a broker runs: no device can be connected.</summary>
    public Task DisconnectDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        Volatile.Read(ref _broker)?.DisconnectDeviceAsync(deviceId, cancellationToken) ?? Task.CompletedTask;
}
