using Gate.Contracts;
using Gate.Server.Events;
using Gate.Server.Forwarding;
using Gate.Server.Mqtt;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Alarms;

/// <summary>
/// The alarm path: store durably, then tell the device "received"; later stages (forwarded, police_ack, failed,
/// operator_ack) go back to the device as they happen so the guard sees them, and to the status page. The delivery
/// stages are recorded through <see cref="IDeliveryProgress"/>, inside the forwarder's own transaction, and announced
/// once it has committed.
/// </summary>
public sealed class AlarmService(AlarmStore store, IDeviceLink link, ChangeFeed feed, DeviceClock clock, TimeProvider time, Metrics.GateMetrics metrics, ILogger<AlarmService> logger, DeliveryLatency? latency = null)
    : IDeviceMessageHandler, IDeliveryProgress
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

        using var scope = AlarmLogScope.Begin(logger, alarm.Id, message.DeviceId);

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

        if (stored.Outcome == AlarmOutcome.New)
        {
            metrics.AlarmStage(AckStage.Received, stored.IsTest);
            latency?.Record(DeliveryStage.PressToStored, time.GetUtcNow() - raisedAt);
        }

        // Durable now: the device may drop it from its outbox.
        await SendAckAsync(message.SchoolId, message.DeviceId, stored.ReceivedId, AckStage.Received, null, cancellationToken);
        // A resend of an alarm stored under its own key (the device's id or one derived from it) learns its later stage too.
        if (stored.Outcome == AlarmOutcome.Duplicate && stored.StoredId == stored.AlarmId && AlarmStage.IsPastReceived(stored.Stage))
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

    public DeliveryAnnouncement? Forwarded(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string receiver, string path, DateTimeOffset at) =>
        Announcement(store.RecordForwarded(connection, transaction, alarmId, receiver, path, at), alarmId, AlarmStep.Forwarded, AckStage.Forwarded, path);

    public DeliveryAnnouncement? PoliceAcknowledged(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string receiver, string path, DateTimeOffset at, TimeSpan latency) =>
        Announcement(store.RecordPoliceAck(connection, transaction, alarmId, receiver, $"{path}, {latency.TotalMilliseconds:F0} ms", at), alarmId, AlarmStep.PoliceAck, AckStage.PoliceAck, path);

    public DeliveryAnnouncement? DeliveryTrouble(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string reason, DateTimeOffset at) =>
        Announcement(store.RecordDeliveryTrouble(connection, transaction, alarmId, reason, at), alarmId, AlarmStep.DeliveryTrouble, AckStage.Failed, null);

    /// <summary>A duty officer acknowledges (the guard's light shows it) or resolves an alarm.</summary>
    public async Task<AlarmView?> PersonStepAsync(string alarmId, string step, string user, string? note, CancellationToken cancellationToken)
    {
        var alarm = store.Find(alarmId);
        if (alarm is null)
        {
            return null;
        }

        using var scope = AlarmLogScope.Begin(logger, alarm.Id, alarm.DeviceId);

        switch (await store.PersonStepAsync(alarm.Id, step, user, note, time.GetUtcNow(), cancellationToken))
        {
            case PersonStepOutcome.NotFound:
                return null;
            case PersonStepOutcome.AlreadyDone:
                // The same answer as the first time, and nothing announced: nothing changed.
                return store.Find(alarm.Id);
        }

        var updated = store.Find(alarm.Id)!;
        if (step == AlarmStep.Resolved || updated.Stage != alarm.Stage)
        {
            metrics.AlarmStage(step == AlarmStep.Resolved ? AlarmStatus.Resolved : updated.Stage, updated.IsTest);
        }

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

    /// <summary>Once the step is committed: the new stage to the device (only when it moved), the change to the status page.</summary>
    private DeliveryAnnouncement? Announcement(AlarmProgress? progress, string alarmId, string step, string stage, string? path)
    {
        if (progress is not { } recorded)
        {
            logger.LogWarning("Delivery step {Step} for unknown alarm {AlarmId}", step, alarmId);
            return null;
        }

        return async cancellationToken =>
        {
            var view = store.Find(alarmId);
            if (recorded.Advanced && view is not null)
            {
                // Counted before the device hears of it: whoever saw the ack sees the counter moved.
                metrics.AlarmStage(stage, view.IsTest);
                if (stage == AckStage.PoliceAck && view.PoliceAckAt is { } acked)
                {
                    metrics.PoliceAcknowledged(acked - view.RaisedAt, view.IsTest);
                }
            }

            if (recorded.Advanced)
            {
                await SendAckAsync(recorded.SchoolId, recorded.DeviceId, alarmId, stage, path, cancellationToken);
            }

            feed.Publish("alarm_" + step, recorded.DeviceId, recorded.SchoolId, alarmId, view);
        };
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
