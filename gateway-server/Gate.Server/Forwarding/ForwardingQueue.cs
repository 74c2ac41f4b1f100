using Microsoft.Data.Sqlite;

namespace Gate.Server.Forwarding;

/// <summary>The forwarding outbox in SQLite. Alarms are enqueued in the same transaction that stores them.</summary>
public static class ForwardingQueue
{
    /// <summary>
    /// Adds the alarm to the forwarding outbox inside the caller's transaction (the alarm insert's), so an alarm is
    /// never stored without being queued for the police, nor queued without being stored. Enqueuing the same alarm
    /// id twice is a no-op (a device that resends an alarm must not page the police twice).
    /// The forwarding service is woken at once; it sees the row as soon as the caller commits.
    /// </summary>
    public static void Enqueue(SqliteConnection connection, SqliteTransaction transaction, ForwardRequest request)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(request);

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // enqueued_at comes from SQLite's clock: this static seam has no TimeProvider, and the value only feeds the
        // reported end-to-end latency. next_attempt_ms NULL means "due now" whatever clock the service runs on.
        command.CommandText = """
            INSERT INTO forward_queue (alarm_id, school_id, device_id, kind, zone, restore, is_test, raised_at, detail, enqueued_at)
            VALUES ($alarm, $school, $device, $kind, $zone, $restore, $test, $raised, $detail, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ON CONFLICT(alarm_id) DO NOTHING;
            """;
        command.Parameters.AddWithValue("$alarm", request.AlarmId);
        command.Parameters.AddWithValue("$school", request.SchoolId);
        command.Parameters.AddWithValue("$device", request.DeviceId);
        command.Parameters.AddWithValue("$kind", request.Kind);
        command.Parameters.AddWithValue("$zone", request.Zone);
        command.Parameters.AddWithValue("$restore", request.Restore ? 1 : 0);
        command.Parameters.AddWithValue("$test", request.IsTest ? 1 : 0);
        command.Parameters.AddWithValue("$raised", ForwardingTime.Format(request.RaisedAt));
        command.Parameters.AddWithValue("$detail", (object?)request.Detail ?? DBNull.Value);
        command.ExecuteNonQuery();

        ForwardingSignal.For(connection.DataSource).Notify(request.AlarmId);
    }
}
