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
    /// <remarks>
    /// Not an async method: a handler that finishes at once (every heartbeat) hands back its own completed task, which is
    /// returned as it is, instead of the state machine's new Task for every message.
    /// </remarks>
    public Task<IngestResult> HandleAsync(string topic, ReadOnlyMemory<byte> payload, string? senderDeviceId, bool retained, CancellationToken cancellationToken)
    {
        if (!Topics.TryParse(topic, out var school, out var deviceId, out var channel))
        {
            return Task.FromResult(Refuse("bad_topic", senderDeviceId, topic));
        }

        if (senderDeviceId is not null && senderDeviceId != deviceId)
        {
            return Task.FromResult(Refuse("foreign_topic", senderDeviceId, topic));
        }

        if (!Topics.IsDevicePublishChannel(channel) || !_handlers.TryGetValue(channel, out var handler))
        {
            return Task.FromResult(Refuse("not_publish_channel", deviceId, topic));
        }

        var device = _registry.Find(deviceId);
        if (device is null)
        {
            return Task.FromResult(Refuse("unknown_device", deviceId, topic));
        }

        if (device.SchoolId != school)
        {
            return Task.FromResult(Refuse("wrong_school", deviceId, topic, $"registered at {device.SchoolId}"));
        }

        if (payload.Length > Limits.MaxPayloadBytes)
        {
            return Task.FromResult(Refuse(channel + ":" + RejectReason.TooLarge, deviceId, topic, $"{payload.Length} bytes"));
        }

        Task<IngestResult> handling;
        try
        {
            handling = handler.HandleAsync(new DeviceMessage(device, channel, payload, retained, _time.GetUtcNow()), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromResult(Failed(ex, channel, deviceId, topic));
        }

        if (handling.IsCompletedSuccessfully && handling.Result.Ok)
        {
            _counters.Accepted(channel);
            return handling;
        }

        return FinishAsync(handling, channel, deviceId, topic);
    }

    private async Task<IngestResult> FinishAsync(Task<IngestResult> handling, string channel, string deviceId, string topic)
    {
        IngestResult result;
        try
        {
            result = await handling;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(ex, channel, deviceId, topic);
        }

        if (result.Ok)
        {
            _counters.Accepted(channel);
            return result;
        }

        return Refuse(channel + ":" + result.Reason, deviceId, topic, null, result.Retry);
    }

    private IngestResult Failed(Exception ex, string channel, string deviceId, string topic)
    {
        _logger.LogError(ex, "Handling {Channel} from {Device} failed", channel, deviceId);
        var result = IngestResult.Failed("internal_error");
        return Refuse(channel + ":" + result.Reason, deviceId, topic, null, result.Retry);
    }

    private IngestResult Refuse(string reason, string? deviceId, string topic, string? detail = null, bool retry = false)
    {
        _counters.Rejected(reason, deviceId, topic, detail);
        return new IngestResult(false, reason, retry);
    }
}
