using Gate.Contracts;
using Gate.Server.Events;
using Gate.Server.Forwarding;
using Gate.Server.Mqtt;

namespace Gate.Server.Alarms;

/// <summary>
/// The alarm path: store durably, then tell the device "received"; later stages (forwarded, police_ack, failed,
/// operator_ack) go back to the device as they happen so the guard sees them, and to the status page.
/// </summary>
public sealed class AlarmService(AlarmStore store, IDeviceLink link, ChangeFeed feed, DeviceClock clock, TimeProvider time, ILogger<AlarmService> logger)
    : IDeviceMessageHandler, IDeliveryObserver
{
    public string Channel => Topics.Alarm;

    public async Task<IngestResult> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        if (!Wire.WireDecoder.TryDecodeAlarm(message.Payload.Span, out var alarm, out var error))
        {
            return IngestResult.Rejected(error);
        }

        if (alarm.Device != message.DeviceId || !alarm.Id.StartsWith(message.DeviceId + ".", StringComparison.Ordinal))
        {
            return IngestResult.Rejected("dev_mismatch");
        }

        var raisedAt = clock.Trusted(alarm.Timestamp, message.ReceivedAt, message.DeviceId, Channel);
        AlarmStoreResult stored;
        try
        {
            stored = await store.StoreAsync(alarm, message.SchoolId, raisedAt, message.ReceivedAt, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Alarm {AlarmId} from {Device} could not be stored; no ack sent, the device will re-send", alarm.Id, message.DeviceId);
            return IngestResult.Failed("storage");
        }

        // Durable now: the device may drop it from its outbox.
        await SendAckAsync(message.SchoolId, message.DeviceId, stored.ReceivedId, AckStage.Received, null, cancellationToken);
        // A resend of an alarm stored under its own key (the device's id or one derived from it) learns its later stage too.
        if (stored.Outcome == AlarmOutcome.Duplicate && stored.StoredId == stored.AlarmId && AckStage.Rank(stored.Stage) > AckStage.Rank(AckStage.Received))
        {
            await SendAckAsync(message.SchoolId, message.DeviceId, stored.AlarmId, stored.Stage, null, cancellationToken);
        }

        if (stored.IdReused)
        {
            logger.LogWarning(
                "Device {Device} reused alarm id {AlarmId} for a different alarm (boot counter reset after a flash erase or board swap?); stored as {StoredId}",
                message.DeviceId, alarm.Id, stored.StoredId);
        }

        switch (stored.Outcome)
        {
            case AlarmOutcome.New:
                feed.Publish("alarm", message.DeviceId, message.SchoolId, stored.AlarmId, store.Find(stored.AlarmId));
                break;
            case AlarmOutcome.Folded:
                feed.Publish("alarm_repeat", message.DeviceId, message.SchoolId, stored.AlarmId, store.Find(stored.AlarmId));
                break;
        }

        return IngestResult.Accepted;
    }

    public Task OnForwardedAsync(string alarmId, string receiver, string path, DateTimeOffset at, CancellationToken cancellationToken) =>
        StepAsync(alarmId, AlarmStep.Forwarded, receiver, path, at, AckStage.Forwarded, "forwarded_at", path, cancellationToken);

    public Task OnAcknowledgedAsync(string alarmId, string receiver, string path, DateTimeOffset at, TimeSpan latency, CancellationToken cancellationToken) =>
        StepAsync(alarmId, AlarmStep.PoliceAck, receiver, $"{path}, {latency.TotalMilliseconds:F0} ms", at, AckStage.PoliceAck, "police_ack_at", path, cancellationToken);

    public Task OnDeliveryTroubleAsync(string alarmId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        StepAsync(alarmId, AlarmStep.DeliveryTrouble, "forwarding", reason, at, AckStage.Failed, null, null, cancellationToken);

    /// <summary>A duty officer acknowledges (the guard's light shows it) or resolves an alarm.</summary>
    public async Task<AlarmView?> PersonStepAsync(string alarmId, string step, string user, string? note, CancellationToken cancellationToken)
    {
        var alarm = store.Find(alarmId);
        if (alarm is null || !store.PersonStep(alarm.Id, step, user, note, time.GetUtcNow()))
        {
            return null;
        }

        var updated = store.Find(alarm.Id)!;
        if (step == AlarmStep.OperatorAck && alarm.Stage != AckStage.OperatorAck)
        {
            await SendAckAsync(updated.SchoolId, updated.DeviceId, updated.Id, AckStage.OperatorAck, null, cancellationToken);
        }

        feed.Publish("alarm_" + step, updated.DeviceId, updated.SchoolId, updated.Id, updated);
        return updated;
    }

    /// <summary>When a device comes back, re-send the stage of its recent open alarms: an ack queued while it was away may have been lost.</summary>
    public async Task ReplayAcksAsync(string schoolId, string deviceId, CancellationToken cancellationToken)
    {
        // Oldest first, so when a reused id maps several stored alarms to one device id, the newest one's stage wins.
        var latest = new Dictionary<string, (string Id, string Stage)>(StringComparer.Ordinal);
        foreach (var (id, stage) in store.RecentUnresolved(deviceId, time.GetUtcNow().AddDays(-1)))
        {
            latest[AlarmIds.ForDevice(id)] = (id, stage);
        }

        foreach (var (id, stage) in latest.Values)
        {
            await SendAckAsync(schoolId, deviceId, id, stage, null, cancellationToken);
        }
    }

    private async Task StepAsync(string alarmId, string step, string actor, string? detail, DateTimeOffset at, string stage, string? timeColumn, string? path, CancellationToken cancellationToken)
    {
        var result = await store.AddStepAsync(alarmId, step, actor, detail, at, stage, timeColumn, cancellationToken);
        if (result is null)
        {
            logger.LogWarning("Delivery step {Step} for unknown alarm {AlarmId}", step, alarmId);
            return;
        }

        var (deviceId, schoolId, _, advanced) = result.Value;
        if (advanced)
        {
            await SendAckAsync(schoolId, deviceId, alarmId, stage, path, cancellationToken);
        }

        feed.Publish("alarm_" + step, deviceId, schoolId, alarmId, store.Find(alarmId));
    }

    /// <summary>Acks carry the id the device sent: a key derived for a reused id is the server's alone.</summary>
    private async Task SendAckAsync(string schoolId, string deviceId, string alarmId, string stage, string? path, CancellationToken cancellationToken)
    {
        var ack = new AlarmAck { Id = AlarmIds.ForDevice(alarmId), Stage = stage, Timestamp = time.GetUtcNow().UtcDateTime, Path = path! };
        try
        {
            await link.PublishToDeviceAsync(schoolId, deviceId, Topics.Ack, Wire.WireEncoder.EncodeAck(ack), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The alarm is stored; the device re-sends it and gets "received" again, and later stages are replayed on reconnect.
            logger.LogWarning(ex, "Could not send ack {Stage} for {AlarmId} to {Device}", stage, alarmId, deviceId);
        }
    }
}
