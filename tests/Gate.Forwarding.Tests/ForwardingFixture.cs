using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;

namespace Gate.Forwarding.Tests;

public sealed record DeliveryEvent(string Type, string AlarmId, string? Receiver, string? Path, string? Detail);

/// <summary>
/// Stands in for the Alarms feature: records every step the forwarding service reports, once its transaction has
/// committed (the announcement), and which transaction each step was recorded in.
/// </summary>
public sealed class RecordingObserver : IDeliveryProgress
{
    private readonly object _lock = new();
    private readonly List<DeliveryEvent> _events = [];
    private readonly List<(Func<DeliveryEvent, bool> Match, TaskCompletionSource<DeliveryEvent> Done)> _waiters = [];

    public IReadOnlyList<DeliveryEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToArray();
            }
        }
    }

    public Task<DeliveryEvent> WaitFor(Func<DeliveryEvent, bool> match)
    {
        lock (_lock)
        {
            var found = _events.FirstOrDefault(match);
            if (found is not null)
            {
                return Task.FromResult(found);
            }

            var tcs = new TaskCompletionSource<DeliveryEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task;
        }
    }

    public Task<DeliveryEvent> Acknowledged(string alarmId) => WaitFor(e => e.Type == "ack" && e.AlarmId == alarmId).WithTimeout($"police ack of {alarmId}");

    public Task<DeliveryEvent> Trouble(string alarmId) => WaitFor(e => e.Type == "trouble" && e.AlarmId == alarmId).WithTimeout($"delivery trouble of {alarmId}");

    /// <summary>The transaction each step was recorded in, by step type and alarm id.</summary>
    public ConcurrentDictionary<(string Type, string AlarmId), SqliteTransaction> Transactions { get; } = new();

    /// <summary>Whether the outbox already showed the alarm delivered inside the transaction that recorded its police ack.</summary>
    public ConcurrentDictionary<string, bool> DeliveredInAckTransaction { get; } = new();

    public DeliveryAnnouncement? Forwarded(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string receiver, string path, DateTimeOffset at) =>
        Record(transaction, new DeliveryEvent("forwarded", alarmId, receiver, path, null));

    public DeliveryAnnouncement? PoliceAcknowledged(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string receiver, string path, DateTimeOffset at, TimeSpan latency)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT state = 'delivered' AND EXISTS (SELECT 1 FROM delivery_attempts d WHERE d.alarm_id = $id AND d.outcome = 'acknowledged') FROM forward_queue WHERE alarm_id = $id;";
        command.Parameters.AddWithValue("$id", alarmId);
        DeliveredInAckTransaction[alarmId] = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
        return Record(transaction, new DeliveryEvent("ack", alarmId, receiver, path, null));
    }

    public DeliveryAnnouncement? DeliveryTrouble(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string reason, DateTimeOffset at) =>
        Record(transaction, new DeliveryEvent("trouble", alarmId, null, null, reason));

    private DeliveryAnnouncement Record(SqliteTransaction transaction, DeliveryEvent e)
    {
        Transactions[(e.Type, e.AlarmId)] = transaction;
        return _ => Add(e);
    }

    private Task Add(DeliveryEvent e)
    {
        lock (_lock)
        {
            _events.Add(e);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(e))
                {
                    _waiters[i].Done.TrySetResult(e);
                    _waiters.RemoveAt(i);
                }
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// A real SQLite file in a temp folder, the forwarding feature in a generic host (started, stopped and started again
/// to model a server restart), a fake clock shared with the simulated receivers, and a recording observer.
/// </summary>
public sealed class ForwardingFixture : IAsyncDisposable
{
    private readonly string _dir;
    private IHost? _host;
    private GroupCommitWriter? _writer;
    private IServiceProvider? _attached;

    public ForwardingFixture()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gate-fwd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        Database = new GateDatabase(Path.Combine(_dir, "gate.db"));
        Database.Migrate();
    }

    public GateDatabase Database { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public RecordingObserver Observer { get; } = new();

    /// <summary>The forwarding host's clock when it is not <see cref="Time"/> (a server clock an operator steps).</summary>
    public TimeProvider? ServerClock { get; set; }

    /// <summary>The fixture's own writer for reads and writes from the test side (the host has its own).</summary>
    public GroupCommitWriter Writer => _writer ??= new GroupCommitWriter(Database, Microsoft.Extensions.Logging.Abstractions.NullLogger<GroupCommitWriter>.Instance);

    /// <summary>The host's outbox store once started (its writes wake the host's service), else one of the test's own.</summary>
    public ForwardingStore Store => Running?.GetRequiredService<ForwardingStore>() ?? new(Database, Writer, new AlarmOutbox(Time));

    /// <summary>The services of the running forwarding feature: the fixture's host, or an app a test built and attached.</summary>
    private IServiceProvider? Running => _host?.Services ?? _attached;

    /// <summary>For a test that hosts the forwarding feature in its own app: enqueues then wake that app's service.</summary>
    public void Attach(IServiceProvider services) => _attached = services;

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public PoliceReceiverSimulator Simulator(PoliceReceiverOptions? options = null) => new(options ?? new PoliceReceiverOptions(), Time);

    /// <summary>A simulated receiver already listening (its ports known), on the fixture's clock; the caller disposes it.</summary>
    public async Task<PoliceReceiverSimulator> StartedSimulatorAsync(PoliceReceiverOptions? options = null)
    {
        var simulator = Simulator(options);
        try
        {
            await simulator.StartAsync();
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }

        return simulator;
    }

    public void AddSchool(string id, string? policeAccount, double? latitude = null, double? longitude = null)
    {
        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO schools (id, name, latitude, longitude, police_account, created_at)
            VALUES ($id, $name, $lat, $lon, $account, '2026-11-23T00:00:00.000Z')
            ON CONFLICT(id) DO UPDATE SET police_account = excluded.police_account;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$name", "School " + id);
        command.Parameters.AddWithValue("$lat", (object?)latitude ?? DBNull.Value);
        command.Parameters.AddWithValue("$lon", (object?)longitude ?? DBNull.Value);
        command.Parameters.AddWithValue("$account", (object?)policeAccount ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    public static ForwardRequest Alarm(string id, string school = "school-a", string kind = "panic", bool restore = false, int zone = 1) =>
        new(id, school, "gate-1", kind, zone, restore, kind is "drill" or "periodic_test", DateTimeOffset.UtcNow, null);

    /// <summary>The host's outbox once started; before that one of the test's own (the service looks at the outbox when it starts).</summary>
    public AlarmOutbox Outbox => Running?.GetRequiredService<AlarmOutbox>() ?? new AlarmOutbox(Time);

    /// <summary>Enqueues like the Alarms feature: inside a transaction of its own, waking the service after the commit.</summary>
    public void Enqueue(params ForwardRequest[] requests)
    {
        var outbox = Outbox;
        foreach (var request in requests)
        {
            using var connection = Database.Open();
            using var tx = connection.BeginTransaction();
            outbox.Enqueue(connection, tx, request);
            tx.Commit();
            outbox.Wake();
        }
    }

    public static Dictionary<string, string?> Config(
        PoliceReceiverSimulator? primary = null,
        PoliceReceiverSimulator? backup = null,
        string? key = null,
        string transport = "tcp",
        string supervision = "00:00:00",
        int troubleAfter = 1,
        int connections = 1)
    {
        var config = new Dictionary<string, string?>
        {
            ["Forwarding:SupervisionInterval"] = supervision,
            ["Forwarding:Retry:InitialDelay"] = "00:00:01",
            ["Forwarding:Retry:MaxDelay"] = "00:00:08",
            ["Forwarding:Retry:TroubleAfterAttempts"] = troubleAfter.ToString(CultureInfo.InvariantCulture),
            ["Forwarding:Retry:PathRetryAfter"] = "00:00:30",
        };
        void Receiver(string name, PoliceReceiverSimulator simulator)
        {
            var port = transport == "udp" ? simulator.UdpEndPoint!.Port : simulator.TcpEndPoint!.Port;
            config[$"Forwarding:{name}:Host"] = "127.0.0.1";
            config[$"Forwarding:{name}:Port"] = port.ToString(CultureInfo.InvariantCulture);
            config[$"Forwarding:{name}:Transport"] = transport;
            config[$"Forwarding:{name}:Key"] = key;
            config[$"Forwarding:{name}:Receiver"] = "1";
            config[$"Forwarding:{name}:LinePrefix"] = "1";
            // These tests find each alarm at the receiver by its [Ialarm id] block, which only the full profile sends;
            // the strict default profile is exercised kind by kind in ReceiverConformanceTests.
            config[$"Forwarding:{name}:Profile"] = "full";
            config[$"Forwarding:{name}:ResponseTimeout"] = "00:00:05";
            // One connection unless a test asks for more: most tests here are about what one link does in order.
            config[$"Forwarding:{name}:Connections"] = connections.ToString(CultureInfo.InvariantCulture);
        }

        if (primary is not null)
        {
            Receiver("Primary", primary);
        }

        if (backup is not null)
        {
            Receiver("Backup", backup);
        }

        return config;
    }

    public async Task StartAsync(Dictionary<string, string?> config)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddSingleton(Database);
        builder.Services.AddSingleton<TimeProvider>(ServerClock ?? Time);
        builder.Services.AddSingleton<IDeliveryProgress>(Observer);
        builder.Services.AddForwarding(builder.Configuration);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        _host = host;
    }

    /// <summary>Stops the host as a server shutdown would.</summary>
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    public async Task<AlarmDelivery> Delivery(string alarmId) =>
        await Store.GetDeliveryAsync(alarmId, CancellationToken.None) ?? throw new InvalidOperationException($"{alarmId} not queued");

    /// <summary>Waits (generously) until the alarm's stored delivery satisfies the condition.</summary>
    public async Task<AlarmDelivery> WaitForDelivery(string alarmId, Func<AlarmDelivery, bool> condition, string what) =>
        (await Wait.ForValueAsync(() => Store.GetDeliveryAsync(alarmId, CancellationToken.None), d => d is not null && condition(d), $"{alarmId}: {what}"))!;

    /// <summary>The alarm id a DC-09 event carries in its "I" extended data.</summary>
    public static string? AlarmIdOf(ReceivedMessage message) =>
        message.Frame?.ExtendedData.FirstOrDefault(x => x.StartsWith("Ialarm ", StringComparison.Ordinal))?.Split(' ')[1];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
