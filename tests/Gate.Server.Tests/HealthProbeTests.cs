using Gate.PoliceReceiver;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gate.Contracts;
using Gate.SiaDc09;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>/health/live and /health/ready as an orchestrator or load balancer probes them (anonymous), beside the old /health.</summary>
public sealed class HealthProbeTests
{
    [Fact]
    public async Task Probes_FreshServerWithoutPolice_LiveAndReadyButPoliceDegraded()
    {
        using var server = new GateServerFactory();
        var client = server.CreateClient();

        var live = await client.GetAsync("/health/live");
        var ready = await client.GetAsync("/health/ready");
        var old = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", (await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = await ChecksAsync(ready);
        Assert.Equal("Healthy", checks["database"]);
        Assert.Equal("Healthy", checks["broker"]);
        Assert.Equal("Degraded", checks["police"]);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
    }

    [Fact]
    public async Task Ready_PolicePathAnsweringAndOneDown_EachPathIsItsOwnCheck()
    {
        await using var police = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });
        await police.StartAsync();
        using var server = new GateServerFactory(realTime: true, settings: new Dictionary<string, string?>
        {
            ["Forwarding:Primary:Host"] = "127.0.0.1",
            ["Forwarding:Primary:Port"] = ClosedPort().ToString(CultureInfo.InvariantCulture),
            ["Forwarding:Primary:Transport"] = "tcp",
            ["Forwarding:Primary:ResponseTimeout"] = "00:00:01",
            ["Forwarding:Backup:Host"] = "127.0.0.1",
            ["Forwarding:Backup:Port"] = police.TcpEndPoint!.Port.ToString(CultureInfo.InvariantCulture),
            ["Forwarding:Backup:Transport"] = "tcp",
            ["Forwarding:Backup:ResponseTimeout"] = "00:00:05",
        });
        var credential = server.AddDevice("school-a", "gate-1");
        await using var device = await server.ConnectDeviceAsync(credential);
        var client = server.CreateClient();
        var before = await ChecksAsync(await client.GetAsync("/health/ready"));

        var id = await device.AlarmAsync(AlarmKind.Panic);
        await device.WaitForAckAsync(id, AckStage.PoliceAck);
        var response = await client.GetAsync("/health/ready");
        var after = await ChecksAsync(response);

        Assert.Equal("Healthy", before["police:primary"]);
        Assert.Equal("Healthy", before["police:backup"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", after["police:primary"]);
        Assert.Equal("Healthy", after["police:backup"]);
        Assert.False(after.ContainsKey("police"));
    }

    [Fact]
    public async Task Ready_ExternalBrokerUnreachable_Is503ButLiveStays200()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?>
        {
            ["Mqtt:Mode"] = "external",
            ["Mqtt:External:Host"] = "127.0.0.1",
            ["Mqtt:External:Port"] = ClosedPort().ToString(CultureInfo.InvariantCulture),
        });
        var client = server.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", (await ChecksAsync(ready))["broker"]);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private static async Task<Dictionary<string, string>> ChecksAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
    }

    /// <summary>A loopback port nobody listens on: bound, read back, closed.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
