using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gate.Server.Devices;
using Gate.Server.Mqtt;
using Gate.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gate.Testing;

/// <summary>
/// The whole server in-process: the real embedded broker on port 0 (its bound port read back from the broker), a real
/// SQLite file in a temp folder, and by default a FakeTimeProvider as the server's clock. One per test; a second one on
/// the same folder is a restart. <paramref name="realTime"/> keeps the system clock (for real devices and browsers);
/// <paramref name="kestrel"/> serves on a loopback socket instead of the in-memory TestServer (Playwright needs one).
/// A setting given as null is left at the server's own default.
/// </summary>
public sealed class GateServerFactory(string? dataFolder = null, DateTimeOffset? start = null, IDictionary<string, string?>? settings = null, bool realTime = false, bool kestrel = false)
    : GateServerFactory<Program>(dataFolder, start, settings, realTime, kestrel)
{
    public const string AdminPassword = GateServerDefaults.AdminPassword;
    public static readonly DateTimeOffset DefaultStart = GateServerDefaults.Start;
}

/// <summary>
/// <see cref="GateServerFactory"/> for any host that composes the server: <c>Program</c> is the production server,
/// another entry point (the demo host's <c>DemoProgram</c>) the same server with more around it.
/// </summary>
public class GateServerFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly bool _ownsFolder;
    private readonly FakeTimeProvider? _time;
    private readonly bool _kestrel;
    private readonly IDictionary<string, string?>? _settings;

    public GateServerFactory(string? dataFolder = null, DateTimeOffset? start = null, IDictionary<string, string?>? settings = null, bool realTime = false, bool kestrel = false)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), "gate-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataFolder);
        _time = realTime ? null : new FakeTimeProvider(start ?? GateServerDefaults.Start);
        _settings = settings;
        _kestrel = kestrel;
        if (kestrel)
        {
            UseKestrel(0);
        }
    }

    public string DataFolder { get; }

    /// <summary>The server's clock; only a factory with fake time has one to advance.</summary>
    public FakeTimeProvider Time => _time ?? throw new InvalidOperationException("this server runs on real time");

    public int BrokerPort => Services.GetRequiredService<EmbeddedBroker>().Port;

    /// <summary>With <c>kestrel</c>: the loopback address the server listens on, once <see cref="Start"/> ran.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Starts the host (with <c>kestrel</c>, on a loopback port bound with 0 and read back).</summary>
    public void Start()
    {
        if (!_kestrel)
        {
            _ = Services;
            return;
        }

        StartServer();
        var addresses = Get<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public void AddSchool(string id, string district = "District") =>
        Get<DeviceRegistry>().UpsertSchool(new School(id, "School " + id, district, "Road 1", 34.7, 113.6, "1234"));

    /// <summary>Creates a school and a device with a fresh credential, directly in the registry.</summary>
    public DeviceCredential AddDevice(string schoolId, string deviceId, int heartbeatSeconds = 30)
    {
        if (Get<DeviceRegistry>().FindSchool(schoolId) is null)
        {
            AddSchool(schoolId);
        }

        var (device, secret) = Get<DeviceRegistry>().Register(deviceId, schoolId, "gate", heartbeatSeconds)!.Value;
        return new DeviceCredential(device.Id, device.SchoolId, device.Id, secret, device.Id);
    }

    public async Task<TestDevice> ConnectDeviceAsync(DeviceCredential credential, bool cleanSession = false)
    {
        var device = new TestDevice(credential.SchoolId, credential.DeviceId, credential.Password);
        await device.ConnectAsync(BrokerPort, cleanSession);
        return device;
    }

    /// <summary>Registers a device (and its school if new) and connects it: how most device tests begin.</summary>
    public async Task<TestDevice> ConnectNewDeviceAsync(string schoolId, string deviceId, int heartbeatSeconds = 30) =>
        await ConnectDeviceAsync(AddDevice(schoolId, deviceId, heartbeatSeconds));

    /// <summary>An HTTP client signed in as the first admin (cookie).</summary>
    public async Task<HttpClient> AdminClientAsync() => await ClientAsAsync("admin", GateServerDefaults.AdminPassword);

    /// <summary>An HTTP client signed in (cookie) as <paramref name="user"/>, over Kestrel when the factory has it.</summary>
    public async Task<HttpClient> ClientAsAsync(string user, string password)
    {
        var client = _kestrel
            ? new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), UseCookies = true }) { BaseAddress = BaseAddress }
            : CreateClient();
        var response = await client.PostAsJsonAsync("api/auth/login", new { user, password });
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>An API key with the given role, as the operations team would hand one to an installer.</summary>
    public string ApiKey(string role)
    {
        var (_, key) = Get<UserStore>().CreateApiKey($"{role}-key-{Guid.NewGuid():N}", [role], "tests");
        return key;
    }

    public HttpClient ClientWithKey(string role)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey(role));
        return client;
    }

    /// <summary>Subscribes to live changes now; the returned waiter sees everything published from here on.</summary>
    public ChangeWaiter WatchChanges() => new(Get<ChangeFeed>().Subscribe());

    /// <summary>A signal that fires on every change the server publishes, for <see cref="Wait.UntilAsync(Func{bool}, string, ChangeSignal?, TimeSpan?)"/>.</summary>
    public ChangeFeedSignal ChangeSignal() => new(Get<ChangeFeed>().Subscribe());

    /// <summary>Completes once <paramref name="condition"/> holds, re-checked on every change the server publishes.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var changes = ChangeSignal();
        await Wait.UntilAsync(condition, what, changes, timeout);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }

        if (_time is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_time));
        }
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        catch (InvalidOperationException e) when (e.StackTrace?.Contains("MqttTcpServerAdapter", StringComparison.Ordinal) == true)
        {
            // MQTTnet 5.2's MqttTcpServerAdapter.Cleanup can race with a closing listener on stop ("Collection was
            // modified"). The host is stopping anyway; the test's assertions already ran.
        }

        if (disposing && _ownsFolder)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataFolder, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the temp folder is the OS's to clean.
            }
        }
    }

    private IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        var all = new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(DataFolder, "gate.db"),
            ["Mqtt:Embedded:Port"] = "0",
            ["Mqtt:Embedded:BindAddress"] = "127.0.0.1",
            ["Security:AdminPassword"] = GateServerDefaults.AdminPassword,
            ["Forwarding:SupervisionInterval"] = "00:00:00",
        };
        if (_time is not null)
        {
            // The liveness sweep is a fake-clock step: tests advance time past it.
            all["Liveness:CheckPeriodMs"] = "1000";
        }

        foreach (var (key, value) in _settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return all.Where(s => s.Value is not null);
    }
}
