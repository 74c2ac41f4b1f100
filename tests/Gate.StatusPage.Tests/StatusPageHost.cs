using System.Net.Http.Json;
using Gate.Server.Devices;
using Gate.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gate.StatusPage.Tests;

/// <summary>
/// The real gateway server (its Program) on a loopback Kestrel port, a real SQLite file in a temp folder and the embedded
/// broker on a free port: Playwright needs a real socket, which TestServer does not give.
/// </summary>
public sealed class StatusPageHost : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-0";
    public const string TechPassword = "tech-password-0";
    public const string DutyPassword = "duty-password-0";
    public const string ViewerPassword = "view-password-0";

    private readonly Dictionary<string, string?> _settings;

    public StatusPageHost(IDictionary<string, string?>? settings = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "gate-statuspage-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Folder);
        _settings = new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(Folder, "gate.db"),
            ["Security:AdminPassword"] = AdminPassword,
            ["Mqtt:Mode"] = "embedded",
            ["Mqtt:Embedded:Port"] = "0",
            ["Mqtt:Embedded:BindAddress"] = "127.0.0.1",
            ["Demo:Enabled"] = "false",
            ["Liveness:CheckPeriodMs"] = "200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (settings is not null)
        {
            foreach (var (k, v) in settings)
            {
                _settings[k] = v;
            }
        }

        UseKestrel(0);
    }

    public string Folder { get; }

    /// <summary>The embedded broker's port (it binds a free one when configured with 0).</summary>
    public int MqttPort => Services.GetRequiredService<Gate.Server.Mqtt.EmbeddedBroker>().Port;

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
        var users = Services.GetRequiredService<UserStore>();
        users.CreateUser("tech", TechPassword, [Roles.Technician]);
        users.CreateUser("duty", DutyPassword, [Roles.DutyOfficer]);
        users.CreateUser("viewer", ViewerPassword, [Roles.Viewer]);
    }

    public DeviceRegistry Registry => Services.GetRequiredService<DeviceRegistry>();

    /// <summary>A school with one gate controller; returns the device's MQTT secret.</summary>
    public string AddDevice(string district, string schoolId, string schoolName, string deviceId, int heartbeatSeconds = 5)
    {
        Registry.UpsertSchool(new School(schoolId, schoolName, district, $"{district}{schoolName}", null, null, null));
        var registered = Registry.Register(deviceId, schoolId, "gate", heartbeatSeconds)
            ?? throw new InvalidOperationException($"could not register {deviceId}");
        return registered.Secret;
    }

    /// <summary>A signed-in HttpClient (cookie) for API tests.</summary>
    public async Task<HttpClient> LoginAsync(string user, string password)
    {
        var handler = new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), UseCookies = true };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        var response = await client.PostAsJsonAsync("api/auth/login", new { user, password });
        response.EnsureSuccessStatusCode();
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }

        builder.UseEnvironment("Development");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the temp folder is the OS's to clean.
            }
        }
    }
}
