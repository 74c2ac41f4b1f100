using System.Net;

namespace Gate.Provisioning.Tests;

/// <summary>The acceptance test's refusals and its first step, without a controller on the air.</summary>
[Trait("Category", "Integration")]
public sealed class AcceptanceApiTests : IDisposable
{
    // A device that is not online fails the first step at its limit; one second keeps this quick.
    private readonly GateServerFactory _server = ProvisioningServer.Create(new Dictionary<string, string?> { ["Provisioning:Acceptance:OnlineSeconds"] = "1" });

    public void Dispose() => _server.Dispose();

    private Task<HttpClient> DeviceAsync(string id) => DeviceAsync(_server, id);

    private static async Task<HttpClient> DeviceAsync(GateServerFactory server, string id)
    {
        server.AddSchool("xinhua");
        var client = server.ClientWithKey(Roles.Technician);
        var response = await client.PostAsJsonAsync("/api/provisioning/devices", new { id, schoolId = "xinhua", board = "esp32-devkitc" });
        response.EnsureSuccessStatusCode();
        return client;
    }

    private static Task<JsonNode> WaitForEndAsync(HttpClient client, string runId) =>
        Wait.ForValueAsync(
            async () => (await client.GetFromJsonAsync<JsonNode>($"/api/provisioning/acceptance/{runId}"))!,
            run => run["result"]!.GetValue<string>() != "running",
            $"acceptance run {runId} to end");

    [Fact]
    public async Task Acceptance_DeviceNeverOnline_FailsAtOnlineNamingWhyAndIsKeptButNotACommissioningRecord()
    {
        var client = await DeviceAsync("g1");

        var started = await client.PostAsJsonAsync("/api/provisioning/devices/g1/acceptance", new { technician = "王工" });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await WaitForEndAsync(client, (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>());
        Assert.Equal("failed", run["result"]!.GetValue<string>());
        Assert.Equal("online", run["failedStep"]!.GetValue<string>());
        Assert.Contains("not online", run["detail"]!.GetValue<string>());
        var steps = run["steps"]!.AsArray();
        Assert.Equal("failed", steps[0]!["result"]!.GetValue<string>());
        Assert.All(steps.Skip(1), s => Assert.Equal("skipped", s!["result"]!.GetValue<string>()));
        var view = (await client.GetFromJsonAsync<JsonNode>("/api/provisioning/devices/g1"))!;
        Assert.Null(view["commissioning"]);
        Assert.Single(view["runs"]!.AsArray());
    }

    [Fact]
    public async Task Acceptance_SecondRunWhileOneIsRunning_IsRefused409()
    {
        // Its own server with the default 120 s online step, so the first run is surely still waiting when the second
        // request arrives (with the class's 1 s limit a slow machine let it finish first); disposing the server ends it.
        using var server = ProvisioningServer.Create();
        var client = await DeviceAsync(server, "g1");
        var first = await client.PostAsJsonAsync("/api/provisioning/devices/g1/acceptance", new { technician = "王工" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        var second = await client.PostAsJsonAsync("/api/provisioning/devices/g1/acceptance", new { technician = "李工" });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("already running", (await second.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Acceptance_DecommissionedDevice_IsRefused()
    {
        var client = await DeviceAsync("g1");
        (await client.PostAsJsonAsync("/api/provisioning/devices/g1/decommission", new { reason = "removed" })).EnsureSuccessStatusCode();

        var started = await client.PostAsJsonAsync("/api/provisioning/devices/g1/acceptance", new { technician = "王工" });

        Assert.Equal(HttpStatusCode.Conflict, started.StatusCode);
        Assert.Contains("cannot be commissioned", (await started.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Acceptance_UnknownDevice_Is404()
    {
        var client = _server.ClientWithKey(Roles.Technician);

        var started = await client.PostAsJsonAsync("/api/provisioning/devices/nope/acceptance", new { technician = "王工" });

        Assert.Equal(HttpStatusCode.NotFound, started.StatusCode);
    }

    [Fact]
    public async Task LightAnswer_ForAFinishedRun_IsRefused409()
    {
        var client = await DeviceAsync("g1");
        var started = await client.PostAsJsonAsync("/api/provisioning/devices/g1/acceptance", new { technician = "王工" });
        var runId = (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        await WaitForEndAsync(client, runId);

        var answer = await client.PostAsJsonAsync($"/api/provisioning/acceptance/{runId}/light", new { seen = true });

        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        Assert.Contains("already finished", (await answer.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
    }
}
