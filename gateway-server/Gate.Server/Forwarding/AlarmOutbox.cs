using Gate.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Forwarding;

/// <summary>
/// The outbox to the police (forward_queue), eShop-style: the Alarms feature writes an alarm's row inside the
/// transaction that stores the alarm, so an alarm is never stored without being queued for the police, nor queued
/// without being stored; once that transaction has committed it calls <see cref="Wake"/>, and the forwarding service
/// looks at the outbox at once instead of at its next timer. One per database (a singleton), nothing static.
/// </summary>
public sealed class AlarmOutbox(TimeProvider time)
{
    private readonly object _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _woken;

    /// <summary>
    /// Adds the alarm to the outbox inside the caller's transaction. Enqueuing the same alarm id twice is a no-op (a
    /// device that resends an alarm must not page the police twice). Does not wake the forwarder: the row is not
    /// visible until the caller commits, so the caller calls <see cref="Wake"/> after the commit.
    /// </summary>
    public void Enqueue(SqliteConnection connection, SqliteTransaction transaction, ForwardRequest request)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(request);

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // next_attempt_ms NULL means "due now" whatever clock the service runs on.
        command.CommandText = """
            INSERT INTO forward_queue (alarm_id, school_id, device_id, kind, zone, restore, is_test, raised_at, detail, enqueued_at)
            VALUES ($alarm, $school, $device, $kind, $zone, $restore, $test, $raised, $detail, $enqueued)
            ON CONFLICT(alarm_id) DO NOTHING;
            """;
        command.Parameters.AddWithValue("$alarm", request.AlarmId);
        command.Parameters.AddWithValue("$school", request.SchoolId);
        command.Parameters.AddWithValue("$device", request.DeviceId);
        command.Parameters.AddWithValue("$kind", request.Kind);
        command.Parameters.AddWithValue("$zone", request.Zone);
        command.Parameters.AddWithValue("$restore", request.Restore ? 1 : 0);
        command.Parameters.AddWithValue("$test", request.IsTest ? 1 : 0);
        command.Parameters.AddWithValue("$raised", StoredTime.Format(request.RaisedAt));
        command.Parameters.AddWithValue("$detail", (object?)request.Detail ?? DBNull.Value);
        command.Parameters.AddWithValue("$enqueued", StoredTime.Format(time.GetUtcNow()));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Tells the forwarding service that the outbox changed (an enqueue committed, an alarm was made due again, a worker
    /// finished). Call it only after the change is committed: the service reads the outbox as soon as it wakes.
    /// </summary>
    public void Wake()
    {
        TaskCompletionSource? release;
        lock (_lock)
        {
            release = _waiter;
            _waiter = null;
            if (release is null)
            {
                _woken = true;
            }
        }

        release?.TrySetResult();
    }

    /// <summary>Completes at the next <see cref="Wake"/>, or at once if one came since the last wait.</summary>
    internal Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_woken)
            {
                _woken = false;
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
