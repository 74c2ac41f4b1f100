using Gate.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Provisioning;

/// <summary>SQLite access for placements and commissioning runs (tables of ProvisioningSchema).</summary>
public sealed class ProvisioningStore(GateDatabase database)
{
    private const string PlacementColumns =
        "device_id, board, place, status, replaces, replaced_by, status_reason, status_changed_at, status_changed_by, credential_issued_at, created_at, created_by";

    public void AddPlacement(DevicePlacement placement, SqliteConnection? connection = null, SqliteTransaction? tx = null)
    {
        using var owned = connection is null ? database.Open() : null;
        using var command = (connection ?? owned!).CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"""
            INSERT INTO device_placements({PlacementColumns})
            VALUES ($id, $board, $place, $status, $replaces, $replaced_by, $reason, $changed_at, $changed_by, $issued_at, $created_at, $created_by);
            """;
        command.Parameters.AddWithValue("$id", placement.DeviceId);
        command.Parameters.AddWithValue("$board", placement.Board);
        command.Parameters.AddWithValue("$place", placement.Place);
        command.Parameters.AddWithValue("$status", placement.Status);
        command.Parameters.AddWithValue("$replaces", (object?)placement.Replaces ?? DBNull.Value);
        command.Parameters.AddWithValue("$replaced_by", (object?)placement.ReplacedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", (object?)placement.StatusReason ?? DBNull.Value);
        command.Parameters.AddWithValue("$changed_at", (object?)StoredTime.Format(placement.StatusChangedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$changed_by", (object?)placement.StatusChangedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$issued_at", (object?)StoredTime.Format(placement.CredentialIssuedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$created_at", StoredTime.Format(placement.CreatedAt));
        command.Parameters.AddWithValue("$created_by", placement.CreatedBy);
        command.ExecuteNonQuery();
    }

    public DevicePlacement? FindPlacement(string deviceId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {PlacementColumns} FROM device_placements WHERE device_id = $id;";
        command.Parameters.AddWithValue("$id", deviceId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPlacement(reader) : null;
    }

    /// <summary>Where every placed device stands, in one query (the technician grid and compliance read all of them).</summary>
    public IReadOnlyDictionary<string, DevicePlace> Places()
    {
        var places = new Dictionary<string, DevicePlace>(StringComparer.Ordinal);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, place, status, board FROM device_placements;";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            places[reader.GetString(0)] = new DevicePlace(reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }

        return places;
    }

    /// <summary>Takes a device out of service. False when it is not active (already replaced or decommissioned).</summary>
    public bool EndService(string deviceId, string status, string? replacedBy, string? reason, DateTimeOffset at, string by)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE device_placements SET status = $status, replaced_by = $replaced_by, status_reason = $reason,
                status_changed_at = $at, status_changed_by = $by
            WHERE device_id = $id AND status = 'active';
            """;
        command.Parameters.AddWithValue("$id", deviceId);
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$replaced_by", (object?)replacedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", StoredTime.Format(at));
        command.Parameters.AddWithValue("$by", by);
        return command.ExecuteNonQuery() == 1;
    }

    public void NoteCredentialIssued(string deviceId, DateTimeOffset at, string by)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE device_placements SET credential_issued_at = $at, credential_issued_by = $by WHERE device_id = $id;";
        command.Parameters.AddWithValue("$id", deviceId);
        command.Parameters.AddWithValue("$at", StoredTime.Format(at));
        command.Parameters.AddWithValue("$by", by);
        command.ExecuteNonQuery();
    }

    public void AddRun(CommissioningRun run)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO commissioning_runs(id, device_id, technician, started_by, started_at, result)
                VALUES ($id, $device, $technician, $by, $at, $result);
                """;
            command.Parameters.AddWithValue("$id", run.Id);
            command.Parameters.AddWithValue("$device", run.DeviceId);
            command.Parameters.AddWithValue("$technician", run.Technician);
            command.Parameters.AddWithValue("$by", run.StartedBy);
            command.Parameters.AddWithValue("$at", StoredTime.Format(run.StartedAt));
            command.Parameters.AddWithValue("$result", run.Result);
            command.ExecuteNonQuery();
        }

        foreach (var step in run.Steps)
        {
            WriteStep(connection, tx, run.Id, step);
        }

        tx.Commit();
    }

    /// <summary>Writes one step as it changes, so a run interrupted by a restart still shows how far it got.</summary>
    public void SaveStep(string runId, CommissioningStep step)
    {
        using var connection = database.Open();
        WriteStep(connection, null, runId, step);
    }

    public void FinishRun(string runId, string result, string? failedStep, string? detail, string? alarmId, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE commissioning_runs SET result = $result, failed_step = $step, detail = $detail, alarm_id = $alarm, finished_at = $at
            WHERE id = $id;
            """;
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$result", result);
        command.Parameters.AddWithValue("$step", (object?)failedStep ?? DBNull.Value);
        command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        command.Parameters.AddWithValue("$alarm", (object?)alarmId ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", StoredTime.Format(at));
        command.ExecuteNonQuery();
    }

    /// <summary>Runs left 'running' by a server that stopped mid-test can never finish: they are closed as aborted.</summary>
    public int AbortUnfinished(DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE commissioning_steps SET result = 'failed', detail = 'server restarted during the step'
            WHERE result = 'running' AND run_id IN (SELECT id FROM commissioning_runs WHERE result = 'running');
            UPDATE commissioning_runs SET result = 'aborted', detail = 'server restarted during the test', finished_at = $at
            WHERE result = 'running';
            """;
        command.Parameters.AddWithValue("$at", StoredTime.Format(at));
        return command.ExecuteNonQuery();
    }

    public CommissioningRun? FindRun(string runId)
    {
        using var connection = database.Open();
        return ReadRuns(connection, "WHERE id = $p", runId).FirstOrDefault();
    }

    public IReadOnlyList<CommissioningRun> ListRuns(string deviceId)
    {
        using var connection = database.Open();
        return ReadRuns(connection, "WHERE device_id = $p", deviceId);
    }

    /// <summary>The newest passed run of a device: its commissioning record.</summary>
    public CommissioningRun? LatestPassed(string deviceId)
    {
        using var connection = database.Open();
        return ReadRuns(connection, "WHERE device_id = $p AND result = 'passed'", deviceId).FirstOrDefault();
    }

    /// <summary>The newest run of every device (for the status page), keyed by device.</summary>
    public IReadOnlyDictionary<string, CommissioningRun> LatestRuns()
    {
        using var connection = database.Open();
        var runs = ReadRuns(connection, "WHERE rowid IN (SELECT rowid FROM commissioning_runs r WHERE r.started_at = (SELECT MAX(started_at) FROM commissioning_runs x WHERE x.device_id = r.device_id))", null);
        return runs.GroupBy(r => r.DeviceId).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    private static void WriteStep(SqliteConnection connection, SqliteTransaction? tx, string runId, CommissioningStep step)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO commissioning_steps(run_id, ordinal, step, result, started_at, finished_at, duration_ms, detail)
            VALUES ($run, $ordinal, $step, $result, $started, $finished, $ms, $detail)
            ON CONFLICT(run_id, ordinal) DO UPDATE SET result = excluded.result, started_at = excluded.started_at,
                finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, detail = excluded.detail;
            """;
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$ordinal", step.Ordinal);
        command.Parameters.AddWithValue("$step", step.Step);
        command.Parameters.AddWithValue("$result", step.Result);
        command.Parameters.AddWithValue("$started", (object?)StoredTime.Format(step.StartedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$finished", (object?)StoredTime.Format(step.FinishedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$ms", (object?)step.DurationMs ?? DBNull.Value);
        command.Parameters.AddWithValue("$detail", (object?)step.Detail ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static List<CommissioningRun> ReadRuns(SqliteConnection connection, string where, string? parameter)
    {
        var runs = new List<CommissioningRun>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT id, device_id, technician, started_by, started_at, finished_at, result, failed_step, detail, alarm_id
                FROM commissioning_runs {where} ORDER BY started_at DESC, rowid DESC;
                """;
            if (parameter is not null)
            {
                command.Parameters.AddWithValue("$p", parameter);
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                runs.Add(new CommissioningRun(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    StoredTime.Parse(reader.GetString(4)), StoredTime.ParseOrNull(reader.GetValue(5)), reader.GetString(6),
                    NullableString(reader, 7), NullableString(reader, 8), NullableString(reader, 9), []));
            }
        }

        for (var i = 0; i < runs.Count; i++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT ordinal, step, result, started_at, finished_at, duration_ms, detail
                FROM commissioning_steps WHERE run_id = $id ORDER BY ordinal;
                """;
            command.Parameters.AddWithValue("$id", runs[i].Id);
            using var reader = command.ExecuteReader();
            var steps = new List<CommissioningStep>();
            while (reader.Read())
            {
                steps.Add(new CommissioningStep(
                    reader.GetInt32(0), reader.GetString(1), reader.GetString(2),
                    StoredTime.ParseOrNull(reader.GetValue(3)), StoredTime.ParseOrNull(reader.GetValue(4)),
                    reader.IsDBNull(5) ? null : reader.GetInt64(5), NullableString(reader, 6)));
            }

            runs[i] = runs[i] with { Steps = steps };
        }

        return runs;
    }

    private static DevicePlacement ReadPlacement(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), NullableString(r, 4), NullableString(r, 5), NullableString(r, 6),
        StoredTime.ParseOrNull(r.GetValue(7)), NullableString(r, 8), StoredTime.ParseOrNull(r.GetValue(9)), StoredTime.Parse(r.GetString(10)), r.GetString(11));

    private static string? NullableString(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
