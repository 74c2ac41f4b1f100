using Microsoft.Data.Sqlite;

namespace Gate.Server.Storage;

/// <summary>Where the SQLite file lives and how connections to it are opened.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Path of the SQLite file; relative paths are under the content root.</summary>
    public string Path { get; set; } = "data/gate.db";

    /// <summary>How long a writer waits on a locked database before failing with a clear error.</summary>
    public int BusyTimeoutMs { get; set; } = 5000;

    /// <summary>Where POST /api/admin/backups writes its copies; a relative path is under the database file's folder.</summary>
    public string BackupFolder { get; set; } = "backups";
}

/// <summary>
/// The one SQLite database of the gateway server: WAL mode, foreign keys on, versioned migrations.
/// Every feature opens its connections here; pooling keeps that cheap.
/// </summary>
public sealed class GateDatabase
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    public GateDatabase(string path, int busyTimeoutMs = 5000)
    {
        FilePath = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(dir))
        {
            DataFiles.CreateFolder(dir);
        }

        // The file holds password, device-secret and API-key hashes. SQLite would create it 0644 under umask 022, and
        // gives -wal and -shm the database file's mode, so creating the empty file 0600 first makes all three private.
        DataFiles.CreatePrivateFile(FilePath);

        _busyTimeoutMs = busyTimeoutMs;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, busyTimeoutMs / 1000),
        }.ToString();
    }

    public string FilePath { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // synchronous=FULL: a committed alarm survives power loss, which is the promise we make to the device.
        pragma.CommandText = $"PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout={_busyTimeoutMs};";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout={_busyTimeoutMs};";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>Switches the file to WAL and applies every migration not yet applied, each in its own transaction.</summary>
    public void Migrate()
    {
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }

        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
            create.ExecuteNonQuery();
        }

        var applied = new HashSet<int>();
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT version FROM schema_migrations;";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in Schema.All.OrderBy(m => m.Version))
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            using var tx = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = migration.Sql;
                command.ExecuteNonQuery();
            }

            using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($v, $n, $t);";
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$n", migration.Name);
                record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O"));
                record.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }
}
