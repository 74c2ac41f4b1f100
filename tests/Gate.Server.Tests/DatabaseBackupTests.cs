namespace Gate.Server.Tests;

/// <summary>Issue 16: a backup of the running database, and a restore from it that brings the alarms and devices back.</summary>
public sealed class DatabaseBackupTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gate-server-tests", "backup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Backup_WhileAlarmsArrive_IsWholeAndPrivate_AndARestoredServerHasTheAlarmsAndTheDevices()
    {
        var live = Path.Combine(_root, "live");
        var restored = Path.Combine(_root, "restored");
        Alarm stored;
        DeviceCredential credential;
        string backupFile;
        using (var server = new GateServerFactory(live))
        {
            credential = server.AddDevice("school-a", "gate-1");
            await using var device = await server.ConnectDeviceAsync(credential);
            stored = device.NewAlarm(1, 1);
            await device.SendAlarmAndAwaitReceivedAsync(stored);

            using var admin = await server.AdminClientAsync();
            // An alarm arriving while the copy is taken must neither block on it nor break it.
            var during = device.NewAlarm(2, 1);
            var sending = device.SendAlarmAsync(during);
            using var response = await admin.PostAsync("/api/admin/backups", null);
            await sending;
            await device.WaitForAckAsync(during.Id, AckStage.Received);

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var written = await response.Content.ReadFromJsonAsync<BackupFile>();
            Assert.NotNull(written);
            Assert.Matches(@"^gate-\d{8}T\d{6}Z\.db$", written!.Name);
            backupFile = Path.Combine(live, "backups", written.Name);
            Assert.Equal(backupFile, Path.Combine(server.Get<DatabaseBackup>().Folder, written.Name));
            Assert.True(File.Exists(backupFile), "no backup file at " + backupFile);
            Assert.False(File.Exists(backupFile + ".partial"));
            Assert.Equal(written.Bytes, new FileInfo(backupFile).Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backupFile));
            }

            var listed = await admin.GetFromJsonAsync<BackupFile[]>("/api/admin/backups");
            Assert.Contains(listed!, f => f.Name == written.Name);

            // A second backup in the same second gets its own name; it never overwrites the first.
            using var second = await admin.PostAsync("/api/admin/backups", null);
            var secondFile = await second.Content.ReadFromJsonAsync<BackupFile>();
            Assert.NotEqual(written.Name, secondFile!.Name);
        }

        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backupFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            db.Open();
            using var check = db.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", check.ExecuteScalar() as string);
            using var mode = db.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode;";
            Assert.Equal("delete", mode.ExecuteScalar() as string); // one self-contained file, no -wal to copy along
        }

        // Restore as docs/operations.md says: the server stopped, the backup copied in as gate.db, the server started.
        Directory.CreateDirectory(restored);
        File.Copy(backupFile, Path.Combine(restored, "gate.db"));
        using var after = new GateServerFactory(restored);
        var alarm = after.Get<AlarmStore>().Find(stored.Id);
        Assert.NotNull(alarm);
        Assert.Equal(AlarmKind.Panic, alarm!.Kind);

        // The registry came back with it: the device's own credential still works, and its re-send is recognised.
        await using var again = await after.ConnectDeviceAsync(credential);
        await again.SendAlarmAndAwaitReceivedAsync(stored);
        Assert.Equal(1, after.Get<AlarmStore>().List(null, false, "gate-1", null, 10).Count(a => a.Id == stored.Id));
    }

    [Fact]
    public async Task Backup_NotAnAdmin_IsRefused_AndWritesNothing()
    {
        using var server = new GateServerFactory(Path.Combine(_root, "roles"));
        using var admin = await server.AdminClientAsync();
        using var created = await admin.PostAsJsonAsync("/api/users", new { name = "tech", password = "technician-password-1", roles = new[] { "technician" } });
        created.EnsureSuccessStatusCode();
        using var technician = await server.ClientAsAsync("tech", "technician-password-1");

        using var response = await technician.PostAsync("/api/admin/backups", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(Directory.Exists(server.Get<DatabaseBackup>().Folder) && Directory.EnumerateFiles(server.Get<DatabaseBackup>().Folder).Any());
    }

    [Fact]
    public void WriteTo_AnExistingFileOrTheLiveDatabase_IsRefusedWithTheReason()
    {
        using var server = new GateServerFactory(Path.Combine(_root, "refuse"));
        var backup = server.Get<DatabaseBackup>();
        var existing = Path.Combine(_root, "refuse", "taken.db");
        File.WriteAllText(existing, "not a backup");

        var over = Assert.Throws<IOException>(() => backup.WriteTo(existing));
        Assert.Contains("exists already", over.Message, StringComparison.Ordinal);
        Assert.Equal("not a backup", File.ReadAllText(existing));

        var live = Assert.Throws<IOException>(() => backup.WriteTo(Path.Combine(_root, "refuse", "gate.db")));
        Assert.Contains("live database", live.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
