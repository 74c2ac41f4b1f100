using Gate.Server.Devices;
using Gate.Server.Security;
using MQTTnet.Formatter;

namespace Gate.StatusPage.Tests;

/// <summary>
/// The shared server factory as the status page needs it: real time, Kestrel on a loopback port (Playwright needs a real
/// socket, which TestServer does not give), one user per role; and the gate controllers these suites connect.
/// </summary>
public static class StatusPageSite
{
    public const string AdminPassword = "admin-password-0";
    public const string TechPassword = "tech-password-0";
    public const string DutyPassword = "duty-password-0";
    public const string ViewerPassword = "view-password-0";

    public static GateServerFactory NewHost(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Security:AdminPassword"] = AdminPassword,
            ["Mqtt:Mode"] = "embedded",
            ["Liveness:CheckPeriodMs"] = "200",
            // Every test signs in from 127.0.0.1: the suite would spend one address's login budget within a minute.
            ["Security:LoginPermitsPerMinute"] = "600",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Forwarding:SupervisionInterval"] = null,
            ["environment"] = "Development",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new GateServerFactory(settings: all, realTime: true, kestrel: true);
    }

    /// <summary>Starts the host and signs up the technician, duty officer and viewer.</summary>
    public static void Start(GateServerFactory host)
    {
        host.Start();
        var users = host.Get<UserStore>();
        users.CreateUser("tech", TechPassword, [Roles.Technician]);
        users.CreateUser("duty", DutyPassword, [Roles.DutyOfficer]);
        users.CreateUser("viewer", ViewerPassword, [Roles.Viewer]);
    }

    /// <summary>A new host (<see cref="NewHost"/>), started with its users (<see cref="Start"/>); the caller disposes it.</summary>
    public static GateServerFactory StartedHost(IDictionary<string, string?>? settings = null)
    {
        var host = NewHost(settings);
        try
        {
            Start(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>A school with one gate controller; returns the device's MQTT secret.</summary>
    public static string AddDevice(GateServerFactory host, string district, string schoolId, string schoolName, string deviceId, int heartbeatSeconds = 5)
    {
        var registry = host.Get<DeviceRegistry>();
        registry.UpsertSchool(new School(schoolId, schoolName, district, $"{district}{schoolName}", null, null, null));
        var registered = registry.Register(deviceId, schoolId, "gate", heartbeatSeconds)
            ?? throw new InvalidOperationException($"could not register {deviceId}");
        return registered.Secret;
    }

    /// <summary>A gate controller as these pages show it (MQTT 5, firmware 1.4.2, third boot); connect it with ConnectAnnouncedAsync.</summary>
    public static TestDevice NewGate(string schoolId, string deviceId, string secret) =>
        new(schoolId, deviceId, secret) { Protocol = MqttProtocolVersion.V500, BootCount = 3, Firmware = "1.4.2", Rssi = -58 };
}
