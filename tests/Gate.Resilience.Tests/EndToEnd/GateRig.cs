using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gate.Firmware.Host.Simulation;
using Gate.PoliceReceiver;
using Gate.SiaDc09;

namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>
/// A whole Gate on loopback for one test: a seeded SQLite registry, the police receiver simulator, Gate.Server as a real
/// child process (so it can be SIGKILLed and restarted on the same database and ports), and virtual gate controllers
/// running the real firmware core. Records, per alarm id, what the devices raised, what the server acknowledged to
/// them, and what the police receiver acknowledged.
/// </summary>
public sealed partial class GateRig : IAsyncDisposable
{
    // Short retry and supervision periods so an outage and its recovery fit a test; the behaviour is the same.
    private static readonly Dictionary<string, string> FastForwarding = new()
    {
        ["Forwarding__Retry__InitialDelay"] = "00:00:00.200",
        ["Forwarding__Retry__MaxDelay"] = "00:00:01",
        ["Forwarding__Retry__PathRetryAfter"] = "00:00:01",
        ["Forwarding__Retry__TroubleAfterAttempts"] = "2",
        ["Forwarding__SupervisionInterval"] = "00:00:20",
        ["Database__BusyTimeoutMs"] = "1000",
    };

    private readonly string _dir;
    private readonly List<VirtualGateController> _controllers = [];
    private readonly GateTicker _ticker = new(TimeSpan.FromMilliseconds(10));

    private GateRig(string dir, int devices)
    {
        _dir = dir;
        Devices = devices;
    }

    public int Devices { get; }

    public PoliceReceiverSimulator Police { get; } = new(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });

    public ServerProcess Server { get; private set; } = null!;

    public IReadOnlyList<VirtualGateController> Controllers => _controllers;

    /// <summary>Alarm ids the devices raised, in order.</summary>
    public ConcurrentQueue<string> Raised { get; } = new();

    /// <summary>Alarm id → stages the device saw (first arrival).</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, DateTimeOffset>> Acks { get; } = new();

    public string DataDirectory => _dir;

    /// <summary>The server's SQLite file (in DataDirectory unless the test gave the database its own folder).</summary>
    public string DatabasePath { get; private set; } = "";

    /// <summary>
    /// databaseDirectory puts the SQLite file in a folder of the test's choosing (a size-limited mount); the
    /// server's log stays in DataDirectory, as a real server's goes to the journal, not to its data disk.
    /// </summary>
    public static async Task<GateRig> StartAsync(int devices, IReadOnlyDictionary<string, string>? extra = null, Func<GateRig, ServerSettings, Task<ServerSettings>>? configure = null, string? databaseDirectory = null)
    {
        var dir = Directory.CreateTempSubdirectory("gate-resilience-").FullName;
        var rig = new GateRig(dir, devices);
        rig.DatabasePath = Path.Combine(databaseDirectory ?? dir, "gate.db");
        RegistrySeeder.Seed(rig.DatabasePath, devices, 5, devices);
        await rig.Police.StartAsync();
        var env = new Dictionary<string, string>(FastForwarding);
        if (databaseDirectory is not null)
        {
            env["Database__Path"] = rig.DatabasePath;
        }

        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        var settings = new ServerSettings { DataDirectory = dir, PoliceReceiver = rig.Police.TcpEndPoint, Extra = env };
        if (configure is not null)
        {
            settings = await configure(rig, settings);
        }

        rig.Server = await ServerProcess.StartAsync(settings);
        return rig;
    }

    /// <summary>The usual start: the rig as <see cref="StartAsync"/> makes it, with every controller connected to the embedded broker.</summary>
    public static async Task<GateRig> StartWithControllersAsync(int devices, string? databaseDirectory = null)
    {
        var rig = await StartAsync(devices, databaseDirectory: databaseDirectory);
        try
        {
            await rig.StartControllersAsync();
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }

        return rig;
    }

    /// <summary>Starts the controllers against the given MQTT port (default: the server's embedded broker).</summary>
    public async Task StartControllersAsync(int? mqttPort = null)
    {
        for (var n = 0; n < Devices; n++)
        {
            var c = new VirtualGateController(new VirtualGateControllerOptions
            {
                BrokerHost = "127.0.0.1",
                BrokerPort = mqttPort ?? Server.Settings.MqttPort,
                School = RegistrySeeder.SchoolId(n, Devices),
                Device = RegistrySeeder.DeviceId(n),
                Credential = RegistrySeeder.Secret,
                HeartbeatSeconds = 5,
                PanicHoldMs = 50,
                SelfTestHours = 0,
                Ticker = _ticker,
            });
            c.AlarmRaised += (_, e) => Raised.Enqueue(e.Alarm.Id);
            c.AckReceived += (_, e) => Acks.GetOrAdd(e.AlarmId, _ => new()).TryAdd(e.Stage, e.At);
            _controllers.Add(c);
            c.Start();
        }

        await WaitUntilAsync(() => _controllers.All(c => c.IsConnected), TimeSpan.FromSeconds(60), "all controllers connected");
    }

    /// <summary>SIGKILL the server, then start it again on the same database, ports and configuration.</summary>
    public async Task KillAndRestartServerAsync(Func<Task>? whileDown = null)
    {
        await Server.KillHardAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }

        var settings = Server.Settings;
        await Server.DisposeAsync();
        Server = await ServerProcess.StartAsync(settings);
    }

    public HashSet<string> AckedWith(string stage) =>
        Acks.Where(a => a.Value.ContainsKey(stage)).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Alarm ids the police receiver acknowledged, in arrival order (duplicates kept).</summary>
    public List<string> PoliceAcknowledgedIds() =>
        Police.Acknowledged
            .Select(m => m.Frame?.ExtendedData.Select(x => AlarmText().Match(x)).FirstOrDefault(x => x.Success)?.Groups["id"].Value)
            .Where(id => id is not null)
            .Select(id => id!)
            .ToList();

    [GeneratedRegex(@"^Ialarm (?<id>\S+)")]
    private static partial Regex AlarmText();

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        // One sign-in per server process, as a real client keeps its session: polling with a fresh login each time runs
        // into the server's per-address sign-in rate limit (Security:LoginPermitsPerMinute).
        if (_session is not { } session || !ReferenceEquals(session.Server, Server))
        {
            _session?.Http.Dispose();
            session = (Server, await Server.LoginAsync());
            _session = session;
        }

        return await session.Http.GetFromJsonAsync<JsonElement>(path);
    }

    private (ServerProcess Server, HttpClient Http)? _session;

    /// <summary>Waits for a condition (the server is another process: no signal reaches here); fails with what was awaited and the end of the server log.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        try
        {
            await Gate.Testing.Wait.UntilAsync(condition, what, timeout: timeout);
        }
        catch (TimeoutException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nserver log tail:\n{Server?.Tail()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _session?.Http.Dispose();
        foreach (var c in _controllers)
        {
            c.Crash();
        }

        _ticker.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        await Police.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
