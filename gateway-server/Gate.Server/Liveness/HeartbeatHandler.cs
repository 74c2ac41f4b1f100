using Gate.Contracts;
using Gate.Server.Devices;
using Gate.Server.Mqtt;
using Gate.Server.Wire;
using Microsoft.Extensions.Options;

namespace Gate.Server.Liveness;

/// <summary>gate/v1/{school}/{device}/heartbeat: the hot path (17,000/s at province scale), memory only.</summary>
public sealed class HeartbeatHandler(LivenessTracker tracker, DeviceRegistry registry, DeviceClock clock, IngestCounters counters, IOptions<LivenessOptions> options)
    : IDeviceMessageHandler
{
    /// <summary>One completed task for every accepted heartbeat instead of a new one each (17,000/s at province scale).</summary>
    private static readonly Task<IngestResult> Accepted = Task.FromResult(IngestResult.Accepted);

    public string Channel => Topics.Heartbeat;

    public Task<IngestResult> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        if (!WireDecoder.TryDecodeHeartbeat(message.Payload.Span, out var heartbeat, out var error))
        {
            return Task.FromResult(IngestResult.Rejected(error));
        }

        if (heartbeat.Device != message.DeviceId)
        {
            return Task.FromResult(IngestResult.Rejected("dev_mismatch"));
        }

        var skew = clock.Skew(heartbeat.Timestamp, message.ReceivedAt);
        if (skew is { } s && Math.Abs(s) > options.Value.MaxClockSkewSeconds)
        {
            counters.Flagged("clock_skew", message.DeviceId, $"heartbeat dated {s:F0}s from server time");
        }

        tracker.OnHeartbeat(message.DeviceId, message.SchoolId, heartbeat, skew);
        if (message.Device.Firmware != heartbeat.Firmware)
        {
            registry.NoteFirmware(message.DeviceId, heartbeat.Firmware);
        }

        return Accepted;
    }
}
