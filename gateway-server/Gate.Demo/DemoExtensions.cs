namespace Gate.Demo;

public static class DemoExtensions
{
    /// <summary>
    /// When no police path is configured, the police receiver simulator as the primary path. Called before the server is
    /// composed, so the receiver listens before the forwarder starts.
    /// </summary>
    public static WebApplicationBuilder AddDemoPoliceReceiver(this WebApplicationBuilder builder)
    {
        var forwarding = builder.Configuration.GetSection("Forwarding");
        if (forwarding.GetSection("Primary").Exists() || forwarding.GetSection("Webhook").Exists())
        {
            return builder;
        }

        var port = FreePort();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Forwarding:Primary:Host"] = "127.0.0.1",
            ["Forwarding:Primary:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Forwarding:Primary:Transport"] = "tcp",
        });
        builder.Services.AddHostedService(sp => new DemoPoliceReceiver(port, sp.GetRequiredService<ILogger<DemoPoliceReceiver>>()));
        return builder;
    }

    /// <summary>
    /// The demo school and its devices (credentials in data/demo-devices.txt, for gate-sim) with a virtual controller
    /// each. Called after the server is composed, so it starts once the broker listens and stops before it.
    /// </summary>
    public static WebApplicationBuilder AddDemoSchool(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>()
            .BindConfiguration(DemoOptions.Section)
            .Validate(o => Gate.Contracts.Identifier.IsValid(o.SchoolId, 20), "Demo:SchoolId must be an identifier of at most 20 characters.")
            .Validate(o => o.Devices is >= 1 and <= 50, "Demo:Devices must be 1-50.")
            .Validate(o => o.HeartbeatSeconds is >= 5 and <= 300, "Demo:HeartbeatSeconds must be 5-300.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoService>();
        builder.Services.AddHostedService<DemoProvince>();
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
