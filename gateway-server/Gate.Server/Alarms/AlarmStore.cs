using Gate.Contracts;
using Gate.Server.Forwarding;
using Gate.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Alarms;

/// <summary>
/// Alarms in SQLite. Every write goes through the one <see cref="GroupCommitWriter"/> (SQLite has one write lock):
/// every alarm and step waiting when the writer is free goes into one transaction, and each caller learns its result
/// only after that transaction is durably committed (synchronous=FULL), which is the promise behind the "received"
/// ack. A new alarm's row in the police outbox is written in the same transaction, and the forwarder is woken after
/// the commit. Stages move by <see cref="AlarmStage.CanMoveTo"/> only. Reads open their own connections.
/// </summary>
public sealed class AlarmStore(GateDatabase database, GroupCommitWriter writer, AlarmOutbox outbox)
{
    /// <summary>The stages a duty officer's acknowledgement moves on from, for the one UPDATE that applies it.</summary>
    private static readonly string[] MovesToOperatorAck = AlarmStage.StagesMovingTo(AckStage.OperatorAck);

    /// <summary>Stores (or folds, or recognises) one alarm; completes once durable.</summary>
    public async Task<AlarmStoreResult> StoreAsync(Alarm alarm, string schoolId, DateTimeOffset raisedAt, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var pending = new PendingAlarm(alarm, schoolId, raisedAt, receivedAt);
        var write = writer.WriteAsync((connection, tx) => StoreOne(connection, tx, pending, outbox));
        // After the commit, never before (the forwarder reads the outbox as soon as it wakes), and even when this caller
        // stopped waiting: the write commits or fails whatever the caller does.
        _ = write.ContinueWith(
            stored =>
            {
                if (stored.IsCompletedSuccessfully && stored.Result.Outcome == AlarmOutcome.New)
                {
                    outbox.Wake();
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await write.WaitAsync(cancellationToken);
    }

    /// <summary>A receiver answered for the alarm (inside the delivery write's transaction).</summary>
    public AlarmProgress? RecordForwarded(SqliteConnection connection, SqliteTransaction tx, string alarmId, string receiver, string path, DateTimeOffset at) =>
        Advance(connection, tx, alarmId, AlarmStep.Forwarded, receiver, path, at, AckStage.Forwarded, "forwarded_at");

    /// <summary>A police receiver acknowledged the alarm (inside the delivery write's transaction).</summary>
    public AlarmProgress? RecordPoliceAck(SqliteConnection connection, SqliteTransaction tx, string alarmId, string receiver, string detail, DateTimeOffset at) =>
        Advance(connection, tx, alarmId, AlarmStep.PoliceAck, receiver, detail, at, AckStage.PoliceAck, "police_ack_at");

    /// <summary>Forwarding could not deliver the alarm so far (inside the delivery write's transaction).</summary>
    public AlarmProgress? RecordDeliveryTrouble(SqliteConnection connection, SqliteTransaction tx, string alarmId, string reason, DateTimeOffset at) =>
        Advance(connection, tx, alarmId, AlarmStep.DeliveryTrouble, "forwarding", reason, at, AckStage.Failed, null);

    /// <summary>
    /// Records a step and moves the stage where the lifecycle allows it (<see cref="AlarmStage.CanMoveTo"/>); the time
    /// column, when given, keeps its first value. Null when the alarm is unknown.
    /// </summary>
    private static AlarmProgress? Advance(SqliteConnection connection, SqliteTransaction tx, string alarmId, string step, string actor, string? detail, DateTimeOffset at, string newStage, string? timeColumn)
    {
        var row = Scalar3(connection, tx, "SELECT device_id, school_id, stage FROM alarms WHERE id = $id;", alarmId);
        if (row is null)
        {
            return null;
        }

        var (deviceId, schoolId, stage) = row.Value;
        var advanced = AlarmStage.CanMoveTo(stage, newStage);
        using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            var sets = new List<string>();
            if (advanced)
            {
                sets.Add("stage = $stage");
                update.Parameters.AddWithValue("$stage", newStage);
            }

            if (timeColumn is not null)
            {
                sets.Add($"{timeColumn} = COALESCE({timeColumn}, $at)");
            }

            if (sets.Count > 0)
            {
                update.CommandText = $"UPDATE alarms SET {string.Join(", ", sets)} WHERE id = $id;";
                update.Parameters.AddWithValue("$id", alarmId);
                update.Parameters.AddWithValue("$at", StoredTime.Format(at));
                update.ExecuteNonQuery();
            }
        }

        InsertStep(connection, tx, alarmId, at, step, actor, detail);
        return new AlarmProgress(deviceId, schoolId, advanced ? newStage : stage, advanced);
    }

    /// <summary>
    /// A person acknowledges or resolves. Idempotent: an alarm already acknowledged (or resolved) keeps its first step,
    /// so a double click or a client's retry adds no second history row and sends the guard no second light.
    /// </summary>
    public Task<PersonStepOutcome> PersonStepAsync(string alarmId, string step, string user, string? note, DateTimeOffset at, CancellationToken cancellationToken) =>
        writer.WriteAsync((connection, tx) => PersonStep(connection, tx, alarmId, step, user, note, at), cancellationToken);

    private static PersonStepOutcome PersonStep(SqliteConnection connection, SqliteTransaction tx, string alarmId, string step, string user, string? note, DateTimeOffset at)
    {
        using (var done = connection.CreateCommand())
        {
            done.Transaction = tx;
            done.CommandText = step == AlarmStep.OperatorAck
                ? "SELECT operator_ack_at IS NOT NULL FROM alarms WHERE id = $id;"
                : "SELECT resolved_at IS NOT NULL FROM alarms WHERE id = $id;";
            done.Parameters.AddWithValue("$id", alarmId);
            switch (done.ExecuteScalar())
            {
                case null:
                    return PersonStepOutcome.NotFound;
                case long already when already != 0:
                    return PersonStepOutcome.AlreadyDone;
            }
        }

        using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            if (step == AlarmStep.OperatorAck)
            {
                var from = new List<string>();
                for (var i = 0; i < MovesToOperatorAck.Length; i++)
                {
                    from.Add("$from" + i);
                    update.Parameters.AddWithValue("$from" + i, MovesToOperatorAck[i]);
                }

                update.Parameters.AddWithValue("$ack", AckStage.OperatorAck);
                update.CommandText = $"UPDATE alarms SET operator_ack_at = COALESCE(operator_ack_at, $at), operator_ack_by = COALESCE(operator_ack_by, $u), stage = CASE WHEN stage IN ({string.Join(", ", from)}) THEN $ack ELSE stage END WHERE id = $id;";
            }
            else
            {
                update.CommandText = "UPDATE alarms SET status = 'resolved', resolved_at = COALESCE(resolved_at, $at), resolved_by = COALESCE(resolved_by, $u) WHERE id = $id;";
            }

            update.Parameters.AddWithValue("$id", alarmId);
            update.Parameters.AddWithValue("$at", StoredTime.Format(at));
            update.Parameters.AddWithValue("$u", user);
            if (update.ExecuteNonQuery() == 0)
            {
                return PersonStepOutcome.NotFound;
            }
        }

        InsertStep(connection, tx, alarmId, at, step, user, note);
        return PersonStepOutcome.Recorded;
    }

    public AlarmView? Find(string alarmId)
    {
        using var connection = database.Open();
        return Query(connection, "WHERE a.id = $id OR a.id = (SELECT alarm_id FROM alarm_aliases WHERE id = $id)", p => p.AddWithValue("$id", alarmId), 1).FirstOrDefault();
    }

    /// <summary>Open alarms first (life-safety first among them), then the newest. Tests are listed only when asked for.</summary>
    public IReadOnlyList<AlarmView> List(bool? open, bool tests, string? deviceId, string? schoolId, int limit)
    {
        using var connection = database.Open();
        return Query(connection, """
            WHERE a.is_test = $test
              AND ($open IS NULL OR (a.status = 'open') = $open)
              AND ($d IS NULL OR a.device_id = $d)
              AND ($s IS NULL OR a.school_id = $s)
            """,
            p =>
            {
                p.AddWithValue("$test", tests ? 1 : 0);
                p.AddWithValue("$open", open is { } o ? (o ? 1 : 0) : DBNull.Value);
                p.AddWithValue("$d", (object?)deviceId ?? DBNull.Value);
                p.AddWithValue("$s", (object?)schoolId ?? DBNull.Value);
            },
            limit);
    }

    /// <summary>Alarms of one device still worth re-announcing to it (not resolved, recent), with their current stage.</summary>
    public IReadOnlyList<(string Id, string Stage)> RecentUnresolved(string deviceId, DateTimeOffset since)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, stage FROM alarms WHERE device_id = $d AND status = 'open' AND received_at >= $since ORDER BY received_at LIMIT 100;";
        command.Parameters.AddWithValue("$d", deviceId);
        command.Parameters.AddWithValue("$since", StoredTime.Format(since));
        using var reader = command.ExecuteReader();
        var list = new List<(string, string)>();
        while (reader.Read())
        {
            list.Add((reader.GetString(0), reader.GetString(1)));
        }

        return list;
    }

    private static AlarmStoreResult StoreOne(SqliteConnection connection, SqliteTransaction tx, PendingAlarm pending, AlarmOutbox outbox)
    {
        var alarm = pending.Alarm;
        var isTest = AlarmKind.IsTest(alarm.Kind);
        var at = StoredTime.Format(pending.ReceivedAt);
        var deviceTs = alarm.Timestamp == DateTime.MinValue ? null : StoredTime.Format(new DateTimeOffset(DateTime.SpecifyKind(alarm.Timestamp, DateTimeKind.Utc)));

        // De-duplication by id, but an id is only a duplicate when the content is the same: a device whose boot counter
        // restarted sends new alarms under ids already stored, and acknowledging those as resends would lose them.
        // Each different alarm under a reused id gets the next derived key ({id}~2, ~3...); a resend of any of them
        // matches its own key on the way.
        var key = alarm.Id;
        for (var n = 1; ; n++)
        {
            key = n == 1 ? alarm.Id : AlarmIds.Derived(alarm.Id, n);
            var existing = FindStored(connection, tx, key, alarm, deviceTs);
            if (existing is null)
            {
                break;
            }

            if (existing.Value.Same)
            {
                return new AlarmStoreResult(AlarmOutcome.Duplicate, existing.Value.AlarmId, alarm.Id, existing.Value.Stage, isTest, StoredId: key);
            }
        }

        var idReused = key != alarm.Id;
        string? open = null;
        using (var find = connection.CreateCommand())
        {
            find.Transaction = tx;
            find.CommandText = "SELECT id FROM alarms WHERE device_id = $d AND kind = $k AND status = 'open' AND restore = 0 ORDER BY received_at DESC LIMIT 1;";
            find.Parameters.AddWithValue("$d", alarm.Device);
            find.Parameters.AddWithValue("$k", alarm.Kind);
            open = find.ExecuteScalar() as string;
        }

        // A press (panic, duress, drill) is never folded: each is a person asking for help again and goes to the police
        // with its own id and acks, even while an earlier press is open (or was never delivered).
        if (open is not null && !alarm.Restore && !AlarmKind.IsPress(alarm.Kind))
        {
            // Storm control: the same condition again while its alarm is open counts up instead of ringing anew.
            using (var fold = connection.CreateCommand())
            {
                fold.Transaction = tx;
                fold.CommandText = """
                    UPDATE alarms SET count = count + $c, last_repeat_at = $at WHERE id = $open;
                    INSERT INTO alarm_aliases(id, alarm_id, received_at, zone, device_uptime_ms, device_ts) VALUES ($id, $open, $at, $zone, $up, $dts);
                    """;
                fold.Parameters.AddWithValue("$c", Math.Max(1, alarm.Count));
                fold.Parameters.AddWithValue("$at", at);
                fold.Parameters.AddWithValue("$open", open);
                fold.Parameters.AddWithValue("$id", key);
                fold.Parameters.AddWithValue("$zone", alarm.Zone);
                fold.Parameters.AddWithValue("$up", alarm.UptimeMs);
                fold.Parameters.AddWithValue("$dts", (object?)deviceTs ?? DBNull.Value);
                fold.ExecuteNonQuery();
            }

            if (idReused)
            {
                InsertStep(connection, tx, open, pending.ReceivedAt, AlarmStep.IdReused, alarm.Device, IdReusedDetail(alarm.Id, key));
            }

            InsertStep(connection, tx, open, pending.ReceivedAt, AlarmStep.Repeat, alarm.Device, $"{key} x{Math.Max(1, alarm.Count)}");
            var openStage = (string)Scalar(connection, tx, "SELECT stage FROM alarms WHERE id = $id;", open)!;
            return new AlarmStoreResult(AlarmOutcome.Folded, open, alarm.Id, openStage, isTest, idReused, key);
        }

        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO alarms(id, device_id, school_id, kind, zone, boot, seq, restore, is_test, count, detail, device_ts, device_uptime_ms, raised_at, received_at, stage, status, resolved_at, resolved_by)
                VALUES ($id, $d, $s, $k, $zone, $boot, $seq, $restore, $test, $count, $detail, $dts, $up, $raised, $at, 'received', $status, $resolvedAt, $resolvedBy);
                """;
            insert.Parameters.AddWithValue("$id", key);
            insert.Parameters.AddWithValue("$up", alarm.UptimeMs);
            insert.Parameters.AddWithValue("$d", alarm.Device);
            insert.Parameters.AddWithValue("$s", pending.SchoolId);
            insert.Parameters.AddWithValue("$k", alarm.Kind);
            insert.Parameters.AddWithValue("$zone", alarm.Zone);
            insert.Parameters.AddWithValue("$boot", alarm.BootCount);
            insert.Parameters.AddWithValue("$seq", alarm.Sequence);
            insert.Parameters.AddWithValue("$restore", alarm.Restore ? 1 : 0);
            insert.Parameters.AddWithValue("$test", isTest ? 1 : 0);
            insert.Parameters.AddWithValue("$count", Math.Max(1, alarm.Count));
            insert.Parameters.AddWithValue("$detail", (object?)alarm.Detail ?? DBNull.Value);
            insert.Parameters.AddWithValue("$dts", (object?)deviceTs ?? DBNull.Value);
            insert.Parameters.AddWithValue("$raised", StoredTime.Format(pending.RaisedAt));
            insert.Parameters.AddWithValue("$at", at);
            // A restore says the condition cleared; it is forwarded, and needs no one to resolve it.
            insert.Parameters.AddWithValue("$status", alarm.Restore ? AlarmStatus.Resolved : AlarmStatus.Open);
            insert.Parameters.AddWithValue("$resolvedAt", alarm.Restore ? at : DBNull.Value);
            insert.Parameters.AddWithValue("$resolvedBy", alarm.Restore ? alarm.Device : DBNull.Value);
            insert.ExecuteNonQuery();
        }

        InsertStep(connection, tx, key, pending.RaisedAt, AlarmStep.Raised, alarm.Device, alarm.Detail);
        InsertStep(connection, tx, key, pending.ReceivedAt, AlarmStep.Received, "server", null);
        if (idReused)
        {
            InsertStep(connection, tx, key, pending.ReceivedAt, AlarmStep.IdReused, alarm.Device, IdReusedDetail(alarm.Id, key));
        }

        if (alarm.Restore && open is not null)
        {
            InsertStep(connection, tx, open, pending.ReceivedAt, AlarmStep.Restored, alarm.Device, key);
        }

        outbox.Enqueue(connection, tx, new ForwardRequest(
            key, pending.SchoolId, alarm.Device, alarm.Kind, alarm.Zone, alarm.Restore, isTest, pending.RaisedAt, alarm.Detail));
        return new AlarmStoreResult(AlarmOutcome.New, key, alarm.Id, AckStage.Received, isTest, idReused, key);
    }

    private static string IdReusedDetail(string deviceId, string key) =>
        $"alarm id {deviceId} reused by device (boot counter reset?): a different alarm is already stored under it; kept as {key}";

    /// <summary>
    /// What is stored under <paramref name="key"/>, as an alarm or as a repeat folded into one, and whether it is the same
    /// alarm as <paramref name="alarm"/> (a resend carries identical content). Null when the key is free.
    /// Values not recorded (rows from before uptimes were stored, alarms without a device time) are not compared.
    /// </summary>
    private static (bool Same, string AlarmId, string Stage)? FindStored(SqliteConnection connection, SqliteTransaction tx, string key, Alarm alarm, string? deviceTs)
    {
        using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = "SELECT stage, kind, zone, restore, boot, seq, device_uptime_ms, device_ts FROM alarms WHERE id = $id;";
            command.Parameters.AddWithValue("$id", key);
            using var r = command.ExecuteReader();
            if (r.Read())
            {
                var same = r.GetString(1) == alarm.Kind
                    && r.GetInt32(2) == alarm.Zone
                    && (r.GetInt32(3) == 1) == alarm.Restore
                    && r.GetInt64(4) == alarm.BootCount
                    && r.GetInt64(5) == alarm.Sequence
                    && (r.IsDBNull(6) || r.GetInt64(6) == alarm.UptimeMs)
                    && (r.IsDBNull(7) || deviceTs is null || r.GetString(7) == deviceTs);
                return (same, key, r.GetString(0));
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            // A folded repeat was always a non-restore of its alarm's kind; its boot and seq are its id.
            command.CommandText = """
                SELECT al.alarm_id, a.kind, al.zone, al.device_uptime_ms, al.device_ts
                FROM alarm_aliases al JOIN alarms a ON a.id = al.alarm_id WHERE al.id = $id;
                """;
            command.Parameters.AddWithValue("$id", key);
            using var r = command.ExecuteReader();
            if (r.Read())
            {
                var same = r.GetString(1) == alarm.Kind
                    && !alarm.Restore
                    && (r.IsDBNull(2) || r.GetInt32(2) == alarm.Zone)
                    && (r.IsDBNull(3) || r.GetInt64(3) == alarm.UptimeMs)
                    && (r.IsDBNull(4) || deviceTs is null || r.GetString(4) == deviceTs);
                return (same, r.GetString(0), AckStage.Received);
            }
        }

        return null;
    }

    private static List<AlarmView> Query(SqliteConnection connection, string where, Action<SqliteParameterCollection> parameters, int limit)
    {
        var alarms = new List<AlarmView>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT a.id, a.device_id, a.school_id, a.kind, a.zone, a.restore, a.is_test, a.count, a.detail, a.device_ts, a.raised_at, a.received_at,
                       a.stage, a.status, a.last_repeat_at, a.forwarded_at, a.police_ack_at, a.operator_ack_at, a.operator_ack_by, a.resolved_at, a.resolved_by
                FROM alarms a {where}
                ORDER BY a.status = 'open' DESC, a.kind IN ('panic','duress','silent_panic') AND a.status = 'open' DESC, a.received_at DESC
                LIMIT $limit;
                """;
            parameters(command.Parameters);
            command.Parameters.AddWithValue("$limit", limit);
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                var kind = r.GetString(3);
                alarms.Add(new AlarmView(
                    r.GetString(0), r.GetString(1), r.GetString(2), kind, r.GetInt32(4), r.GetInt32(5) == 1, r.GetInt32(6) == 1,
                    AlarmKind.IsLifeSafety(kind), r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8), StoredTime.ParseOrNull(r.GetValue(9)),
                    StoredTime.Parse(r.GetString(10)), StoredTime.Parse(r.GetString(11)), r.GetString(12), r.GetString(13),
                    StoredTime.ParseOrNull(r.GetValue(14)), StoredTime.ParseOrNull(r.GetValue(15)), StoredTime.ParseOrNull(r.GetValue(16)),
                    StoredTime.ParseOrNull(r.GetValue(17)), r.IsDBNull(18) ? null : r.GetString(18), StoredTime.ParseOrNull(r.GetValue(19)),
                    r.IsDBNull(20) ? null : r.GetString(20), []));
            }
        }

        for (var i = 0; i < alarms.Count; i++)
        {
            alarms[i] = alarms[i] with { Steps = Steps(connection, alarms[i].Id) };
        }

        return alarms;
    }

    private static List<AlarmStepView> Steps(SqliteConnection connection, string alarmId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, step, actor, detail FROM alarm_steps WHERE alarm_id = $id ORDER BY id;";
        command.Parameters.AddWithValue("$id", alarmId);
        using var r = command.ExecuteReader();
        var steps = new List<AlarmStepView>();
        while (r.Read())
        {
            steps.Add(new AlarmStepView(StoredTime.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)));
        }

        return steps;
    }

    private static void InsertStep(SqliteConnection connection, SqliteTransaction tx, string alarmId, DateTimeOffset at, string step, string actor, string? detail)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO alarm_steps(alarm_id, at, step, actor, detail) VALUES ($id, $at, $step, $actor, $detail);";
        command.Parameters.AddWithValue("$id", alarmId);
        command.Parameters.AddWithValue("$at", StoredTime.Format(at));
        command.Parameters.AddWithValue("$step", step);
        command.Parameters.AddWithValue("$actor", actor);
        command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction tx, string sql, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar();
    }

    private static (string, string, string)? Scalar3(SqliteConnection connection, SqliteTransaction tx, string sql, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        using var r = command.ExecuteReader();
        return r.Read() ? (r.GetString(0), r.GetString(1), r.GetString(2)) : null;
    }

    private sealed record PendingAlarm(Alarm Alarm, string SchoolId, DateTimeOffset RaisedAt, DateTimeOffset ReceivedAt);
}
