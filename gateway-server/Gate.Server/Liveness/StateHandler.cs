using Gate.Contracts;
using Gate.Server.Mqtt;
using Gate.Server.Wire;

namespace Gate.Server.Liveness;

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
