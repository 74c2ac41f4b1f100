using Gate.Server.Devices;
using Gate.Server.Storage;

namespace Gate.Server.Hosting;

/// <summary>Settings of <c>--demo</c>: a demo school with a few gate controllers, so a newcomer sees a living system.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    public string SchoolId { get; set; } = "demo-school";

    public int Devices { get; set; } = 3;
}

/// <summary>
/// Seeds the demo school and its devices (credentials written to the data folder, 0600), on every start with --demo.
/// The virtual gate controllers are gate-sim processes (firmware/Gate.Firmware.Host) started with those credentials:
/// referencing gate-sim here would put its top-level Program next to the server's (ambiguous for WebApplicationFactory).
/// </summary>
public sealed class DemoService(DeviceRegistry registry, GateDatabase database, Microsoft.Extensions.Options.IOptions<DemoOptions> options, ILogger<DemoService> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (registry.FindSchool(o.SchoolId) is null)
        {
            registry.UpsertSchool(new School(o.SchoolId, "Demo Primary School", "Demo District", "1 Demo Road", 34.7466, 113.6254, "1234"));
        }

        var folder = Path.GetDirectoryName(database.FilePath)!;
        var lines = new List<string>();
        for (var i = 1; i <= o.Devices; i++)
        {
            var id = $"{o.SchoolId}-gate-{i}";
            var secret = registry.Find(id) is null
                ? registry.Register(id, o.SchoolId, "gate", 30)?.Secret
                : registry.RotateCredential(id);
            lines.Add($"{id} {o.SchoolId} {secret}");
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
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
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
        var demo = args.Contains("--demo");
        builder.Services.AddOptions<DemoOptions>()
            .BindConfiguration(DemoOptions.Section)
            .PostConfigure(o => o.Enabled |= demo)
            .Validate(o => Gate.Contracts.Identifier.IsValid(o.SchoolId, 20), "Demo:SchoolId must be an identifier of at most 20 characters.")
            .Validate(o => o.Devices is >= 1 and <= 50, "Demo:Devices must be 1-50.")
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
