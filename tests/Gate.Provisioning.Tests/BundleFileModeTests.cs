using System.Runtime.InteropServices;

namespace Gate.Provisioning.Tests;

/// <summary>Issue 12 failure 7 (bundles) and 6 (gate-admin shows the server's field refusal).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait("Category", "Integration")]
public sealed class BundleFileModeTests : IDisposable
{
    private readonly GateServerFactory _server = ProvisioningServer.Create();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task DeviceBundle_UnderUmask022_FolderIs0700AndEveryFileIs0600()
    {
        _server.AddSchool("xinhua");
        Assert.Equal(0, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "esp32-devkitc"));
        var folder = Path.Combine(_server.DataFolder, "bundle-modes");

        var previous = Umask(0b000_010_010); // 022, the usual default: without explicit modes files come out 0644
        int code;
        try
        {
            code = await RunAsync("device", "bundle", "g1", "--out", folder, "--wifi-ssid", "school-sec");
        }
        finally
        {
            Umask(previous);
        }

        Assert.True(code == 0, _error.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        var files = Directory.GetFiles(folder);
        Assert.Contains(files, f => Path.GetFileName(f) == "gate.json");
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task SchoolAdd_DistrictOverItsLimit_PrintsTheFieldAndExits1()
    {
        var code = await RunAsync("school", "add", "--id", "big", "--name", "Big", "--district", new string('x', 1000), "--address", "1 Road");

        Assert.Equal(1, code);
        Assert.Contains("district: at most 100 characters", _error.ToString());
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);

    private async Task<int> RunAsync(params string[] args)
    {
        var key = _server.ApiKey(Roles.Admin);
        return await ProvisioningServer.RunAdminAsync(_server, _out, _error, () => key, args);
    }
}
