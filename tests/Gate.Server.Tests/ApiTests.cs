using System.Net.Http.Headers;

namespace Gate.Server.Tests;

public sealed class ApiTests
{
    [Fact]
    public async Task Api_WithoutLogin_IsUnauthorizedButHealthAndOpenApiAreServed()
    {
        using var server = new GateServerFactory();
        var client = server.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new { user = "admin", password = "wrong-password" })).StatusCode);

        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(server.BrokerPort, health.GetProperty("mqttPort").GetInt32());

        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/api/devices", "/api/alarms", "/api/alarms/{id}/acknowledge", "/api/stream", "/api/events", "/api/devices/{deviceId}/commands", "/api/me" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path + " missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task Api_LoginAndMe_ReturnUserAndRoles()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        var me = await admin.GetFromJsonAsync<MeResponse>("/api/me");

        Assert.Equal("admin", me!.User);
        Assert.Equal([Roles.Admin], me.Roles);
        (await admin.PostAsync("/api/auth/logout", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Api_BearerApiKey_AuthenticatesProgramsWithTheKeysRoles()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        var created = await (await admin.PostAsJsonAsync("/api/api-keys", new { name = "city-dashboard", roles = new[] { "viewer" } }))
            .Content.ReadFromJsonAsync<CreatedApiKey>();

        var program = server.CreateClient();
        program.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created!.Key);
        var devices = await program.GetAsync("/api/devices");
        var users = await program.GetAsync("/api/users");
        (await admin.DeleteAsync($"/api/api-keys/{created.Id}")).EnsureSuccessStatusCode();
        var revoked = await program.GetAsync("/api/devices");

        Assert.Equal(HttpStatusCode.OK, devices.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task Api_RegisterSchoolAndDevice_CredentialConnectsAndDeviceListShowsLiveness()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        (await admin.PutAsJsonAsync("/api/schools/zz-no1", new School("zz-no1", "Zhengzhou No. 1 Primary", "Jinshui", "1 Road", 34.76, 113.65, "4711"))).EnsureSuccessStatusCode();
        var response = await admin.PostAsJsonAsync("/api/devices", new { id = "zz-no1-gate", schoolId = "zz-no1", heartbeatIntervalSeconds = 20 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var credential = (await response.Content.ReadFromJsonAsync<DeviceCredential>())!;

        var before = (await admin.GetFromJsonAsync<List<DeviceView>>("/api/devices"))!.Single();
        await using var device = await server.ConnectDeviceAsync(credential);
        await device.SendHeartbeatAsync(intervalSeconds: 20);
        var after = (await admin.GetFromJsonAsync<DeviceView>("/api/devices/zz-no1-gate"))!;

        Assert.Equal(LivenessState.NeverSeen, before.Liveness!.State);
        Assert.Equal(LivenessState.Online, after.Liveness!.State);
        Assert.Equal("1.0.0", after.Liveness.Telemetry.Firmware);
        Assert.Equal(-61, after.Liveness.Telemetry.Rssi);
        Assert.Single(after.Liveness.Marks);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/devices", new { id = "zz-no1-gate", schoolId = "zz-no1" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/devices", new { id = "Bad/Id", schoolId = "zz-no1" })).StatusCode);
    }

    [Fact]
    public async Task Api_EventStream_DeliversAlarmAsItHappens()
    {
        using var server = new GateServerFactory();
        var credential = server.AddDevice("school-a", "gate-1");
        await using var device = await server.ConnectDeviceAsync(credential);
        var admin = await server.AdminClientAsync();

        using var response = await admin.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("event: hello", await reader.ReadLineAsync(timeout.Token));

        var alarm = device.NewAlarm(7, 1);
        await device.SendAlarmAsync(alarm);

        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) != "event: alarm")
        {
            Assert.NotNull(line);
        }

        var data = (await reader.ReadLineAsync(timeout.Token))!;
        Assert.StartsWith("data: ", data);
        Assert.Contains(alarm.Id, data);
    }

    [Fact]
    public async Task Api_MosquittoExport_ListsEveryDeviceWithItsOwnTopicsOnly()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        server.AddDevice("school-b", "gate-2");
        var admin = await server.AdminClientAsync();

        var passwd = await admin.GetStringAsync("/api/mqtt/mosquitto/passwd");
        var acl = await admin.GetStringAsync("/api/mqtt/mosquitto/acl?serverUser=gate-srv");

        Assert.StartsWith("gate-1:$6$", passwd);
        Assert.Contains("\ngate-2:$6$", passwd);
        Assert.Contains("user gate-srv\ntopic read gate/v1/+/+/status", acl);
        Assert.Contains("user gate-2\ntopic write gate/v1/school-b/gate-2/status", acl);
        Assert.Contains("topic read gate/v1/school-b/gate-2/cmd", acl);
        var gate1Block = acl.Split("\n\n").Single(b => b.StartsWith("user gate-1\n", StringComparison.Ordinal)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(7, gate1Block.Count);
        Assert.All(gate1Block, line => Assert.Contains(" gate/v1/school-a/gate-1/", line));
        Assert.Equal(5, gate1Block.Count(l => l.StartsWith("topic write ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Mqtt:Mode", "carrier-pigeon", "Mqtt:Mode must be \"embedded\" or \"external\"")]
    [InlineData("Liveness:OfflineAfterIntervals", "1", "Liveness:OfflineAfterIntervals must be greater than Liveness:LateAfterIntervals")]
    [InlineData("Mqtt:Embedded:TlsCertificatePath", "/nonexistent/broker.pfx", "Mqtt:Embedded:TlsCertificatePath names a file that does not exist")]
    public void Config_BadValue_StopsStartupWithClearMessage(string key, string value, string expected)
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => server.CreateClient());

        Assert.Contains(expected, error.ToString());
    }
}
