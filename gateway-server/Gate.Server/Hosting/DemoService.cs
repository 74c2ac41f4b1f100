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
/// The virtual gate controllers (firmware/Gate.Firmware.Host) and the police receiver simulator attach here once they
/// offer a library API; until then the devices are registered and wait for gate-sim to connect with those credentials.
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

public static class DemoExtensions
{
    public static IServiceCollection AddDemo(this IServiceCollection services, string[] args)
    {
        services.AddOptions<DemoOptions>()
            .BindConfiguration(DemoOptions.Section)
            .PostConfigure(o => o.Enabled |= args.Contains("--demo"))
            .Validate(o => Gate.Contracts.Identifier.IsValid(o.SchoolId, 20), "Demo:SchoolId must be an identifier of at most 20 characters.")
            .Validate(o => o.Devices is >= 1 and <= 50, "Demo:Devices must be 1-50.");
        if (args.Contains("--demo"))
        {
            services.AddHostedService<DemoService>();
        }

        return services;
    }
}
