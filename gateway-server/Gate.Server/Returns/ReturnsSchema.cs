using Gate.Server.Storage;

namespace Gate.Server.Returns;

/// <summary>The monthly return: figures entered per school and closed months. Versions 300-399.</summary>
public static class ReturnsSchema
{
    public static readonly Migration[] Migrations =
    [
        // One row per school, month and column; a figure stands for later months until someone enters a new one, so
        // an office only enters what changed. No foreign key to schools: a closed month must stay readable.
        new(300, "monthly return entries and closed months", """
            CREATE TABLE return_entries (
                school_id TEXT NOT NULL,
                month TEXT NOT NULL,
                column_key TEXT NOT NULL,
                value INTEGER NOT NULL,
                entered_by TEXT NOT NULL,
                entered_at TEXT NOT NULL,
                note TEXT NULL,
                PRIMARY KEY (school_id, column_key, month)
            );

            -- A closed month is the return exactly as it was: the whole report as JSON, never recomputed.
            CREATE TABLE return_closures (
                month TEXT PRIMARY KEY,
                closed_at TEXT NOT NULL,
                closed_by TEXT NOT NULL,
                snapshot TEXT NOT NULL
            );
            """),
    ];
}

/// <summary>One school's figure for one column, with who entered it, when, and for which month.</summary>
public sealed record ReturnEntry(string SchoolId, string Column, bool Value, string Month, string EnteredBy, DateTimeOffset EnteredAt, string? Note);

/// <summary>SQLite access for the tables of <see cref="ReturnsSchema"/>.</summary>
public sealed class ReturnStore(GateDatabase database)
{
    /// <summary>
    /// Writes a school's figures for a month in one transaction. False (nothing written) when the month is closed:
    /// the check is in the same transaction, so a figure can never slip into a month after its close.
    /// </summary>
    public bool Save(string schoolId, string month, IReadOnlyDictionary<string, bool> values, string? note, string by, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        using (var closed = connection.CreateCommand())
        {
            closed.Transaction = tx;
            closed.CommandText = "SELECT 1 FROM return_closures WHERE month = $month;";
            closed.Parameters.AddWithValue("$month", month);
            if (closed.ExecuteScalar() is not null)
            {
                return false;
            }
        }

        foreach (var (column, value) in values)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO return_entries(school_id, month, column_key, value, entered_by, entered_at, note)
                VALUES ($school, $month, $column, $value, $by, $at, $note)
                ON CONFLICT(school_id, column_key, month) DO UPDATE SET value = excluded.value, entered_by = excluded.entered_by,
                    entered_at = excluded.entered_at, note = excluded.note;
                """;
            command.Parameters.AddWithValue("$school", schoolId);
            command.Parameters.AddWithValue("$month", month);
            command.Parameters.AddWithValue("$column", column);
            command.Parameters.AddWithValue("$value", value ? 1 : 0);
            command.Parameters.AddWithValue("$by", by);
            command.Parameters.AddWithValue("$at", StoredTime.Format(at));
            command.Parameters.AddWithValue("$note", (object?)note ?? DBNull.Value);
            command.ExecuteNonQuery();
        }

        tx.Commit();
        return true;
    }

    /// <summary>The figures in force for <paramref name="month"/>: per school and column, the newest entry of that month or before.</summary>
    public IReadOnlyList<ReturnEntry> InForce(string month, string? schoolId = null)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT school_id, column_key, value, month, entered_by, entered_at, note FROM return_entries e
            WHERE ($school IS NULL OR school_id = $school)
              AND month = (SELECT MAX(month) FROM return_entries x WHERE x.school_id = e.school_id AND x.column_key = e.column_key AND x.month <= $month)
            ORDER BY school_id, column_key;
            """;
        command.Parameters.AddWithValue("$month", month);
        command.Parameters.AddWithValue("$school", (object?)schoolId ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var entries = new List<ReturnEntry>();
        while (reader.Read())
        {
            entries.Add(new ReturnEntry(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, reader.GetString(3), reader.GetString(4),
                StoredTime.Parse(reader.GetString(5)), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return entries;
    }

    /// <summary>Keeps a month's return. False when the month was already closed (the first close stands).</summary>
    public bool Close(string month, string snapshot, string by, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO return_closures(month, closed_at, closed_by, snapshot) VALUES ($month, $at, $by, $snapshot);";
        command.Parameters.AddWithValue("$month", month);
        command.Parameters.AddWithValue("$at", StoredTime.Format(at));
        command.Parameters.AddWithValue("$by", by);
        command.Parameters.AddWithValue("$snapshot", snapshot);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>The kept return of a closed month as stored, or null when the month is open.</summary>
    public string? Snapshot(string month)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT snapshot FROM return_closures WHERE month = $month;";
        command.Parameters.AddWithValue("$month", month);
        return command.ExecuteScalar() as string;
    }

    public IReadOnlyList<string> ClosedMonths()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT month FROM return_closures ORDER BY month;";
        using var reader = command.ExecuteReader();
        var months = new List<string>();
        while (reader.Read())
        {
            months.Add(reader.GetString(0));
        }

        return months;
    }
}
