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

        return Task.FromResult(IngestResult.Accepted);
    }
}

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

/// <summary>gate/v1/{school}/{device}/state: bollard and barrier position.</summary>
public sealed class StateHandler(LivenessTracker tracker, Events.EventLog events) : IDeviceMessageHandler
{
    public string Channel => Topics.State;

    public Task<IngestResult> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        if (!WireDecoder.TryDecodeState(message.Payload.Span, out var state, out var error))
        {
            return Task.FromResult(IngestResult.Rejected(error));
        }

        if (state.Device != message.DeviceId)
        {
            return Task.FromResult(IngestResult.Rejected("dev_mismatch"));
        }

        var before = tracker.Find(message.DeviceId)?.Telemetry;
        tracker.OnPosition(message.DeviceId, message.SchoolId, state.Bollard, state.Barrier);
        if (before is null || before.Bollard != state.Bollard || before.Barrier != state.Barrier)
        {
            events.Record("position", message.DeviceId, message.SchoolId, message.DeviceId,
                $"bollard {state.Bollard}, barrier {state.Barrier}", new { state.Bollard, state.Barrier });
        }

        return Task.FromResult(IngestResult.Accepted);
    }
}
