using Gate.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Forwarding;

/// <summary>
/// SQLite access for the outbox (forward_queue) and the trail (delivery_attempts). What a delivery round writes goes
/// through the <see cref="GroupCommitWriter"/>, so parallel rounds share one fsync.
/// </summary>
public sealed class ForwardingStore(GateDatabase database, GroupCommitWriter writer, AlarmOutbox outbox)
{
    public GateDatabase Database { get; } = database;

    /// <summary>The oldest pending alarm of each school with a pending alarm, and when it may be tried.</summary>
    public async Task<IReadOnlyList<(string SchoolId, long? NextAttemptMs)>> PendingHeadsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT q.school_id, q.next_attempt_ms FROM forward_queue q
            JOIN (SELECT school_id, MIN(seq) AS head FROM forward_queue WHERE state = 'pending' GROUP BY school_id) h
              ON h.head = q.seq;
            """;
        var heads = new List<(string, long?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            heads.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)));
        }

        return heads;
    }

    /// <summary>The oldest pending alarm of one school (delivery is in order per school), with its school row.</summary>
    public async Task<(ForwardItem Item, long? NextAttemptMs)?> HeadAsync(string schoolId, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        ForwardItem item;
        long? next;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT seq, alarm_id, device_id, kind, zone, restore, is_test, raised_at, detail, enqueued_at, attempts, next_attempt_ms, dc09_sequence
                FROM forward_queue WHERE state = 'pending' AND school_id = $school ORDER BY seq LIMIT 1;
                """;
            command.Parameters.AddWithValue("$school", schoolId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            var request = new ForwardRequest(
                reader.GetString(1),
                schoolId,
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt32(4),
                reader.GetInt64(5) != 0,
                reader.GetInt64(6) != 0,
                StoredTime.Parse(reader.GetString(7)),
                reader.IsDBNull(8) ? null : reader.GetString(8));
            item = new ForwardItem(reader.GetInt64(0), request, reader.GetInt32(10), StoredTime.Parse(reader.GetString(9)), null,
                reader.IsDBNull(12) ? null : reader.GetInt32(12));
            next = reader.IsDBNull(11) ? null : reader.GetInt64(11);
        }

        return (item with { School = await ReadSchoolAsync(connection, schoolId, cancellationToken) }, next);
    }

    private static async Task<SchoolInfo?> ReadSchoolAsync(SqliteConnection connection, string schoolId, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, police_account, latitude, longitude FROM schools WHERE id = $id;";
            command.Parameters.AddWithValue("$id", schoolId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            return new SchoolInfo(
                schoolId,
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3));
        }
        catch (SqliteException ex) when (ex.Message.Contains("no such", StringComparison.OrdinalIgnoreCase))
        {
            // The schools table belongs to the core schema; without it there is simply no account to send with.
            return null;
        }
    }

    /// <summary>
    /// Adds one row to the trail; with <paramref name="delivered"/> the same transaction marks the alarm delivered
    /// (end-to-end latency and attempt count), so the trail and the state never disagree.
    /// </summary>
    public Task RecordAttemptAsync(string alarmId, DateTimeOffset at, string receiver, string path, string outcome, string? response, TimeSpan latency,
        (TimeSpan Latency, int Attempts)? delivered, Action<SqliteConnection, SqliteTransaction>? alongside, CancellationToken cancellationToken, int? dc09Sequence = null) =>
        writer.WriteAsync((connection, tx) =>
        {
            if (dc09Sequence is { } number)
            {
                // The first number an alarm went out with is its number for good: a resend must reuse it.
                using var keep = connection.CreateCommand();
                keep.Transaction = tx;
                keep.CommandText = "UPDATE forward_queue SET dc09_sequence = $seq WHERE alarm_id = $alarm AND dc09_sequence IS NULL;";
                keep.Parameters.AddWithValue("$seq", number);
                keep.Parameters.AddWithValue("$alarm", alarmId);
                keep.ExecuteNonQuery();
            }

            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    INSERT INTO delivery_attempts (alarm_id, at, receiver, path, outcome, response, latency_ms)
                    VALUES ($alarm, $at, $receiver, $path, $outcome, $response, $latency);
                    """;
                command.Parameters.AddWithValue("$alarm", alarmId);
                command.Parameters.AddWithValue("$at", StoredTime.Format(at));
                command.Parameters.AddWithValue("$receiver", receiver);
                command.Parameters.AddWithValue("$path", path);
                command.Parameters.AddWithValue("$outcome", outcome);
                command.Parameters.AddWithValue("$response", (object?)Truncate(response, 512) ?? DBNull.Value);
                command.Parameters.AddWithValue("$latency", Math.Round(latency.TotalMilliseconds, 3));
                command.ExecuteNonQuery();
            }

            if (delivered is { } done)
            {
                using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = """
                    UPDATE forward_queue SET state = 'delivered', delivered_at = $at, receiver = $receiver, path = $path,
                        latency_ms = $latency, attempts = $attempts, next_attempt_ms = NULL
                    WHERE alarm_id = $alarm;
                    """;
                command.Parameters.AddWithValue("$alarm", alarmId);
                command.Parameters.AddWithValue("$at", StoredTime.Format(at));
                command.Parameters.AddWithValue("$receiver", receiver);
                command.Parameters.AddWithValue("$path", path);
                command.Parameters.AddWithValue("$latency", Math.Round(done.Latency.TotalMilliseconds, 3));
                command.Parameters.AddWithValue("$attempts", done.Attempts);
                command.ExecuteNonQuery();
            }

            alongside?.Invoke(connection, tx);
        }, cancellationToken);

    /// <summary>Every receiver refused it; <paramref name="alongside"/> (the trouble step) runs in the same transaction.</summary>
    public Task MarkRejectedAsync(string alarmId, int attempts, string error, DateTimeOffset at, Action<SqliteConnection, SqliteTransaction>? alongside, CancellationToken cancellationToken) =>
        writer.WriteAsync((connection, tx) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                UPDATE forward_queue SET state = 'rejected', attempts = $attempts, last_error = $error,
                    trouble_at = COALESCE(trouble_at, $at), next_attempt_ms = NULL
                WHERE alarm_id = $alarm;
                """;
            command.Parameters.AddWithValue("$alarm", alarmId);
            command.Parameters.AddWithValue("$attempts", attempts);
            command.Parameters.AddWithValue("$error", Truncate(error, 512));
            command.Parameters.AddWithValue("$at", StoredTime.Format(at));
            command.ExecuteNonQuery();
            alongside?.Invoke(connection, tx);
        }, cancellationToken);

    /// <summary>
    /// Records a failed round and when to try again; returns true if this call raised the trouble flag, and then runs
    /// <paramref name="onTroubleRaised"/> (the trouble step) in the same transaction.
    /// </summary>
    public Task<bool> ScheduleRetryAsync(string alarmId, int attempts, long nextAttemptMs, string error, DateTimeOffset? troubleAt,
        Action<SqliteConnection, SqliteTransaction>? onTroubleRaised, CancellationToken cancellationToken) =>
        writer.WriteAsync((connection, tx) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                UPDATE forward_queue SET attempts = $attempts, next_attempt_ms = $next, last_error = $error,
                    trouble_at = CASE WHEN trouble_at IS NULL THEN $trouble ELSE trouble_at END
                WHERE alarm_id = $alarm AND state = 'pending'
                RETURNING trouble_at;
                """;
            command.Parameters.AddWithValue("$alarm", alarmId);
            command.Parameters.AddWithValue("$attempts", attempts);
            command.Parameters.AddWithValue("$next", nextAttemptMs);
            command.Parameters.AddWithValue("$error", Truncate(error, 512));
            var trouble = troubleAt is { } t ? StoredTime.Format(t) : null;
            command.Parameters.AddWithValue("$trouble", (object?)trouble ?? DBNull.Value);
            var stored = command.ExecuteScalar();
            var raised = trouble is not null && stored is string s && s == trouble;
            if (raised)
            {
                onTroubleRaised?.Invoke(connection, tx);
            }

            return raised;
        }, cancellationToken);

    /// <summary>
    /// Makes a school's waiting alarms due now and wakes the service: called when the school's police account was
    /// fixed, so its alarms go out at once instead of at the next backoff slot. Returns how many were waiting.
    /// </summary>
    public async Task<int> RetrySchoolNowAsync(string schoolId, CancellationToken cancellationToken)
    {
        var waiting = await writer.WriteAsync((connection, tx) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE forward_queue SET next_attempt_ms = NULL WHERE state = 'pending' AND school_id = $school;";
            command.Parameters.AddWithValue("$school", schoolId);
            return command.ExecuteNonQuery();
        }, cancellationToken);
        outbox.Wake();
        return waiting;
    }

    /// <summary>Puts an alarm every receiver rejected back in line (after the receiver's set-up was fixed) and wakes the service.</summary>
    public async Task<bool> RequeueAsync(string alarmId, CancellationToken cancellationToken)
    {
        var requeued = await writer.WriteAsync((connection, tx) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                UPDATE forward_queue SET state = 'pending', next_attempt_ms = NULL, trouble_at = NULL
                WHERE alarm_id = $alarm AND state = 'rejected';
                """;
            command.Parameters.AddWithValue("$alarm", alarmId);
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);
        if (requeued)
        {
            outbox.Wake();
        }

        return requeued;
    }

    /// <summary>At start, a restart is often the fix (new configuration, receiver back): every waiting alarm is due now.</summary>
    public Task MakeAllDueAsync(CancellationToken cancellationToken) =>
        writer.WriteAsync((connection, tx) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE forward_queue SET next_attempt_ms = NULL WHERE state = 'pending' AND next_attempt_ms IS NOT NULL;";
            command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>
    /// Runs one alarm-side step inside a delivery write under its own savepoint: if the alarm's bookkeeping throws, only
    /// the step is undone, never the delivery record (which would send the alarm to the police again and again).
    /// </summary>
    internal static bool TryInSavepoint(SqliteConnection connection, SqliteTransaction tx, Action work, out Exception? error)
    {
        using var savepoint = connection.CreateCommand();
        savepoint.Transaction = tx;
        savepoint.CommandText = "SAVEPOINT step;";
        savepoint.ExecuteNonQuery();
        try
        {
            work();
            savepoint.CommandText = "RELEASE step;";
            savepoint.ExecuteNonQuery();
            error = null;
            return true;
        }
        catch (Exception ex)
        {
            savepoint.CommandText = "ROLLBACK TO step; RELEASE step;";
            savepoint.ExecuteNonQuery();
            error = ex;
            return false;
        }
    }

    public async Task<AlarmDelivery?> GetDeliveryAsync(string alarmId, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        AlarmDelivery delivery;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT school_id, state, attempts, enqueued_at, next_attempt_ms, delivered_at, receiver, path, latency_ms, last_error, trouble_at
                FROM forward_queue WHERE alarm_id = $alarm;
                """;
            command.Parameters.AddWithValue("$alarm", alarmId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            delivery = new AlarmDelivery(
                alarmId,
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt32(2),
                StoredTime.Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                StoredTime.ParseOrNull(reader.IsDBNull(5) ? null : reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetDouble(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                StoredTime.ParseOrNull(reader.IsDBNull(10) ? null : reader.GetString(10)),
                []);
        }

        var trail = new List<DeliveryAttemptView>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT at, receiver, path, outcome, response, latency_ms FROM delivery_attempts WHERE alarm_id = $alarm ORDER BY id;
                """;
            command.Parameters.AddWithValue("$alarm", alarmId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                trail.Add(new DeliveryAttemptView(
                    StoredTime.Parse(reader.GetString(0)),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetDouble(5)));
            }
        }

        return delivery with { Trail = trail };
    }

    /// <summary>Per alarm of <paramref name="alarmIds"/> that was tried at all: its tries, and the last one that failed.</summary>
    public IReadOnlyDictionary<string, AttemptSummary> AttemptSummaries(IReadOnlyCollection<string> alarmIds)
    {
        var summaries = new Dictionary<string, AttemptSummary>(StringComparer.Ordinal);
        if (alarmIds.Count == 0)
        {
            return summaries;
        }

        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.alarm_id, COUNT(*),
                   (SELECT f.outcome FROM delivery_attempts f WHERE f.alarm_id = d.alarm_id AND f.outcome <> 'acknowledged' ORDER BY f.id DESC LIMIT 1),
                   (SELECT COALESCE(f.response, '') FROM delivery_attempts f WHERE f.alarm_id = d.alarm_id AND f.outcome <> 'acknowledged' ORDER BY f.id DESC LIMIT 1)
            FROM delivery_attempts d
            WHERE d.alarm_id IN (SELECT value FROM json_each($ids))
            GROUP BY d.alarm_id;
            """;
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(alarmIds));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            summaries[reader.GetString(0)] = new AttemptSummary((int)reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }

        return summaries;
    }

    public async Task<QueueSummary> SummaryAsync(CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT
              COALESCE(SUM(state = 'pending'), 0),
              COALESCE(SUM(state = 'rejected'), 0),
              COALESCE(SUM(state <> 'delivered' AND trouble_at IS NOT NULL), 0),
              MIN(CASE WHEN state = 'pending' THEN enqueued_at END)
            FROM forward_queue WHERE state <> 'delivered';
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new QueueSummary(
            reader.GetInt32(0),
            reader.GetInt32(1),
            reader.GetInt32(2),
            StoredTime.ParseOrNull(reader.IsDBNull(3) ? null : reader.GetString(3)));
    }

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max];
}
