using Gate.Firmware.Host.Simulation;

namespace Gate.LoadTest.Swarm;

/// <summary>The devices of one swarm child, whichever kind they are.</summary>
public interface ISwarmDriver : IAsyncDisposable
{
    int Devices { get; }

    int Connected { get; }

    SwarmStats Stats { get; }

    Task StartAsync();

    /// <summary>Called every 10 ms by the child's scheduler.</summary>
    void Tick(long nowMs);

    /// <summary>Raises one alarm on the next device that can; false when none can.</summary>
    bool RaiseOne();

    ChildReport Report();
}

/// <summary>
/// The real firmware core: gate-sim's <see cref="Gate.Firmware.Host.Simulation.Swarm"/> of VirtualGateControllers, each a
/// GateController polled by a shared ticker, with its own outbox, backoff, heartbeat jitter and panic debounce. Alarm
/// latency comes from the Swarm's hook: from the instant the core raises the alarm (after the 100 ms hold) to the first
/// arrival of each ack stage.
/// </summary>
public sealed class FirmwareSwarmDriver : ISwarmDriver
{
    private readonly Gate.Firmware.Host.Simulation.Swarm _swarm;
    private volatile bool _counting = true;

    public FirmwareSwarmDriver(string host, int port, int first, int count, int perProcess, int heartbeatSeconds, string secret)
    {
        Devices = count;
        _swarm = new Gate.Firmware.Host.Simulation.Swarm(new SwarmOptions
        {
            Count = count,
            StartIndex = first,
            DevicePrefix = Server.RegistrySeeder.DevicePrefix,
            Schools = count,
            SchoolPrefix = Server.RegistrySeeder.SchoolPrefix(first / perProcess),
            BrokerHost = host,
            BrokerPort = port,
            CredentialFor = _ => secret,
            HeartbeatSeconds = heartbeatSeconds,
            PanicHoldMs = 100,
            // About 400 connections a second per child: the server sees a ramp, as after a regional power cut.
            Ramp = TimeSpan.FromSeconds(Math.Max(1, count / 400.0)),
        });
        _swarm.AckLatency += (_, e) =>
        {
            switch (e.Stage)
            {
                case AckStage.Received:
                    Stats.AlarmReceivedAfter(e.Latency);
                    break;
                case AckStage.Forwarded:
                    Stats.AlarmForwarded();
                    break;
                case AckStage.PoliceAck:
                    Stats.AlarmPoliceAckedAfter(e.Latency);
                    break;
            }
        };
        foreach (var c in _swarm.Controllers)
        {
            c.AlarmRaised += (_, e) =>
            {
                if (_counting)
                {
                    Stats.AlarmRaised(e.Alarm.Id);
                }
            };
        }
    }

    public int Devices { get; }

    public int Connected => _swarm.ConnectedCount;

    public SwarmStats Stats { get; } = new();

    public async Task StartAsync()
    {
        await _swarm.StartAsync();
        try
        {
            await _swarm.WaitAllConnectedAsync(TimeSpan.FromMinutes(8));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Reported as connect failures; the run goes on with those that connected.
        }
    }

    public void Tick(long nowMs)
    {
    }

    public bool RaiseOne()
    {
        _swarm.InjectAlarm();
        return true;
    }

    public ChildReport Report() => Stats.Report(_swarm.ConnectedCount, Devices, _swarm.Controllers.Sum(c => c.OutboxDepth));

    public async ValueTask DisposeAsync()
    {
        _counting = false;
        await _swarm.DisposeAsync();
    }
}

/// <summary>The wire-level controllers of <see cref="SwarmDevice"/>, beating on the child's scheduler.</summary>
public sealed class ProtocolSwarmDriver : ISwarmDriver
{
    private readonly SwarmContext _context;
    private readonly SwarmDevice[] _devices;
    private readonly int _heartbeatMs;
    private readonly int _concurrency;
    private readonly TimeSpan _retryAfter;
    private long _lastRetryMs;
    private int _next;

    public ProtocolSwarmDriver(SwarmContext context, int first, int count, int perProcess, int heartbeatMs, int concurrency, TimeSpan retryAfter)
    {
        _context = context;
        _heartbeatMs = heartbeatMs;
        _concurrency = concurrency;
        _retryAfter = retryAfter;
        _devices = Enumerable.Range(first, count).Select(n => new SwarmDevice(context, n, perProcess)).ToArray();
    }

    public int Devices => _devices.Length;

    public int Connected => _devices.Count(d => d.IsConnected);

    public SwarmStats Stats => _context.Stats;

    public async Task StartAsync()
    {
        // Bounded concurrency so the server sees a ramp, not a SYN flood.
        using var gate = new SemaphoreSlim(_concurrency);
        await Task.WhenAll(_devices.Select(async d =>
        {
            await gate.WaitAsync();
            try
            {
                for (var attempt = 0; attempt < 5 && !await d.ConnectAsync(CancellationToken.None); attempt++)
                {
                    await Task.Delay(500 * (attempt + 1));
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        foreach (var d in _devices)
        {
            d.NextHeartbeatMs = Random.Shared.NextInt64(0, _heartbeatMs);
        }
    }

    public void Tick(long nowMs)
    {
        foreach (var d in _devices)
        {
            if (d.NextHeartbeatMs <= nowMs)
            {
                d.SendHeartbeat(nowMs);
                // ±10 % jitter per beat, like the firmware, so the swarm never beats in lock-step.
                d.NextHeartbeatMs = nowMs + (long)(_heartbeatMs * (0.9 + Random.Shared.NextDouble() * 0.2));
            }
        }

        if (nowMs - _lastRetryMs >= 1000)
        {
            _lastRetryMs = nowMs;
            var ts = Stopwatch.GetTimestamp();
            foreach (var d in _devices)
            {
                if (d.OutboxDepth > 0)
                {
                    d.RetryDue(ts, _retryAfter);
                }
            }
        }
    }

    public bool RaiseOne()
    {
        for (var tries = 0; tries < _devices.Length; tries++)
        {
            var d = _devices[_next++ % _devices.Length];
            if (d.IsConnected && d.CanPress)
            {
                d.Press();
                return true;
            }
        }

        return false;
    }

    public ChildReport Report() => Stats.Report(Connected, _devices.Length, _devices.Sum(d => d.OutboxDepth));

    public async ValueTask DisposeAsync()
    {
        using var gate = new SemaphoreSlim(256);
        await Task.WhenAll(_devices.Select(async d =>
        {
            await gate.WaitAsync();
            try
            {
                await d.StopAsync();
            }
            finally
            {
                gate.Release();
            }
        }));
    }
}
