using Gate.Server.Devices;
using MQTTnet;

namespace Gate.Provisioning.Tests;

/// <summary>gate-admin against the in-process server: what an installer types, and what they read back.</summary>
[Trait("Category", "Integration")]
public sealed class AdminCliTests : IDisposable
{
    private readonly GateServerFactory _server = ProvisioningServer.Create();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private string _key = "";

    public AdminCliTests()
    {
        _key = _server.ApiKey(Roles.Admin);
    }

    public void Dispose() => _server.Dispose();

    private async Task<int> RunAsync(params string[] args)
    {
        _out.GetStringBuilder().Clear();
        _error.GetStringBuilder().Clear();
        return await ProvisioningServer.RunAdminAsync(_server, _out, _error, () => _key, args);
    }

    [Fact]
    public async Task SchoolAndDevice_ProvisionedFromTheCommandLine_BundleWrittenWithCommandsAndAWorkingCredential()
    {
        Assert.Equal(0, await RunAsync("school", "add", "--id", "xinhua-primary", "--name", "新华小学", "--district", "金水区",
            "--address", "新华路 12 号", "--lat", "34.7723", "--lon", "113.6651", "--police-account", "1234"));
        Assert.Equal(0, await RunAsync("device", "add", "--id", "xinhua-gate-1", "--school", "xinhua-primary", "--board", "esp32-devkitc", "--place", "north gate"));
        Assert.Contains("shown once", _out.ToString());

        var folder = Path.Combine(_server.DataFolder, "bundle");
        var code = await RunAsync("device", "bundle", "xinhua-gate-1", "--out", folder, "--port", "/dev/ttyUSB1", "--wifi-ssid", "school-sec");

        Assert.True(code == 0, _error.ToString());
        var output = _out.ToString();
        Assert.Contains("nanoff --target ESP32_REV3 --serialport /dev/ttyUSB1 --update --masserase", output);
        Assert.Contains("nanoff --serialport /dev/ttyUSB1 --filedeployment deploy-files.json", output);
        Assert.True(File.Exists(Path.Combine(folder, "FLASH.txt")));
        Assert.True(File.Exists(Path.Combine(folder, "board.json")));
        Assert.True(File.Exists(Path.Combine(folder, "deploy-files.json")));
        Assert.True(DeviceConfig.TryParse(File.ReadAllText(Path.Combine(folder, "gate.json")), out var config, out var error), error);
        Assert.Equal("xinhua-primary", config.School);
        Assert.Equal(MqttClientConnectResultCode.Success, await TestDevice.ProbeAsync(_server.BrokerPort, "xinhua-primary", "xinhua-gate-1", config.Credential));
        Assert.Equal("新华小学", _server.Get<DeviceRegistry>().FindSchool("xinhua-primary")!.Name);
    }

    [Fact]
    public async Task DeviceAdd_DuplicateId_PrintsTheServersSentenceAndExits1()
    {
        _server.AddSchool("xinhua");
        Assert.Equal(0, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "esp32-devkitc"));

        Assert.Equal(1, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "esp32-devkitc"));

        Assert.Contains("error: device 'g1' already exists", _error.ToString());
    }

    [Fact]
    public async Task DeviceAdd_UnknownBoard_ListsTheKnownBoards()
    {
        _server.AddSchool("xinhua");

        Assert.Equal(1, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "arduino-uno"));

        Assert.Contains("unknown board 'arduino-uno'; known boards: esp32-devkitc, olimex-esp32-poe-iso", _error.ToString());
    }

    [Fact]
    public async Task SchoolAdd_Existing_IsRefusedUnlessUpdate()
    {
        _server.AddSchool("xinhua");

        Assert.Equal(1, await RunAsync("school", "add", "--id", "xinhua", "--name", "Other"));
        Assert.Contains("school 'xinhua' already exists", _error.ToString());
        Assert.Equal(0, await RunAsync("school", "add", "--id", "xinhua", "--name", "Other", "--update"));
        Assert.Equal("Other", _server.Get<DeviceRegistry>().FindSchool("xinhua")!.Name);
    }

    [Fact]
    public async Task Bundle_IntoANonEmptyFolder_IsRefusedBeforeTheCredentialChanges()
    {
        _server.AddSchool("xinhua");
        Assert.Equal(0, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "esp32-devkitc"));
        var hash = _server.Get<DeviceRegistry>().Find("g1")!.CredentialHash;
        var folder = Path.Combine(_server.DataFolder, "busy");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "other.txt"), "x");

        Assert.Equal(1, await RunAsync("device", "bundle", "g1", "--out", folder, "--wifi-ssid", "s"));

        Assert.Contains("is not empty", _error.ToString());
        Assert.Equal(hash, _server.Get<DeviceRegistry>().Find("g1")!.CredentialHash);
    }

    [Fact]
    public async Task ReplaceThenDecommission_FromTheCommandLine_RevokeAndReport()
    {
        _server.AddSchool("xinhua");
        Assert.Equal(0, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "olimex-esp32-poe-iso", "--place", "east gate"));

        Assert.Equal(0, await RunAsync("device", "replace", "g1", "--new-id", "g1b"));
        Assert.Contains("g1: credential revoked", _out.ToString());
        Assert.Contains("device g1b registered in its place", _out.ToString());

        Assert.Equal(0, await RunAsync("device", "decommission", "g1b", "--reason", "school closed"));
        Assert.Contains("g1b decommissioned (school closed)", _out.ToString());
        Assert.NotNull(_server.Get<DeviceRegistry>().Find("g1b")!.CredentialRevokedAt);

        Assert.Equal(1, await RunAsync("device", "replace", "g1", "--new-id", "g1c"));
        Assert.Contains("was replaced by 'g1b'", _error.ToString());
    }

    [Fact]
    public async Task Commands_WithoutApiKey_SayHowToGetOne()
    {
        _key = "";

        Assert.Equal(1, await RunAsync("board", "list"));

        Assert.Contains("GATE_API_KEY", _error.ToString());
    }

    [Fact]
    public async Task Commands_WithViewerKey_ExplainTheMissingRole()
    {
        _server.AddSchool("xinhua");
        _key = _server.ApiKey(Roles.Viewer);

        Assert.Equal(1, await RunAsync("device", "add", "--id", "g1", "--school", "xinhua", "--board", "esp32-devkitc"));

        Assert.Contains("needs the admin or technician role", _error.ToString());
        Assert.Contains("viewer", _error.ToString());
    }

    [Fact]
    public async Task SchoolAdd_WithTechnicianKey_NamesTheAdminRoleItNeeds()
    {
        _key = _server.ApiKey(Roles.Technician);

        Assert.Equal(1, await RunAsync("school", "add", "--id", "xinhua", "--name", "Xinhua"));

        var error = _error.ToString();
        Assert.Contains("needs the admin role", error);
        Assert.DoesNotContain("technician or admin", error);
        Assert.DoesNotContain("admin or technician", error);
    }

    [Fact]
    public async Task BoardList_ShowsBothBoardsWithTheirNanoffTargets()
    {
        Assert.Equal(0, await RunAsync("board", "list"));

        Assert.Contains("esp32-devkitc", _out.ToString());
        Assert.Contains("olimex-esp32-poe-iso", _out.ToString());
        Assert.Contains("ESP32_REV3", _out.ToString());
    }
}
