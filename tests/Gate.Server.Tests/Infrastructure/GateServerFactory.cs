using System.Net.Http.Json;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Mqtt;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gate.Server.Tests.Infrastructure;

/// <summary>
/// The whole server in-process: the real embedded broker on a free port, a real SQLite file in a temp folder,
/// and a FakeTimeProvider driving the liveness clock. One per test; a second one on the same folder is a restart.
/// </summary>
public sealed class GateServerFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;

    public GateServerFactory(string? dataFolder = null, DateTimeOffset? start = null, IDictionary<string, string?>? settings = null)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), "gate-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataFolder);
        Time = new FakeTimeProvider(start ?? DefaultStart);
        _settings = new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(DataFolder, "gate.db"),
            ["Mqtt:Embedded:Port"] = "0",
            ["Mqtt:Embedded:BindAddress"] = "127.0.0.1",
            ["Security:AdminPassword"] = AdminPassword,
            ["Liveness:CheckPeriodMs"] = "1000",
            ["Forwarding:SupervisionInterval"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataFolder { get; }

    public FakeTimeProvider Time { get; }

    public int BrokerPort => Services.GetRequiredService<EmbeddedBroker>().Port;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Creates a school and a device with a fresh credential, directly in the registry.</summary>
    public DeviceCredential AddDevice(string schoolId, string deviceId, int heartbeatSeconds = 30)
    {
        var registry = Get<DeviceRegistry>();
        if (registry.FindSchool(schoolId) is null)
        {
            registry.UpsertSchool(new School(schoolId, "School " + schoolId, "District", "Road 1", 34.7, 113.6, "1234"));
        }

        var (device, secret) = registry.Register(deviceId, schoolId, "gate", heartbeatSeconds)!.Value;
        return new DeviceCredential(device.Id, device.SchoolId, device.Id, secret, device.Id);
    }

    public async Task<TestDevice> ConnectDeviceAsync(DeviceCredential credential, bool cleanSession = false)
    {
        var device = new TestDevice(credential.SchoolId, credential.DeviceId, credential.Password);
        await device.ConnectAsync(BrokerPort, cleanSession);
        return device;
    }

    /// <summary>An HTTP client signed in as the first admin (cookie).</summary>
    public async Task<HttpClient> AdminClientAsync() => await ClientAsAsync("admin", AdminPassword);

    public async Task<HttpClient> ClientAsAsync(string user, string password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { user, password });
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>Subscribes to live changes now; the returned waiter sees everything published from here on.</summary>
    public ChangeWaiter WatchChanges() => new(Get<ChangeFeed>().Subscribe());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFolder)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

public sealed class ChangeWaiter(ChangeSubscription subscription) : IDisposable
{
    public async Task<ChangeEvent> WaitAsync(Func<ChangeEvent, bool> predicate, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var change in subscription.Reader.ReadAllAsync(timeout.Token))
            {
                if (predicate(change))
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException("no change matched: " + what);
    }

    /// <summary>Everything published so far and not yet read.</summary>
    public List<ChangeEvent> Drain()
    {
        var list = new List<ChangeEvent>();
        while (subscription.Reader.TryRead(out var change))
        {
            list.Add(change);
        }

        return list;
    }

    public void Dispose() => subscription.Dispose();
}
