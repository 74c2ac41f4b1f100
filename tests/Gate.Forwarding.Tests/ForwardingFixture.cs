using System.Collections.Concurrent;
using System.Globalization;
using Gate.Server.Forwarding;
using Gate.Server.Storage;
using Gate.SiaDc09;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gate.Forwarding.Tests;

public sealed record DeliveryEvent(string Type, string AlarmId, string? Receiver, string? Path, string? Detail);

/// <summary>Stands in for the Alarms feature: records every step the forwarding service reports.</summary>
public sealed class RecordingObserver : IDeliveryObserver
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

    public Task OnForwardedAsync(string alarmId, string receiver, string path, DateTimeOffset at, CancellationToken cancellationToken) =>
        Add(new DeliveryEvent("forwarded", alarmId, receiver, path, null));

    public Task OnAcknowledgedAsync(string alarmId, string receiver, string path, DateTimeOffset at, TimeSpan latency, CancellationToken cancellationToken) =>
        Add(new DeliveryEvent("ack", alarmId, receiver, path, null));

    public Task OnDeliveryTroubleAsync(string alarmId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        Add(new DeliveryEvent("trouble", alarmId, null, null, reason));

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

    /// <summary>The fixture's own writer for reads and writes from the test side (the host has its own).</summary>
    public GroupCommitWriter Writer => _writer ??= new GroupCommitWriter(Database, Microsoft.Extensions.Logging.Abstractions.NullLogger<GroupCommitWriter>.Instance);

    public ForwardingStore Store => new(Database, Writer);

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public PoliceReceiverSimulator Simulator(PoliceReceiverOptions? options = null) => new(options ?? new PoliceReceiverOptions(), Time);

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

    /// <summary>Enqueues like the Alarms feature: inside the transaction that stores the alarm.</summary>
    public void Enqueue(params ForwardRequest[] requests)
    {
        foreach (var request in requests)
        {
            using var connection = Database.Open();
            using var tx = connection.BeginTransaction();
            ForwardingQueue.Enqueue(connection, tx, request);
            tx.Commit();
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
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddSingleton<IDeliveryObserver>(Observer);
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
