using Gate.Firmware.Host.Simulation;
using Gate.PoliceReceiver;
using Gate.SiaDc09;

namespace Gate.Provisioning.Tests;

/// <summary>
/// The whole chain an installer proves before leaving a gate: gate-admin registers the school and device and issues
/// the bundle; a virtual gate controller boots from that bundle's gate.json; gate-admin runs the acceptance test; the
/// technician presses the panic button; the server forwards the drill to the police receiver simulator over DC-09,
/// which acknowledges Contact ID 601; the controller's light shows the acknowledgement; the latch is reset.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AcceptanceEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly PoliceReceiverSimulator _police = new(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });
    private GateServerFactory? _server;
    private string _key = "";

    public Task InitializeAsync() => _police.StartAsync();

    public async Task DisposeAsync()
    {
        _server?.Dispose();
        await _police.DisposeAsync();
    }

    /// <summary>The server forwarding to the police receiver simulator; step limits can be shortened per test.</summary>
    private GateServerFactory StartServer(int policeAckSeconds = 120)
    {
        _server = ProvisioningServer.Create(new Dictionary<string, string?>
        {
            ["Forwarding:Primary:Host"] = "127.0.0.1",
            ["Forwarding:Primary:Port"] = _police.TcpEndPoint!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Forwarding:Primary:Transport"] = "tcp",
            ["Provisioning:Acceptance:PoliceAckSeconds"] = policeAckSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _key = _server.ApiKey(Roles.Technician);
        _server.AddSchool("xinhua-primary");
        return _server;
    }

    private Task<int> AdminAsync(TextWriter output, TextReader input, params string[] args) =>
        AdminApp.RunAsync(["--server", "http://localhost", .. args], new AdminContext
        {
            Out = output,
            Error = output,
            In = input,
            CreateHttpClient = _ => _server!.CreateClient(),
            Environment = name => name == AdminApp.ApiKeyVariable ? _key : null,
            PollInterval = TimeSpan.FromMilliseconds(100),
        });

    private async Task<VirtualGateController> ProvisionAndBootAsync(string deviceId)
    {
        var log = new StringWriter();
        Assert.True(await AdminAsync(log, TextReader.Null, "device", "add", "--id", deviceId, "--school", "xinhua-primary", "--board", "esp32-devkitc", "--place", "north gate") == 0, log.ToString());
        var folder = Path.Combine(_server!.DataFolder, deviceId);
        Assert.True(await AdminAsync(log, TextReader.Null, "device", "bundle", deviceId, "--out", folder, "--wifi-ssid", "school-sec") == 0, log.ToString());

        // The bundle names the broker as devices reach it; this test's broker listens on a port chosen at start-up.
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "gate.json")))!;
        config["broker"]!["port"] = _server.BrokerPort;
        var controller = new VirtualGateController(new VirtualGateControllerOptions { ConfigJson = config.ToJsonString(), Board = "esp32-devkitc" });
        controller.Start();
        await controller.WaitConnectedAsync(Generous);
        return controller;
    }

    [Fact]
    public async Task Acceptance_VirtualControllerAndPoliceSimulator_PassesAndIsRecordedAsTheCommissioningRecord()
    {
        var server = StartServer();
        await using var controller = await ProvisionAndBootAsync("xinhua-gate-1");
        using var technician = new TechnicianAtTheGate(controller);
        var output = new StringWriter();

        var run = AdminAsync(output, technician, "acceptance", "run", "xinhua-gate-1", "--technician", "王工");
        // The technician presses the real button once the server has put the controller in drill mode.
        await controller.WaitForAsync(() => controller.DrillMode, Generous);
        await controller.TriggerPanicAsync(Generous);
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exit == 0, output.ToString());
        Assert.Contains("PASSED", output.ToString());
        Assert.True(technician.SawPoliceAck, "the light question was answered before the light showed the police acknowledgement");

        var client = server.ClientWithKey(Roles.Viewer);
        var view = (await client.GetFromJsonAsync<JsonNode>("/api/provisioning/devices/xinhua-gate-1"))!;
        var record = view["commissioning"]!;
        Assert.Equal("passed", record["result"]!.GetValue<string>());
        Assert.Equal("王工", record["technician"]!.GetValue<string>());
        Assert.NotNull(record["finishedAt"]);
        Assert.False(string.IsNullOrEmpty(record["alarmId"]!.GetValue<string>()));
        var steps = record["steps"]!.AsArray();
        Assert.Equal(["online", "drill_on", "press", "received", "police_ack", "light", "latch_reset"], steps.Select(s => s!["step"]!.GetValue<string>()));
        Assert.All(steps, s =>
        {
            Assert.Equal("passed", s!["result"]!.GetValue<string>());
            Assert.True(s["durationMs"]!.GetValue<long>() >= 0);
        });

        // The police receiver got the drill as a test event, Contact ID 601, and acknowledged it.
        Assert.Contains(_police.Acknowledged, m => m.ContactId is { Code: 601 });
        Assert.DoesNotContain(_police.Received, m => m.ContactId is { Code: 120 or 121 or 122 });
        // Left as found: drill mode off, latch reset.
        await controller.WaitForAsync(() => !controller.DrillMode && !controller.PanicLatched, Generous);

        var latest = (await client.GetFromJsonAsync<JsonNode>("/api/provisioning/commissioning"))!.AsArray();
        Assert.Contains(latest, r => r!["deviceId"]!.GetValue<string>() == "xinhua-gate-1" && r["result"]!.GetValue<string>() == "passed");
    }

    [Fact]
    public async Task Acceptance_PoliceReceiverDown_FailsAtPoliceAckAndSwitchesDrillOff()
    {
        // The limit is what fails this run; a short one keeps the suite quick without timing anything that passes.
        var server = StartServer(policeAckSeconds: 3);
        await using var controller = await ProvisionAndBootAsync("xinhua-gate-2");
        await _police.StopAsync();
        var client = server.ClientWithKey(Roles.Technician);

        var started = await client.PostAsJsonAsync("/api/provisioning/devices/xinhua-gate-2/acceptance", new { technician = "王工" });
        started.EnsureSuccessStatusCode();
        var runId = (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        await controller.WaitForAsync(() => controller.DrillMode, Generous);
        await controller.TriggerPanicAsync(Generous);

        var run = await WaitForRunAsync(client, runId, TimeSpan.FromSeconds(60));

        Assert.Equal("failed", run["result"]!.GetValue<string>());
        Assert.Equal("police_ack", run["failedStep"]!.GetValue<string>());
        Assert.Contains("police receiver", run["detail"]!.GetValue<string>());
        await controller.WaitForAsync(() => !controller.DrillMode, Generous);
        var view = (await client.GetFromJsonAsync<JsonNode>("/api/provisioning/devices/xinhua-gate-2"))!;
        Assert.Null(view["commissioning"]);
    }

    private static Task<JsonNode> WaitForRunAsync(HttpClient client, string runId, TimeSpan timeout) =>
        Wait.ForValueAsync(
            async () => (await client.GetFromJsonAsync<JsonNode>($"/api/provisioning/acceptance/{runId}"))!,
            run => run["result"]!.GetValue<string>() != "running",
            $"acceptance run {runId} to end",
            timeout: timeout);

    /// <summary>Answers gate-admin's light question by looking at the virtual controller's light, as a person would.</summary>
    private sealed class TechnicianAtTheGate(VirtualGateController controller) : TextReader
    {
        public bool SawPoliceAck { get; private set; }

        public override string? ReadLine()
        {
            try
            {
                controller.WaitForFeedbackAsync("police_ack", Generous).GetAwaiter().GetResult();
                SawPoliceAck = true;
                return "yes";
            }
            catch (TimeoutException)
            {
                return "no";
            }
        }
    }
}
