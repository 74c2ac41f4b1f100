using Gate.Firmware.Host.Simulation;
using Gate.Server.Devices;
using Gate.Server.Mqtt;
using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Demo;

/// <summary>
/// Seeds the demo school and its devices (credentials written to the data folder, 0600), on every start of the demo.
/// With the embedded broker, one virtual gate controller per device (gate-sim's VirtualGateController, in process) connects
/// with those credentials, so devices come online and heartbeat without extra processes. Registered after the broker,
/// so it starts once the broker listens and stops before it.
/// </summary>
public sealed class DemoService(
    DeviceRegistry registry,
    GateDatabase database,
    IOptions<DemoOptions> options,
    IOptions<MqttOptions> mqttOptions,
    EmbeddedBroker broker,
    ILogger<DemoService> logger)
    : IHostedService
{
    private readonly List<VirtualGateController> _controllers = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (registry.FindSchool(o.SchoolId) is null)
        {
            registry.UpsertSchool(new School(o.SchoolId, "Demo Primary School", "Demo District", "1 Demo Road", 34.7466, 113.6254, "1234"));
        }

        var folder = Path.GetDirectoryName(database.FilePath)!;
        var lines = new List<string>();
        var credentials = new List<(string Device, string Secret)>();
        for (var i = 1; i <= o.Devices; i++)
        {
            var id = $"{o.SchoolId}-gate-{i}";
            var secret = registry.Find(id) is null
                ? registry.Register(id, o.SchoolId, "gate", 30)?.Secret
                : registry.RotateCredential(id);
            lines.Add($"{id} {o.SchoolId} {secret}");
            if (secret is not null)
            {
                credentials.Add((id, secret));
            }
        }

        var file = Path.Combine(folder, "demo-devices.txt");
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false), fileOptions))
        {
            writer.WriteLine("# device school password (MQTT username and client id = device)");
            foreach (var line in lines)
            {
                writer.WriteLine(line);
            }
        }

        logger.LogWarning("Demo: school {School} with {Count} device(s); their MQTT credentials are in {File}", o.SchoolId, o.Devices, file);
        StartControllers(o, folder, credentials);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Taken out at once: the host may stop twice (test hosts do), and the second call must find nothing left to stop.
        VirtualGateController[] controllers;
        lock (_controllers)
        {
            controllers = [.. _controllers];
            _controllers.Clear();
        }

        // A clean DISCONNECT each (no will), so the demo devices go offline as switched off, not as a lost link.
        await Task.WhenAll(controllers.Select(c => StopOneAsync(c, cancellationToken)));
    }

    private async Task StopOneAsync(VirtualGateController controller, CancellationToken cancellationToken)
    {
        try
        {
            await controller.StopAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or InvalidOperationException or IOException
            or MQTTnet.Exceptions.MqttCommunicationException)
        {
            logger.LogDebug(ex, "Demo: controller {Device} did not stop cleanly", controller.Device);
        }
    }

    private void StartControllers(DemoOptions o, string folder, List<(string Device, string Secret)> credentials)
    {
        var mqtt = mqttOptions.Value;
        if (!o.Controllers)
        {
            return;
        }

        if (!mqtt.IsEmbedded || !mqtt.Embedded.PlainEnabled)
        {
            // An external broker or a TLS-only listener: the demo cannot know how to reach it as a device.
            logger.LogWarning("Demo: no virtual gate controllers (they need the embedded broker with its plain listener); use gate-sim with the credentials in {File}",
                Path.Combine(folder, "demo-devices.txt"));
            return;
        }

        var bind = System.Net.IPAddress.Parse(mqtt.Embedded.BindAddress);
        var host = bind.Equals(System.Net.IPAddress.Any) || bind.Equals(System.Net.IPAddress.IPv6Any) ? "127.0.0.1" : bind.ToString();
        foreach (var (device, secret) in credentials)
        {
            var controller = new VirtualGateController(new VirtualGateControllerOptions
            {
                BrokerHost = host,
                BrokerPort = broker.Port,
                School = o.SchoolId,
                Device = device,
                Credential = secret,
                HeartbeatSeconds = o.HeartbeatSeconds,
                // On disk, so an alarm raised in the demo survives a restart like on a real device.
                DataDirectory = Path.Combine(folder, "demo-controllers", device),
            });
            controller.Start();
            lock (_controllers)
            {
                _controllers.Add(controller);
            }
        }

        // Two controllers with one device id would take the connection from each other, so pressing a panic button by hand
        // means running the demo without the built-in ones.
        logger.LogWarning(
            "Demo: {Count} virtual gate controller(s) running against the embedded broker at {Host}:{Port}. To press a panic button yourself, "
            + "start the demo with --Demo:Controllers=false and run gate-sim with a line of {File}: dotnet run --project firmware/Gate.Firmware.Host -- run "
            + "--host {Host} --port {Port} --school {School} --device DEVICE --credential PASSWORD, then type help",
            _controllers.Count, host, broker.Port, Path.Combine(folder, "demo-devices.txt"), host, broker.Port, o.SchoolId);
    }
}
