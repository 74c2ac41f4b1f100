using Gate.Firmware.Host.Storage;

namespace Gate.Firmware.Host.Tests;

public sealed class FileFlashStorageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gate-fw-flash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    [Fact]
    public void FileFlash_CrashDuringWrite_OldRecordSurvivesAndTempIsDiscarded()
    {
        var flash = new FileFlashStorage(_dir);
        flash.Write("al1-1", "old"u8.ToArray());
        File.WriteAllText(Path.Combine(_dir, "al1-1.tmp"), "torn");

        var afterReboot = new FileFlashStorage(_dir);
        Assert.Equal("old"u8.ToArray(), afterReboot.Read("al1-1"));
        Assert.Equal(new[] { "al1-1" }, afterReboot.List("al"));
        Assert.False(File.Exists(Path.Combine(_dir, "al1-1.tmp")));
    }

    [Fact]
    public void FileFlash_WriteReadDelete_RoundTrips()
    {
        var flash = new FileFlashStorage(_dir);
        flash.Write("boot", "7"u8.ToArray());
        flash.Write("boot", "8"u8.ToArray());
        Assert.Equal("8"u8.ToArray(), flash.Read("boot"));
        flash.Delete("boot");
        Assert.Null(flash.Read("boot"));
        Assert.Throws<ArgumentException>(() => flash.Write("../etc", new byte[1]));
    }

    [Fact]
    public async Task VirtualController_FolderFlash_OutboxSurvivesProcessRestart()
    {
        var options = new Simulation.VirtualGateControllerOptions { BrokerPort = 1, DataDirectory = _dir, PanicHoldMs = 50, Device = "gate-disk" };
        string id;
        await using (var gate = new Simulation.VirtualGateController(options))
        {
            gate.Start();
            id = await gate.TriggerPanicAsync(Timeouts.Generous);
            gate.Crash();
        }

        await using var again = new Simulation.VirtualGateController(options);
        again.Start();
        Assert.Equal(2, again.BootCount);
        Assert.True(again.PanicLatched);
        Assert.Equal(1, again.OutboxDepth);
        Assert.Equal(id, again.Core!.Outbox.Get(0).Id);
    }
}
