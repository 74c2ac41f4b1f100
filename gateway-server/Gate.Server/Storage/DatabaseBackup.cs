using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Gate.Server.Storage;

/// <summary>What one backup wrote: the file, its size, the schema version it carries and when it was taken.</summary>
public sealed record BackupResult(string File, long Bytes, int SchemaVersion, DateTimeOffset TakenAt);

/// <summary>
/// A consistent copy of the live database, taken while alarms keep arriving: SQLite's online backup API copies the
/// pages of one snapshot (writers are not blocked for long, WAL readers not at all). The copy goes to a ".partial"
/// file, is checked with integrity_check and only then renamed, so a file without that suffix is always whole.
/// The copy holds password, device-secret and key hashes: it is created 0600 like the database itself.
/// </summary>
public sealed class DatabaseBackup(GateDatabase database, IOptions<DatabaseOptions> options, TimeProvider time)
{
    /// <summary>The folder of API-requested backups (Database:BackupFolder; relative to the database file's folder).</summary>
    public string Folder
    {
        get
        {
            var folder = options.Value.BackupFolder;
            return Path.GetFullPath(Path.IsPathRooted(folder) ? folder : Path.Combine(Path.GetDirectoryName(database.FilePath)!, folder));
        }
    }

    /// <summary>Writes a new backup into <see cref="Folder"/>, named by the time it was taken (gate-20261207T154300Z.db).</summary>
    public BackupResult WriteToFolder()
    {
        DataFiles.CreateFolder(Folder);
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(Folder, $"gate-{stamp}.db");
        for (int n = 2; File.Exists(path) || File.Exists(path + ".partial"); n++)
        {
            path = Path.Combine(Folder, $"gate-{stamp}-{n}.db");
        }

        return WriteTo(path);
    }

    /// <summary>Writes a backup to the given file, which must not exist yet.</summary>
    public BackupResult WriteTo(string destination)
    {
        var target = Path.GetFullPath(destination);
        if (string.Equals(target, database.FilePath, StringComparison.Ordinal))
        {
            throw new IOException("a backup cannot be written over the live database " + target);
        }

        if (File.Exists(target))
        {
            throw new IOException("the backup file " + target + " exists already; name a new one");
        }

        var folder = Path.GetDirectoryName(target);
        if (!string.IsNullOrEmpty(folder))
        {
            DataFiles.CreateFolder(folder);
        }

        var partial = target + ".partial";
        File.Delete(partial);
        DataFiles.CreatePrivateFile(partial);
        var takenAt = time.GetUtcNow();
        try
        {
            using (var source = database.Open())
            using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                copy.Open();
                source.BackupDatabase(copy);
                using var check = copy.CreateCommand();
                check.CommandText = "PRAGMA integrity_check;";
                var verdict = check.ExecuteScalar() as string;
                if (verdict != "ok")
                {
                    throw new IOException("the backup copy failed SQLite's integrity check: " + verdict);
                }

                // A single self-contained file: the copy leaves WAL mode, so no -wal file has to travel with it.
                using var journal = copy.CreateCommand();
                journal.CommandText = "PRAGMA journal_mode=DELETE;";
                journal.ExecuteNonQuery();
            }

            int version = SchemaVersionOf(partial);
            File.Move(partial, target);
            return new BackupResult(target, new FileInfo(target).Length, version, takenAt);
        }
        catch
        {
            SqliteConnection.ClearAllPools();
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>The newest migration a database file carries (0 for a file without Gate's schema).</summary>
    public static int SchemaVersionOf(string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations;";
        try
        {
            return Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
