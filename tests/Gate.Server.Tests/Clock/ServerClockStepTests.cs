using Gate.Server.Events;
using Microsoft.Extensions.Options;

namespace Gate.Server.Tests.Clock;

/// <summary>
/// The server's clock stepped by an operator (or NTP) by hours, in simulated time: liveness measures silence on the
/// monotonic clock, so a step neither marks live devices offline nor keeps a silent one online; stamps follow the wall.
/// </summary>
public sealed class ServerClockStepTests : IDisposable
{
    private static readonly DateTimeOffset Start = SteppedRegistry.Start;
    private readonly SteppedRegistry _registry = new();
    private readonly SteppedClock _clock;
    private readonly LivenessTracker _tracker;

    public ServerClockStepTests()
    {
        _clock = _registry.Clock;
        _tracker = new LivenessTracker(_registry.Registry, _registry.Database, _clock, new EventLog(_clock, new ChangeFeed(_clock)), Options.Create(new LivenessOptions()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public void Liveness_ClockSteppedByHoursBetweenHeartbeats_DeviceStaysOnline(int hours)
    {
        Beat(1);
        _clock.Advance(TimeSpan.FromSeconds(5));
        _clock.Step(TimeSpan.FromHours(hours));
        _tracker.Check();
        Assert.Equal(LivenessState.Online, _tracker.Find("gate-1")!.State);

        _clock.Advance(TimeSpan.FromSeconds(5));
        Beat(2);
        _clock.Advance(TimeSpan.FromSeconds(9));
        _tracker.Check();

        var snapshot = _tracker.Find("gate-1")!;
        Assert.Equal(LivenessState.Online, snapshot.State);
        // Stamps are wall time: the last heartbeat is stamped on the stepped clock.
        Assert.Equal(Start.AddSeconds(10).AddHours(hours), snapshot.LastSeen);
    }

    [Fact]
    public void Liveness_ClockSteppedBackByHours_SilentDeviceStillLateThenOfflineOnTime()
    {
        Beat(1);
        _clock.Step(TimeSpan.FromHours(-3));

        _clock.Advance(TimeSpan.FromSeconds(14));
        _tracker.Check();
        Assert.Equal(LivenessState.Online, _tracker.Find("gate-1")!.State);
        _clock.Advance(TimeSpan.FromSeconds(2));
        _tracker.Check();
        Assert.Equal(LivenessState.Late, _tracker.Find("gate-1")!.State);
        _clock.Advance(TimeSpan.FromSeconds(14));
        _tracker.Check();

        var snapshot = _tracker.Find("gate-1")!;
        Assert.Equal(LivenessState.Offline, snapshot.State);
        Assert.Equal(LivenessReason.MissedHeartbeats, snapshot.Reason);
        Assert.Equal(Start.AddSeconds(30).AddHours(-3), snapshot.Since);
    }

    [Fact]
    public void Liveness_ClockSteppedForwardByHours_SilentDeviceNotOfflineBeforeItsIntervalsPass()
    {
        Beat(1);
        _clock.Step(TimeSpan.FromHours(3));
        _clock.Advance(TimeSpan.FromSeconds(1));
        _tracker.Check();
        Assert.Equal(LivenessState.Online, _tracker.Find("gate-1")!.State);

        _clock.Advance(TimeSpan.FromSeconds(29));
        _tracker.Check();
        Assert.Equal(LivenessState.Offline, _tracker.Find("gate-1")!.State);
    }

    [Fact]
    public void Liveness_FlappingDevice_CalmsAfterQuietPeriodEvenWhenClockSteppedBack()
    {
        var options = _tracker.Options;
        for (var i = 0; i < options.FlapTransitions; i++)
        {
            _tracker.OnConnected("gate-1", "school-a", "c" + i);
            _tracker.OnDisconnected("gate-1", "c" + i, clean: false, takeover: false);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(_tracker.Find("gate-1")!.Flapping);
        _clock.Step(TimeSpan.FromHours(-3));
        _clock.Advance(TimeSpan.FromSeconds(options.FlapQuietSeconds));
        _tracker.Check();
        Assert.False(_tracker.Find("gate-1")!.Flapping);
    }

    private void Beat(long sequence) => _tracker.OnHeartbeat("gate-1", "school-a",
        new Heartbeat { Device = "gate-1", Sequence = sequence, BootCount = 1, IntervalSeconds = 10, Firmware = "1.0.0" }, null);

    public void Dispose() => _registry.Dispose();
}

/// <summary>Command time to live on the server when the wall clock is stepped: a duration on the monotonic clock.</summary>
public sealed class CommandClockStepTests : IDisposable
{
    private static readonly DateTimeOffset Start = SteppedRegistry.Start;
    private readonly SteppedRegistry _registry = new();
    private readonly SteppedClock _clock;
    private readonly Gate.Server.Commands.CommandStore _store;
    private readonly Gate.Server.Commands.CommandService _commands;

    public CommandClockStepTests()
    {
        _clock = _registry.Clock;
        _store = new Gate.Server.Commands.CommandStore(_registry.Database);
        _commands = new Gate.Server.Commands.CommandService(_store, _registry.Registry, new SilentLink(), new EventLog(_clock, new ChangeFeed(_clock)), _clock,
            Options.Create(new Gate.Server.Commands.CommandOptions { TimeoutGraceSeconds = 5 }));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public async Task Command_ClockSteppedByHours_TimesOutAfterItsTtlAndGraceNotBeforeNorHoursLater(int hours)
    {
        var (command, error) = await _commands.SendAsync("gate-1", CommandName.RaiseBollard, 30, "operator", CancellationToken.None);
        Assert.Null(error);
        _clock.Step(TimeSpan.FromHours(hours));

        _clock.Advance(TimeSpan.FromSeconds(34));
        Assert.Equal(0, _commands.ExpireOverdue());
        Assert.Equal(Gate.Server.Commands.CommandStatus.Sent, _store.Find(command!.Id)!.Status);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _commands.ExpireOverdue());
        var timedOut = _store.Find(command.Id)!;
        Assert.Equal(Gate.Server.Commands.CommandStatus.Timeout, timedOut.Status);
        Assert.Equal(Start.AddSeconds(35).AddHours(hours), timedOut.CompletedAt);
    }

    private sealed class SilentLink : Gate.Server.Mqtt.IDeviceLink
    {
        public bool IsEmbedded => true;

        public Task PublishToDeviceAsync(string schoolId, string deviceId, string channel, byte[] payload, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectDeviceAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public void Dispose() => _registry.Dispose();
}

/// <summary>
/// The registry both clock-step suites start from: a fresh SQLite file with school-a and gate-1 (10 s heartbeats), on
/// a clock the test advances and steps.
/// </summary>
internal sealed class SteppedRegistry : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gate-clock-tests", Guid.NewGuid().ToString("N"));

    public SteppedRegistry()
    {
        Directory.CreateDirectory(_dir);
        Database = new GateDatabase(Path.Combine(_dir, "gate.db"));
        Database.Migrate();
        Registry = new DeviceRegistry(Database, Clock);
        Registry.UpsertSchool(new School("school-a", "School A", "District", "Road 1", 34.7, 113.6, "1234"));
        Assert.NotNull(Registry.Register("gate-1", "school-a", "gate", 10));
    }

    public SteppedClock Clock { get; } = new(Start);

    public GateDatabase Database { get; }

    public DeviceRegistry Registry { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
