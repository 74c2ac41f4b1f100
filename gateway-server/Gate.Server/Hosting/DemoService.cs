using Gate.Firmware.Host.Simulation;
using Gate.Server.Devices;
using Gate.Server.Mqtt;
using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.Hosting;

/// <summary>Settings of <c>--demo</c>: a demo school with a few gate controllers, so a newcomer sees a living system.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    public string SchoolId { get; set; } = "demo-school";

    public int Devices { get; set; } = 3;

    /// <summary>Run a virtual gate controller (the real firmware core, as in gate-sim) for each demo device.</summary>
    public bool Controllers { get; set; } = true;

    /// <summary>Heartbeat interval of the virtual controllers, seconds (5-300).</summary>
    public int HeartbeatSeconds { get; set; } = 10;
}

/// <summary>
/// Seeds the demo school and its devices (credentials written to the data folder, 0600), on every start with --demo.
/// With the embedded broker, one virtual gate controller per device (gate-sim's VirtualGateController, in process) connects
/// with those credentials, so devices come online and heartbeat without extra processes. Registered after the broker,
/// so it starts once the broker listens and stops before it.
/// </summary>
public sealed class DemoService(
    DeviceRegistry registry,
    GateDatabase database,
    IOptions<DemoOptions> options,
    IOptions<MqttOptions> mqttOptions,
    IServiceProvider services,
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

        var broker = services.GetRequiredService<EmbeddedBroker>();
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
            + "start with --Demo:Controllers=false and run gate-sim with a line of {File}: dotnet run --project firmware/Gate.Firmware.Host -- run "
            + "--host {Host} --port {Port} --school {School} --device DEVICE --credential PASSWORD, then type help",
            _controllers.Count, host, broker.Port, Path.Combine(folder, "demo-devices.txt"), host, broker.Port, o.SchoolId);
    }
}

/// <summary>--demo without a configured police path: the DC-09 police receiver simulator on a free local port, as the primary path.</summary>
public sealed class DemoPoliceReceiver(int port, ILogger<DemoPoliceReceiver> logger) : IHostedService, IAsyncDisposable
{
    private readonly Gate.SiaDc09.PoliceReceiverSimulator _simulator = new(new Gate.SiaDc09.PoliceReceiverOptions { TcpPort = port, UdpPort = null });

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _simulator.StartAsync();
        logger.LogWarning("Demo: police receiver simulator (SIA DC-09) on tcp 127.0.0.1:{Port} is the primary forwarding path", port);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _simulator.StopAsync();

    public ValueTask DisposeAsync() => _simulator.DisposeAsync();
}

public static class DemoExtensions
{
    /// <summary>
    /// <c>--demo</c>: a demo school and devices (credentials in data/demo-devices.txt, for gate-sim), and, when no police
    /// path is configured, the police receiver simulator as the primary path.
    /// </summary>
    public static WebApplicationBuilder AddDemo(this WebApplicationBuilder builder, string[] args)
    {
        // The switch, or Demo:Enabled=true in configuration (how tests, which cannot pass arguments, turn it on).
        var demo = args.Contains("--demo") || builder.Configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled");
        builder.Services.AddOptions<DemoOptions>()
            .BindConfiguration(DemoOptions.Section)
            .PostConfigure(o => o.Enabled |= demo)
            .Validate(o => Gate.Contracts.Identifier.IsValid(o.SchoolId, 20), "Demo:SchoolId must be an identifier of at most 20 characters.")
            .Validate(o => o.Devices is >= 1 and <= 50, "Demo:Devices must be 1-50.")
            .Validate(o => o.HeartbeatSeconds is >= 5 and <= 300, "Demo:HeartbeatSeconds must be 5-300.")
            .ValidateOnStart();
        if (!demo)
        {
            return builder;
        }

        var forwarding = builder.Configuration.GetSection("Forwarding");
        if (!forwarding.GetSection("Primary").Exists() && !forwarding.GetSection("Webhook").Exists())
        {
            var port = FreePort();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Forwarding:Primary:Host"] = "127.0.0.1",
                ["Forwarding:Primary:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Forwarding:Primary:Transport"] = "tcp",
            });
            builder.Services.AddHostedService(sp => new DemoPoliceReceiver(port, sp.GetRequiredService<ILogger<DemoPoliceReceiver>>()));
        }

        builder.Services.AddHostedService<DemoService>();
        return builder;
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
