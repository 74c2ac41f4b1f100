using System.Net;
using Gate.Server.Devices;
using MQTTnet;

namespace Gate.Provisioning.Tests;

[Trait("Category", "Integration")]
public sealed class ProvisioningApiTests : IDisposable
{
    private readonly GateServerFactory _server = ProvisioningServer.Create();

    public void Dispose() => _server.Dispose();

    private async Task<JsonNode> RegisterAsync(HttpClient client, string id, string school = "xinhua", string board = "esp32-devkitc", string? place = "north gate")
    {
        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id, schoolId = school, role = "gate", board, place });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>School xinhua in the registry and a technician's API client: where provisioning starts.</summary>
    private HttpClient TechnicianAtXinhua()
    {
        _server.AddSchool("xinhua");
        return _server.ClientWithKey(Roles.Technician);
    }

    /// <summary>The broker takes the password the registration issued for the device.</summary>
    private async Task AssertConnectsAsync(string deviceId, JsonNode issued) =>
        Assert.Equal(MqttClientConnectResultCode.Success, await ProbeAsync(deviceId, issued["password"]!.GetValue<string>()));

    /// <summary>Whether the broker takes this credential for the xinhua device.</summary>
    private Task<MqttClientConnectResultCode> ProbeAsync(string deviceId, string password) =>
        TestDevice.ProbeAsync(_server.BrokerPort, "xinhua", deviceId, password);

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>();

    [Fact]
    public async Task Register_Device_CredentialShownOnceConnectsAndOnlyItsHashIsStored()
    {
        var client = TechnicianAtXinhua();

        var issued = await RegisterAsync(client, "xinhua-gate-1");

        var password = issued["password"]!.GetValue<string>();
        var stored = _server.Get<DeviceRegistry>().Find("xinhua-gate-1")!;
        Assert.NotEqual(password, stored.CredentialHash);
        Assert.DoesNotContain(password, stored.CredentialHash!);
        Assert.True(SecretHasher.VerifyDeviceSecret(password, stored.CredentialHash));
        var connect = await ProbeAsync("xinhua-gate-1", password);
        Assert.Equal(MqttClientConnectResultCode.Success, connect);
        var view = await client.GetFromJsonAsync<JsonNode>("/api/provisioning/devices/xinhua-gate-1");
        Assert.Equal("esp32-devkitc", view!["placement"]!["board"]!.GetValue<string>());
        Assert.Equal("north gate", view["placement"]!["place"]!.GetValue<string>());
        Assert.DoesNotContain(password, view.ToJsonString());
    }

    [Fact]
    public async Task Register_DuplicateDeviceId_IsRefused409NamingTheDevice()
    {
        var client = TechnicianAtXinhua();
        var first = await RegisterAsync(client, "xinhua-gate-1");

        var again = await client.PostAsJsonAsync("/api/provisioning/devices", new { id = "xinhua-gate-1", schoolId = "xinhua", board = "esp32-devkitc" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("device 'xinhua-gate-1' already exists", await ErrorOf(again));
        // The first device's credential still works: a refused duplicate changes nothing.
        await AssertConnectsAsync("xinhua-gate-1", first);
    }

    [Fact]
    public async Task Register_UnknownBoard_IsRefusedNamingItAndTheKnownBoards()
    {
        var client = TechnicianAtXinhua();

        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id = "xinhua-gate-1", schoolId = "xinhua", board = "esp8266-nodemcu" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Contains("unknown board 'esp8266-nodemcu'", error);
        Assert.Contains("esp32-devkitc", error);
        Assert.Null(_server.Get<DeviceRegistry>().Find("xinhua-gate-1"));
    }

    [Fact]
    public async Task Register_UnknownSchool_IsRefused404()
    {
        var client = _server.ClientWithKey(Roles.Technician);

        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id = "g1", schoolId = "nowhere", board = "esp32-devkitc" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("school 'nowhere' not found", await ErrorOf(response));
    }

    [Theory]
    [InlineData("Gate_1")]
    [InlineData("-gate")]
    [InlineData("gate/1")]
    public async Task Register_BadDeviceId_IsRefusedNamingTheRule(string id)
    {
        var client = TechnicianAtXinhua();

        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id, schoolId = "xinhua", board = "esp32-devkitc" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("a-z, 0-9 and '-'", await ErrorOf(response));
    }

    [Fact]
    public async Task Register_ViewerKey_IsForbidden()
    {
        _server.AddSchool("xinhua");
        var client = _server.ClientWithKey(Roles.Viewer);

        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id = "xinhua-gate-1", schoolId = "xinhua", board = "esp32-devkitc" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(_server.Get<DeviceRegistry>().Find("xinhua-gate-1"));
    }

    [Fact]
    public async Task Bundle_IssuesANewCredentialInTheConfigAndTheOldOneStopsWorking()
    {
        var client = TechnicianAtXinhua();
        var issued = await RegisterAsync(client, "xinhua-gate-1");
        var firstPassword = issued["password"]!.GetValue<string>();

        var response = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/bundle", new { serialPort = "COM5", wifiSsid = "school-sec", wifiPassword = "pw" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var gateJson = bundle["files"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "gate.json")!["content"]!.GetValue<string>();
        Assert.True(DeviceConfig.TryParse(gateJson, out var config, out var parseError), parseError);
        Assert.Equal("127.0.0.1", config.BrokerHost);
        Assert.Equal("nanoff --target ESP32_REV3 --serialport COM5 --update --masserase", bundle["commands"]![0]!.GetValue<string>());
        Assert.Equal(MqttClientConnectResultCode.Success, await ProbeAsync("xinhua-gate-1", config.Credential));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await ProbeAsync("xinhua-gate-1", firstPassword));
    }

    [Fact]
    public async Task Bundle_RefusedRequest_LeavesTheWorkingCredentialAlone()
    {
        var client = TechnicianAtXinhua();
        var issued = await RegisterAsync(client, "xinhua-gate-1");

        // A Wi-Fi board without an SSID cannot produce a configuration the controller would accept.
        var response = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/bundle", new { serialPort = "COM5" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("SSID", await ErrorOf(response));
        await AssertConnectsAsync("xinhua-gate-1", issued);
    }

    [Fact]
    public async Task Bundle_PinMapUsingAPinTwice_IsRefusedNamingThePin()
    {
        var client = TechnicianAtXinhua();
        await RegisterAsync(client, "xinhua-gate-1");

        var response = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/bundle",
            new { serialPort = "COM5", wifiSsid = "s", pins = new Dictionary<string, int?> { ["buzzer"] = 36 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Contains("GPIO36", error);
    }

    [Fact]
    public async Task Replace_RevokesTheOldCredentialKeepsItsHistoryAndTheNewDeviceInheritsThePlace()
    {
        var client = TechnicianAtXinhua();
        var old = await RegisterAsync(client, "xinhua-gate-1", place: "north gate, guard booth");

        var response = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/replace", new { newId = "xinhua-gate-1b" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var replacement = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("xinhua", replacement["schoolId"]!.GetValue<string>());
        Assert.Equal("north gate, guard booth", replacement["place"]!.GetValue<string>());
        Assert.Equal("esp32-devkitc", replacement["board"]!.GetValue<string>());
        Assert.NotEqual(MqttClientConnectResultCode.Success,
            await ProbeAsync("xinhua-gate-1", old["password"]!.GetValue<string>()));
        Assert.Equal(MqttClientConnectResultCode.Success,
            await ProbeAsync("xinhua-gate-1b", replacement["password"]!.GetValue<string>()));

        var oldView = await client.GetFromJsonAsync<JsonNode>("/api/provisioning/devices/xinhua-gate-1");
        Assert.Equal("replaced", oldView!["placement"]!["status"]!.GetValue<string>());
        Assert.Equal("xinhua-gate-1b", oldView["placement"]!["replacedBy"]!.GetValue<string>());
        var newView = await client.GetFromJsonAsync<JsonNode>("/api/provisioning/devices/xinhua-gate-1b");
        Assert.Equal("xinhua-gate-1", newView!["placement"]!["replaces"]!.GetValue<string>());
        // History kept: the old device is still in the registry, only locked out.
        Assert.True(_server.Get<DeviceRegistry>().Find("xinhua-gate-1")!.CredentialRevokedAt is not null);

        var bundleForOld = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/bundle", new { serialPort = "COM5", wifiSsid = "s" });
        Assert.Equal(HttpStatusCode.Conflict, bundleForOld.StatusCode);
        Assert.Contains("replaced by 'xinhua-gate-1b'", await ErrorOf(bundleForOld));
        Assert.NotEqual(MqttClientConnectResultCode.Success,
            await ProbeAsync("xinhua-gate-1", old["password"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Replace_WithAnIdAlreadyTaken_IsRefusedAndTheOldDeviceStaysInService()
    {
        var client = TechnicianAtXinhua();
        var old = await RegisterAsync(client, "xinhua-gate-1");
        await RegisterAsync(client, "xinhua-gate-2");

        var response = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/replace", new { newId = "xinhua-gate-2" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("'xinhua-gate-2' already exists", await ErrorOf(response));
        Assert.Equal(MqttClientConnectResultCode.Success,
            await ProbeAsync("xinhua-gate-1", old["password"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Decommission_RevokesAtOnceAndTheRevokedCredentialCannotConnect()
    {
        var client = TechnicianAtXinhua();
        var issued = await RegisterAsync(client, "xinhua-gate-1");

        var response = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/decommission", new { reason = "gate closed permanently" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var placement = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("decommissioned", placement["status"]!.GetValue<string>());
        Assert.Equal("gate closed permanently", placement["statusReason"]!.GetValue<string>());
        var connect = await ProbeAsync("xinhua-gate-1", issued["password"]!.GetValue<string>());
        Assert.Contains(connect, new[] { MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.BadUserNameOrPassword });

        var again = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-1/decommission", new { reason = "again" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("was decommissioned", await ErrorOf(again));
    }

    [Fact]
    public async Task Boards_ListsTheRepositoryBoardsWithTheirNanoffTargets()
    {
        var client = _server.ClientWithKey(Roles.Viewer);

        var boards = await client.GetFromJsonAsync<JsonNode>("/api/provisioning/boards");

        var list = boards!["boards"]!.AsArray();
        Assert.Contains(list, b => b!["id"]!.GetValue<string>() == "esp32-devkitc" && b["nanoffTarget"]!.GetValue<string>() == "ESP32_REV3");
        Assert.Contains(list, b => b!["id"]!.GetValue<string>() == "olimex-esp32-poe-iso" && b["provisionable"]!.GetValue<bool>());
        Assert.Empty(boards["errors"]!.AsArray());
    }

    [Fact]
    public async Task Api_WithoutKey_IsUnauthorized()
    {
        var client = _server.CreateClient();

        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id = "g", schoolId = "s", board = "esp32-devkitc" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
