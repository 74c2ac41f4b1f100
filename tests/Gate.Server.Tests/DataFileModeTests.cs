using System.Runtime.InteropServices;

namespace Gate.Server.Tests;

/// <summary>Issue 12 failure 7: under umask 022 the server's secrets on disk are still readable by its own account only.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFileModeTests
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task DataFolder_CreatedUnderUmask022_FolderIs0700AndDatabaseWalShmKeysAndPasswordAre0600()
    {
        var root = Path.Combine(Path.GetTempPath(), "gate-server-tests", Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "data");
        using var server = new GateServerFactory(dataFolder: root, settings: new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(data, "gate.db"),
            ["Security:AdminPassword"] = "", // generated, written to admin-password.txt
        });
        Microsoft.Data.Sqlite.SqliteConnection? walReader = null;
        var previous = Umask(0b000_010_010);
        try
        {
            server.CreateClient().Dispose(); // starts the server: creates the folder, the database, the admin
            var password = File.ReadAllText(Path.Combine(data, "admin-password.txt")).Trim();
            await server.ClientAsAsync("admin", password); // seals a session cookie: the first data-protection key is written
            // -wal and -shm exist only while a connection is open (the last close checkpoints and deletes them), and the
            // server's pool may have closed its last one by now; an open reader under the same umask brings them back.
            walReader = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(data, "gate.db") + ";Pooling=False");
            walReader.Open();
            using var read = walReader.CreateCommand();
            read.CommandText = "SELECT count(*) FROM sqlite_master;";
            read.ExecuteScalar();
        }
        finally
        {
            Umask(previous);
        }

        Assert.Equal(Folder, File.GetUnixFileMode(data));
        Assert.Equal(Folder, File.GetUnixFileMode(Path.Combine(data, "keys")));
        foreach (var name in new[] { "gate.db", "gate.db-wal", "gate.db-shm", "admin-password.txt" })
        {
            Assert.True(File.Exists(Path.Combine(data, name)), name + " missing");
            Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(data, name)));
        }

        var keys = Directory.GetFiles(Path.Combine(data, "keys"));
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Equal(Private, File.GetUnixFileMode(k)));
        Assert.Empty(DataFolderCheck.WiderThanPrivate(data));
        walReader?.Dispose();
        server.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void DataFolderCheck_FilesWiderThanPrivate_AreAllNamed()
    {
        var folder = Path.Combine(Path.GetTempPath(), "gate-modes-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder, Folder);
        try
        {
            var db = Path.Combine(folder, "gate.db");
            File.WriteAllText(db, "");
            File.SetUnixFileMode(db, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var fine = Path.Combine(folder, "admin-password.txt");
            File.WriteAllText(fine, "");
            File.SetUnixFileMode(fine, Private);

            var wide = DataFolderCheck.WiderThanPrivate(folder);

            var (path, mode) = Assert.Single(wide);
            Assert.Equal(db, path);
            Assert.Equal("0644", DataFolderCheck.Octal(mode));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
