using System.Threading.Channels;
using Gate.Server.Storage;

namespace Gate.Server.Events;

public sealed record EventRecord(long Id, DateTimeOffset At, string Type, string? DeviceId, string? SchoolId, string? AlarmId, string? Actor, string? Detail);

/// <summary>
/// The durable history of what happened (liveness transitions, commands, registry changes). Records are queued and
/// written in batches by <see cref="EventLogService"/>, so a reconnect storm is a few transactions, not thousands.
/// Alarm steps are not written here: they are committed with the alarm itself.
/// </summary>
public sealed class EventLog(TimeProvider time, ChangeFeed feed)
{
    private readonly Channel<EventRecord> _pending = Channel.CreateUnbounded<EventRecord>(new UnboundedChannelOptions { SingleReader = true });

    internal ChannelReader<EventRecord> Pending => _pending.Reader;

    /// <summary>Queues the record for the database and pushes it to live subscribers at once.</summary>
    public void Record(string type, string? deviceId, string? schoolId, string? actor, string? detail, object? data = null, string? alarmId = null)
    {
        var now = time.GetUtcNow();
        _pending.Writer.TryWrite(new EventRecord(0, now, type, deviceId, schoolId, alarmId, actor, detail));

        // The live feed goes to every signed-in role; sign-in failures (which name the accounts being tried, and
        // sometimes a password typed into the name box) are for admins and stay in the log.
        if (!Security.SecurityEvents.AdminOnly.Contains(type))
        {
            feed.Publish(type, deviceId, schoolId, alarmId, data ?? new { actor, detail });
        }
    }

    public static IReadOnlyList<EventRecord> Query(GateDatabase database, string? deviceId, long? beforeId, int limit) =>
        Query(database, deviceId, beforeId, limit, null, null);

    /// <summary>Newest first; <paramref name="onlyTypes"/> keeps only those types, <paramref name="hideTypes"/> drops those.</summary>
    public static IReadOnlyList<EventRecord> Query(GateDatabase database, string? deviceId, long? beforeId, int limit, string[]? onlyTypes, string[]? hideTypes)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, at, type, device_id, school_id, alarm_id, actor, detail FROM events
            WHERE ($d IS NULL OR device_id = $d) AND ($b IS NULL OR id < $b)
              AND ($only IS NULL OR type IN (SELECT value FROM json_each($only)))
              AND ($hide IS NULL OR type NOT IN (SELECT value FROM json_each($hide)))
            ORDER BY id DESC LIMIT $l;
            """;
        command.Parameters.AddWithValue("$only", onlyTypes is null ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(onlyTypes));
        command.Parameters.AddWithValue("$hide", hideTypes is null ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(hideTypes));
        command.Parameters.AddWithValue("$d", (object?)deviceId ?? DBNull.Value);
        command.Parameters.AddWithValue("$b", (object?)beforeId ?? DBNull.Value);
        command.Parameters.AddWithValue("$l", limit);
        using var reader = command.ExecuteReader();
        var list = new List<EventRecord>();
        while (reader.Read())
        {
            list.Add(new EventRecord(reader.GetInt64(0), StoredTime.Parse(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return list;
    }

    /// <summary>Writes everything queued so far in one transaction. Called by the service and at shutdown.</summary>
    internal int Flush(GateDatabase database)
    {
        var batch = new List<EventRecord>();
        while (batch.Count < 5000 && _pending.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO events(at, type, device_id, school_id, alarm_id, actor, detail) VALUES ($at, $type, $d, $s, $a, $actor, $detail);";
        var at = command.Parameters.Add("$at", Microsoft.Data.Sqlite.SqliteType.Text);
        var type = command.Parameters.Add("$type", Microsoft.Data.Sqlite.SqliteType.Text);
        var d = command.Parameters.Add("$d", Microsoft.Data.Sqlite.SqliteType.Text);
        var s = command.Parameters.Add("$s", Microsoft.Data.Sqlite.SqliteType.Text);
        var a = command.Parameters.Add("$a", Microsoft.Data.Sqlite.SqliteType.Text);
        var actor = command.Parameters.Add("$actor", Microsoft.Data.Sqlite.SqliteType.Text);
        var detail = command.Parameters.Add("$detail", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var record in batch)
        {
            at.Value = StoredTime.Format(record.At);
            type.Value = record.Type;
            d.Value = (object?)record.DeviceId ?? DBNull.Value;
            s.Value = (object?)record.SchoolId ?? DBNull.Value;
            a.Value = (object?)record.AlarmId ?? DBNull.Value;
            actor.Value = (object?)record.Actor ?? DBNull.Value;
            detail.Value = (object?)record.Detail ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        tx.Commit();
        return batch.Count;
    }
}

/// <summary>Drains <see cref="EventLog"/> into SQLite as records arrive, batching whatever has queued meanwhile.</summary>
public sealed class EventLogService(EventLog log, GateDatabase database, ILogger<EventLogService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await log.Pending.WaitToReadAsync(stoppingToken))
            {
                FlushSafely();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        FlushSafely();
    }

    private void FlushSafely()
    {
        try
        {
            while (log.Flush(database) > 0)
            {
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not write events; they stay queued and are retried");
        }
    }
}
