using System.Net.Http.Headers;
using Gate.Server.Devices;
using Gate.Server.Mqtt;
using Gate.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gate.Provisioning.Tests;

/// <summary>
/// The whole gateway server in-process with the real embedded broker on a free port, a real SQLite file in a temp
/// folder and the repository's board files. Real time: the acceptance test waits on real devices.
/// </summary>
public sealed class ProvisioningServerFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ProvisioningServerFactory(IDictionary<string, string?>? settings = null)
    {
        DataFolder = TestPaths.NewTempFolder();
        _settings = new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(DataFolder, "gate.db"),
            ["Mqtt:Embedded:Port"] = "0",
            ["Mqtt:Embedded:BindAddress"] = "127.0.0.1",
            ["Security:AdminPassword"] = "admin-password-for-tests",
            ["Forwarding:SupervisionInterval"] = "00:00:00",
            ["Provisioning:BoardsPath"] = TestPaths.Boards,
            ["Provisioning:BrokerHost"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataFolder { get; }

    public int BrokerPort => Services.GetRequiredService<EmbeddedBroker>().Port;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

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

    public void AddSchool(string id) =>
        Get<DeviceRegistry>().UpsertSchool(new School(id, "School " + id, "金水区", "Road 1", 34.77, 113.66, "1234"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
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

        if (disposing)
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
