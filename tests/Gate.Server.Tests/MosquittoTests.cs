using System.Diagnostics;
using System.Net.Sockets;

namespace Gate.Server.Tests;

/// <summary>The server as a client of an external Mosquitto, which enforces the credentials and ACL generated from the registry.</summary>
public sealed class MosquittoTests : IDisposable
{
    private const string MosquittoPath = "/usr/sbin/mosquitto";
    private const string ServerUser = "gate-srv";
    private const string ServerPassword = "server-password-for-tests";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gate-server-tests", "mosquitto-" + Guid.NewGuid().ToString("N"));
    private readonly System.Text.StringBuilder _log = new();
    private Process? _mosquitto;

    [Fact]
    public async Task Mosquitto_ExternalBroker_AlarmStoredAndAckedAndForeignTopicsDenied()
    {
        Assert.True(File.Exists(MosquittoPath), "Mosquitto is required for this test (apt-get install mosquitto)");
        Directory.CreateDirectory(_folder);
        var port = FreePort();
        var settings = ExternalBrokerSettings(port);

        // Register devices and export Mosquitto's files from the registry, as an operator would.
        DeviceCredential mine;
        DeviceCredential other;
        using (var setup = new GateServerFactory(_folder))
        {
            mine = setup.AddDevice("school-a", "gate-1");
            other = setup.AddDevice("school-a", "gate-2");
            MosquittoExport.WriteFiles(setup.Get<DeviceRegistry>(), _folder, ServerUser);
        }

        await RunAsync("/usr/bin/mosquitto_passwd", "-b", Path.Combine(_folder, "passwd"), ServerUser, ServerPassword);
        StartMosquitto(port);

        using var server = new GateServerFactory(_folder, settings: settings);
        _ = server.Services; // starts the host
        try
        {
            await server.Get<ExternalBroker>().Connected.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail("server never connected to Mosquitto: " + _log);
        }

        var device = new TestDevice("school-a", "gate-1", mine.Password);
        await using var _d = device;
        var connected = await device.ConnectAsync(port);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);

        // Mosquitto checks the registry's hash format itself: a wrong secret is refused.
        using (var wrong = new MqttClientFactory().CreateMqttClient())
        {
            var refused = await wrong.ConnectAsync(TestDevice.Options(port, "gate-2", "gate-2", mine.Password, true, null));
            Assert.NotEqual(MqttClientConnectResultCode.Success, refused.ResultCode);
        }

        // gate-1 forging an alarm on gate-2's topic: Mosquitto's ACL drops it before the server sees it.
        var forged = device.NewAlarm(3, 1);
        forged.Id = Identifier.AlarmId("gate-2", 3, 1);
        forged.Device = "gate-2";
        await device.PublishToAsync(Topics.For("school-a", "gate-2", Topics.Alarm), Gate.Server.Wire.WireEncoder.EncodeAlarm(forged));

        var alarm = device.NewAlarm(3, 2);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);
        await device.SendHeartbeatAsync();

        Assert.NotNull(server.Get<AlarmStore>().Find(alarm.Id));
        Assert.Null(server.Get<AlarmStore>().Find(forged.Id));
        using var changes = server.WatchChanges();
        if (server.Get<LivenessTracker>().Find("gate-1")!.State != LivenessState.Online)
        {
            await changes.WaitAsync(c => c.DeviceId == "gate-1" && (c.Data as LivenessSnapshot)?.State == LivenessState.Online, "gate-1 online");
        }

        Assert.Equal(LivenessState.NeverSeen, server.Get<LivenessTracker>().Find(other.DeviceId)!.State);
    }

    [Fact]
    public async Task Mosquitto_DownAtStartThenRestarted_ServerConnectsResubscribesAndStoresAlarms()
    {
        Assert.True(File.Exists(MosquittoPath), "Mosquitto is required for this test (apt-get install mosquitto)");
        Directory.CreateDirectory(_folder);
        var port = FreePort();
        DeviceCredential mine;
        using (var setup = new GateServerFactory(_folder))
        {
            mine = setup.AddDevice("school-a", "gate-1");
            MosquittoExport.WriteFiles(setup.Get<DeviceRegistry>(), _folder, ServerUser);
        }

        await RunAsync("/usr/bin/mosquitto_passwd", "-b", Path.Combine(_folder, "passwd"), ServerUser, ServerPassword);

        // The server first, with nothing listening yet: its reconnect pipeline keeps trying (at most 1 s apart here).
        var settings = ExternalBrokerSettings(port);
        settings["Mqtt:External:MaxReconnectDelaySeconds"] = "1";
        using var server = new GateServerFactory(_folder, settings: settings);
        _ = server.Services;
        var broker = server.Get<ExternalBroker>();
        Assert.False(broker.IsConnected);

        StartMosquitto(port);
        await WaitConnectedAsync(broker.Connected);

        // The broker goes away and comes back without the server's session (persistence false): the server must
        // connect and subscribe again before a device's alarm can reach it.
        _mosquitto!.Kill();
        await _mosquitto.WaitForExitAsync();
        await Wait.UntilAsync(() => !broker.IsConnected, "the server notices the broker is gone");
        StartMosquitto(port);
        await Wait.UntilAsync(() => broker.IsConnected, "the server reconnected: " + _log);

        var device = new TestDevice("school-a", "gate-1", mine.Password);
        await using var _d = device;
        Assert.Equal(MqttClientConnectResultCode.Success, (await device.ConnectAsync(port)).ResultCode);
        var alarm = device.NewAlarm(3, 1);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);
        Assert.NotNull(server.Get<AlarmStore>().Find(alarm.Id));
    }

    private async Task WaitConnectedAsync(Task connected)
    {
        try
        {
            await connected.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail("server never connected to Mosquitto: " + _log);
        }
    }

    public void Dispose()
    {
        if (_mosquitto is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        _mosquitto?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void StartMosquitto(int port)
    {
        // "user" keeps Mosquitto as this account when started as root, so it can read the 0600 files written above.
        var config = Path.Combine(_folder, "mosquitto.conf");
        File.WriteAllText(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous false
            password_file {Path.Combine(_folder, "passwd")}
            acl_file {Path.Combine(_folder, "acl")}
            persistence false
            log_dest stderr
            user {Environment.UserName}
            """);
        _mosquitto?.Dispose();
        _mosquitto = Process.Start(new ProcessStartInfo(MosquittoPath, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        _mosquitto.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _mosquitto.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _mosquitto.BeginErrorReadLine();
        _mosquitto.BeginOutputReadLine();
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {await process.StandardError.ReadToEndAsync()}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The server's settings for Mosquitto on the port, signed in as the server's own broker user.</summary>
    private static Dictionary<string, string?> ExternalBrokerSettings(int port) => new()
    {
        ["Mqtt:Mode"] = "external",
        ["Mqtt:External:Host"] = "127.0.0.1",
        ["Mqtt:External:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:External:ClientId"] = "gate-server-test",
        ["Mqtt:External:Username"] = ServerUser,
        ["Mqtt:External:Password"] = ServerPassword,
    };
}
