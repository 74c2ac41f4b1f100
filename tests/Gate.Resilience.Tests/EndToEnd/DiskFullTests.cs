using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>
/// The server's data disk fills up while alarms arrive: the database lives on a small tmpfs the test mounts
/// (CI runs as root), and a filler file takes every free byte.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class DiskFullTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DiskFull_AlarmsArriving_NoAckForWhatIsNotStoredStatusReadable_ThenEachStoredAndForwardedOnce()
    {
        Assert.True(geteuid() == 0, "DiskFull needs root to mount a size-limited tmpfs for the database (CI runs as root); run the test as root");
        using var disk = new TmpfsMount(sizeMiB: 8);
        await using var rig = await GateRig.StartWithControllersAsync(devices: 3, databaseDirectory: disk.Path);
        var first = await rig.Controllers[0].TriggerPanicAsync(TimeSpan.FromSeconds(30));
        await rig.WaitUntilAsync(() => rig.AckedWith(AckStage.Received).Contains(first), TimeSpan.FromSeconds(60), "the first panic stored before the disk fills");
        using var session = await rig.Server.LoginAsync();

        var filler = Path.Combine(disk.Path, "filler");
        long filled = Fill(filler);
        output.WriteLine($"filler took {filled / 1024} KiB; free now {new DriveInfo(disk.Path).AvailableFreeSpace} bytes");

        // Alarms keep arriving until one cannot be stored (SQLite's WAL reuses space it already has, so the first
        // few may still fit): enclosure opened and closed on each gate in turn, at most 60 alarms.
        string? refused = null;
        for (int i = 0; i < 60 && refused is null; i++)
        {
            var gate = rig.Controllers[1 + (i % 2)];
            int before = rig.Raised.Count;
            if (i / 2 % 2 == 0) { gate.OpenEnclosure(); } else { gate.CloseEnclosure(); }
            await rig.WaitUntilAsync(() => rig.Raised.Count > before, TimeSpan.FromSeconds(30), "the tamper alarm raised");
            var id = rig.Raised.Last();
            await rig.WaitUntilAsync(
                () => rig.AckedWith(AckStage.Received).Contains(id) || StoreFailures(rig).Contains(id),
                TimeSpan.FromSeconds(60),
                "alarm " + id + " stored or refused");
            if (!rig.AckedWith(AckStage.Received).Contains(id))
            {
                refused = id;
            }
        }

        Assert.True(refused is not null, "60 alarms were all stored on a full disk: the filler did not fill it\n" + rig.Server.Tail(60));
        var refusedGate = rig.Controllers[Enumerable.Range(0, rig.Devices).Single(n => refused!.StartsWith(RegistrySeeder.DeviceId(n) + ".", StringComparison.Ordinal))];

        // A clear error naming the alarm and the cause; no "received"; the alarm waits in the device's outbox.
        var lines = rig.Server.Tail(400).Split('\n');
        int at = Array.FindIndex(lines, l => l.Contains(refused!, StringComparison.Ordinal) && l.Contains("could not be stored", StringComparison.Ordinal));
        Assert.True(at >= 0, "no error naming " + refused);
        var error = string.Join('\n', lines.Skip(at).Take(4));
        output.WriteLine(error);
        Assert.Contains("full", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(refused, rig.AckedWith(AckStage.Received));
        Assert.True(refusedGate.OutboxDepth >= 1);

        // The device re-sends from its outbox (the server refuses it again, still without an ack).
        await rig.WaitUntilAsync(() => StoreFailures(rig).Count(id => id == refused) >= 2, TimeSpan.FromSeconds(60), "the device re-sending " + refused);
        Assert.DoesNotContain(refused, rig.AckedWith(AckStage.Received));

        // More alarms while the disk stays full, a panic among them: each refused by name, none acknowledged.
        var more = new List<string>();
        foreach (var gate in rig.Controllers.Skip(1).Where(c => c != refusedGate))
        {
            more.Add(await gate.TriggerPanicAsync(TimeSpan.FromSeconds(30)));
        }

        int raisedSoFar = rig.Raised.Count;
        rig.Controllers[0].OpenEnclosure();
        await rig.WaitUntilAsync(() => rig.Raised.Count > raisedSoFar, TimeSpan.FromSeconds(30), "the first gate's tamper alarm raised");
        more.Add(rig.Raised.Last());

        await rig.WaitUntilAsync(() => more.All(StoreFailures(rig).Contains), TimeSpan.FromSeconds(60), "the panics raised on the full disk refused by name");
        Assert.Empty(more.Intersect(rig.AckedWith(AckStage.Received)));
        output.WriteLine("refused while full: " + string.Join(", ", StoreFailures(rig).Distinct()));

        // Liveness and the status page keep answering from what is stored and in memory.
        using (var health = await session.GetAsync("health"))
        {
            Assert.True(health.IsSuccessStatusCode, "/health answered " + (int)health.StatusCode + " on a full disk");
        }

        var devices = await session.GetFromJsonAsync<JsonElement>("api/status-page/devices");
        Assert.Equal(3, devices.GetArrayLength());
        var devicesText = devices.GetRawText();
        for (int n = 0; n < rig.Devices; n++)
        {
            Assert.Contains(RegistrySeeder.DeviceId(n), devicesText, StringComparison.Ordinal);
        }

        var open = await session.GetFromJsonAsync<JsonElement>("api/status-page/alarms");
        Assert.Contains(first, open.GetRawText(), StringComparison.Ordinal);
        // (The page's HTML is wwwroot, which this rig's server process, started outside its content root, does not
        // serve; the page is its API, read here.)
        using (var detail = await session.GetAsync("api/status-page/devices/" + RegistrySeeder.DeviceId(0)))
        {
            Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        }

        // Space returns: every alarm raised is stored, acknowledged and forwarded once; nothing half-written.
        File.Delete(filler);
        var raised = rig.Raised.ToList();
        await rig.WaitUntilAsync(() => raised.All(rig.AckedWith(AckStage.Received).Contains), TimeSpan.FromSeconds(120), "every alarm stored once space returned");
        await rig.WaitUntilAsync(() => raised.All(rig.PoliceAcknowledgedIds().Contains), TimeSpan.FromSeconds(120), "every alarm at the police");
        await rig.WaitUntilAsync(() => rig.Controllers.All(c => c.OutboxDepth == 0), TimeSpan.FromSeconds(60), "every outbox drained");
        var atPolice = rig.PoliceAcknowledgedIds();
        foreach (var id in raised)
        {
            Assert.True(atPolice.Count(x => x == id) == 1, id + " reached the police " + atPolice.Count(x => x == id) + " times");
        }

        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = rig.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var check = db.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", check.ExecuteScalar() as string);
        using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM alarms;";
        Assert.Equal((long)raised.Count, (long)count.ExecuteScalar()!);
        output.WriteLine($"{raised.Count} alarms, refused first: {refused}; all stored and forwarded once after space returned");
    }

    private static List<string> StoreFailures(GateRig rig) =>
        rig.Server.Tail(2000).Split('\n')
            .Where(l => l.Contains("could not be stored", StringComparison.Ordinal))
            .Select(l => AlarmIdInLine().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Value)
            .ToList();

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=Alarm )\S+(?= from )")]
    private static partial System.Text.RegularExpressions.Regex AlarmIdInLine();

    /// <summary>Writes zeros until the file system refuses; returns the bytes written.</summary>
    private static long Fill(string path)
    {
        var chunk = new byte[4096];
        long written = 0;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                stream.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            return written;
        }
    }

    [DllImport("libc")]
    private static extern uint geteuid();

    /// <summary>A tmpfs of the given size on a fresh temporary folder, unmounted and removed on dispose.</summary>
    private sealed class TmpfsMount : IDisposable
    {
        public TmpfsMount(int sizeMiB)
        {
            Path = Directory.CreateTempSubdirectory("gate-diskfull-").FullName;
            Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m,mode=0700", "tmpfs", Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            Run("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
        }

        private static void Run(string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var p = Process.Start(info)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, file + " " + string.Join(' ', args) + " failed: " + err);
        }
    }
}
