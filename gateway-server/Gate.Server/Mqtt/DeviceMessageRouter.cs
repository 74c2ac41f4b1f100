using Gate.Contracts;
using Gate.Server.Devices;

namespace Gate.Server.Mqtt;

/// <summary>
/// Every device message, from the embedded broker or an external one, comes through here: topic parsed, the sender
/// checked against the topic's owner, the device looked up, the size checked before any parsing, then one handler.
/// A bad message is refused with a reason and counted; nothing thrown here reaches the broker.
/// </summary>
public sealed class DeviceMessageRouter
{
    private readonly Dictionary<string, IDeviceMessageHandler> _handlers;
    private readonly DeviceRegistry _registry;
    private readonly IngestCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<DeviceMessageRouter> _logger;

    public DeviceMessageRouter(IEnumerable<IDeviceMessageHandler> handlers, DeviceRegistry registry, IngestCounters counters, TimeProvider time, ILogger<DeviceMessageRouter> logger)
    {
        _handlers = handlers.ToDictionary(h => h.Channel, StringComparer.Ordinal);
        _registry = registry;
        _counters = counters;
        _time = time;
        _logger = logger;
    }

    /// <param name="senderDeviceId">The authenticated sender (embedded broker); null when an external broker's ACL already checked it.</param>
    public async Task<IngestResult> HandleAsync(string topic, ReadOnlyMemory<byte> payload, string? senderDeviceId, bool retained, CancellationToken cancellationToken)
    {
        if (!Topics.TryParse(topic, out var school, out var deviceId, out var channel))
        {
            return Refuse("bad_topic", senderDeviceId, topic);
        }

        if (senderDeviceId is not null && senderDeviceId != deviceId)
        {
            return Refuse("foreign_topic", senderDeviceId, topic);
        }

        if (!Topics.IsDevicePublishChannel(channel) || !_handlers.TryGetValue(channel, out var handler))
        {
            return Refuse("not_publish_channel", deviceId, topic);
        }

        var device = _registry.Find(deviceId);
        if (device is null)
        {
            return Refuse("unknown_device", deviceId, topic);
        }

        if (device.SchoolId != school)
        {
            return Refuse("wrong_school", deviceId, topic, $"registered at {device.SchoolId}");
        }

        if (payload.Length > Limits.MaxPayloadBytes)
        {
            return Refuse(channel + ":" + RejectReason.TooLarge, deviceId, topic, $"{payload.Length} bytes");
        }

        IngestResult result;
        try
        {
            result = await handler.HandleAsync(new DeviceMessage(device, channel, payload, retained, _time.GetUtcNow()), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Handling {Channel} from {Device} failed", channel, deviceId);
            result = IngestResult.Failed("internal_error");
        }

        if (result.Ok)
        {
            _counters.Accepted(channel);
            return result;
        }

        return Refuse(channel + ":" + result.Reason, deviceId, topic, null, result.Retry);
    }

    private IngestResult Refuse(string reason, string? deviceId, string topic, string? detail = null, bool retry = false)
    {
        _counters.Rejected(reason, deviceId, topic, detail);
        return new IngestResult(false, reason, retry);
    }
}
