using Gate.Contracts;
using Gate.Server.Mqtt;
using Gate.Server.Wire;

namespace Gate.Server.Liveness;

/// <summary>gate/v1/{school}/{device}/status: "online" on connect, "offline" as the last will.</summary>
public sealed class StatusHandler(LivenessTracker tracker, IDeviceLink link) : IDeviceMessageHandler
{
    public string Channel => Topics.Status;

    public Task<IngestResult> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        if (!WireDecoder.TryDecodeStatus(message.Payload.Span, out var status, out var error))
        {
            return Task.FromResult(IngestResult.Rejected(error));
        }

        tracker.OnStatus(message.DeviceId, message.SchoolId, status == Topics.Online, link.IsEmbedded);
        return Task.FromResult(IngestResult.Accepted);
    }
}
