using System.Collections.Concurrent;
using Gate.Contracts;
using Gate.Firmware.Config;
using Gate.Firmware.Host.Mqtt;
using Gate.Firmware.Host.Storage;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Host.Simulation;

public sealed class AlarmRaisedEventArgs(Alarm alarm, DateTimeOffset at) : EventArgs
{
    public Alarm Alarm { get; } = alarm;

    public DateTimeOffset At { get; } = at;
}

public sealed class AckReceivedEventArgs(string alarmId, string stage, DateTimeOffset at, bool isFirst) : EventArgs
{
    /// <summary>False for a repeated ack of a stage already seen (the server re-acks re-sent alarms).</summary>
    public bool IsFirst { get; } = isFirst;

    public string AlarmId { get; } = alarmId;

    public string Stage { get; } = stage;

    public DateTimeOffset At { get; } = at;
}

/// <summary>
/// One virtual gate controller: the real firmware core (GateController) with virtual pins, an MQTTnet
/// transport and memory or folder flash, polled by a GateTicker. Everything a guard or an intruder can do
/// at the gate is a method here; tests and benchmarks await what the guard would see.
/// Methods that change inputs are safe from any thread; events are raised on the ticker thread.
/// </summary>
public sealed class VirtualGateController : IAsyncDisposable
{
    private readonly VirtualGateControllerOptions _options;
    private readonly object _sync = new();
    private readonly IFlashStorage _storage;
    private readonly GateTicker _ticker;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DateTimeOffset>> _acks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Alarm> _alarms = new(StringComparer.Ordinal);
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = new();
    private GateController? _controller;
    private MqttNetTransport? _transport;
    private long _bootTimestamp;
    private bool _running;
    private bool _relayRaise = true;
    private long _bollardArrivesAtMs = -1;
    private bool _bollardCommanded;
    private string _feedback = "idle";
    private volatile bool _connected;
    private bool _rebooting;
    private long _panicReleasedAt;

    public VirtualGateController(VirtualGateControllerOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _ticker = options.Ticker ?? GateTicker.Shared;
        _storage = options.Storage ?? (options.DataDirectory is null ? new MemoryFlashStorage() : new FileFlashStorage(options.DataDirectory));
        if (!DeviceConfig.TryParse(options.ToConfigJson(), out var config, out var error))
        {
            throw new ArgumentException("device configuration: " + error, nameof(options));
        }

        if (!config.TryResolvePins(BoardFiles.Read(config.Board), out var pins, out error))
        {
            throw new ArgumentException("device configuration: " + error, nameof(options));
        }

        Config = config;
        BoardPins = pins;
        SetIdleInputs();
    }

    public event EventHandler<AlarmRaisedEventArgs>? AlarmRaised;

    public event EventHandler<AckReceivedEventArgs>? AckReceived;

    public event EventHandler<string>? FeedbackChanged;

    public event EventHandler<(Command Command, CommandResult Result)>? CommandHandled;

    public DeviceConfig Config { get; }

    public BoardPins BoardPins { get; }

    public VirtualPins Pins { get; } = new();

    public IFlashStorage Storage => _storage;

    public string Device => Config.Device;

    public string School => Config.School;

    public bool IsRunning => _running;

    public bool IsConnected => _connected;

    public string FeedbackPattern => _feedback;

    public bool LedOn => Pins.Output(BoardPins.Pin(GateFunction.Led));

    public bool BuzzerOn => Pins.Output(BoardPins.Pin(GateFunction.Buzzer));

    public bool PanicLatched => Read(c => c.PanicLatched);

    public int OutboxDepth => Read(c => c.Outbox.Count);

    public int BootCount => Read(c => c.BootCount);

    public bool DrillMode => Read(c => c.DrillMode);

    public string BollardPosition => Read(c => c.BollardPositionWord);

    /// <summary>Alarms raised by this controller, by id.</summary>
    public IReadOnlyDictionary<string, Alarm> Alarms => _alarms;

    /// <summary>The core itself, for what the methods here do not cover. Poll it only through the ticker.</summary>
    public GateController? Core => _controller;

    /// <summary>Boots the controller (boot counter, outbox reload) and starts polling.</summary>
    public void Start()
    {
        lock (_sync)
        {
            if (_running)
            {
                return;
            }

            Boot();
            _running = true;
        }

        _ticker.Add(this);
    }

    /// <summary>Power cut: stops at once, drops the connection without DISCONNECT (the broker sends the will); flash is kept.</summary>
    public void Crash()
    {
        _ticker.Remove(this);
        lock (_sync)
        {
            _running = false;
            _transport?.Abort();
            _transport = null;
            _controller = null;
            _connected = false;
        }
    }

    /// <summary>Power back: a new boot over the same flash (same as the device after a reboot).</summary>
    public void Restart()
    {
        Crash();
        Start();
    }

    /// <summary>Switched off cleanly: DISCONNECT, so no will. Flash is kept.</summary>
    public async Task StopAsync()
    {
        _ticker.Remove(this);
        MqttNetTransport? transport;
        lock (_sync)
        {
            _running = false;
            transport = _transport;
            _transport = null;
            _controller = null;
            _connected = false;
        }

        if (transport is not null)
        {
            await transport.DisconnectCleanlyAsync(Topics.For(School, Device, Topics.Status), WireCodec.EncodeStatus(false)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    // ---- what people do at the gate ----

    /// <summary>Presses the panic button (on a supervised loop: puts the loop in its alarm band).</summary>
    public void PressPanic()
    {
        SetInput(GateFunction.Panic, true);
        SetPanicLoopMillivolts((Config.LoopNormalBelowMv + Config.LoopAlarmBelowMv) / 2);
    }

    public void ReleasePanic()
    {
        _panicReleasedAt = _time.GetTimestamp();
        SetInput(GateFunction.Panic, false);
        SetPanicLoopMillivolts((Config.LoopShortBelowMv + Config.LoopNormalBelowMv) / 2);
    }

    /// <summary>Cuts the supervised panic loop (wiring_cut), or shorts it (wiring_short).</summary>
    public void CutPanicWire() => SetPanicLoopMillivolts(Math.Min(3300, Config.LoopAlarmBelowMv + 500));

    public void ShortPanicWire() => SetPanicLoopMillivolts(Config.LoopShortBelowMv / 2);

    public void PressDuress() => SetInput(GateFunction.Duress, true);

    public void ReleaseDuress() => SetInput(GateFunction.Duress, false);

    private static readonly TimeSpan ReleaseSettle = TimeSpan.FromMilliseconds(200);

    /// <summary>Presses the panic button until the alarm is raised, releases it, and returns the alarm id.</summary>
    public async Task<string> TriggerPanicAsync(TimeSpan timeout)
    {
        var raised = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRaised(object? sender, AlarmRaisedEventArgs e)
        {
            if (e.Alarm.Zone == Devices.Zones.Panic && !e.Alarm.Restore)
            {
                raised.TrySetResult(e.Alarm.Id);
            }
        }

        // A release shorter than the debounce is no release at all: a finger lifted and pressed again
        // within 50 ms is one long press to the device, and a held button never re-triggers.
        var released = _time.GetElapsedTime(_panicReleasedAt);
        if (_panicReleasedAt != 0 && released < ReleaseSettle)
        {
            await Task.Delay(ReleaseSettle - released).ConfigureAwait(false);
        }

        AlarmRaised += OnRaised;
        try
        {
            PressPanic();
            return await raised.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        finally
        {
            AlarmRaised -= OnRaised;
            ReleasePanic();
        }
    }

    /// <summary>Moves the bollard's limit switches directly: up, down, or between (moving).</summary>
    public void SetBollardLimits(bool up, bool down)
    {
        SetInput(GateFunction.BollardUp, up);
        SetInput(GateFunction.BollardDown, down);
    }

    /// <summary>Someone pushes the bollard down without a command.</summary>
    public void ForceBollardDown() => SetBollardLimits(false, true);

    public void SetBollardMotorFault(bool fault) => SetInput(GateFunction.BollardFault, fault);

    /// <summary>Jams the simulated bollard: it ignores its relay until unjammed (to provoke a travel timeout).</summary>
    public bool BollardJammed { get; set; }

    public void OpenBarrier() => SetInput(GateFunction.BarrierOpen, true);

    public void CloseBarrier() => SetInput(GateFunction.BarrierOpen, false);

    /// <summary>The guard's open button: authorises the next opening.</summary>
    public void RequestBarrier(bool pressed) => SetInput(GateFunction.BarrierRequest, pressed);

    public void CutMains() => SetInput(GateFunction.Mains, false);

    public void RestoreMains() => SetInput(GateFunction.Mains, true);

    public void OpenEnclosure() => SetInput(GateFunction.Tamper, true);

    public void CloseEnclosure() => SetInput(GateFunction.Tamper, false);

    public void SetBatteryMillivolts(int batteryMv)
    {
        if (BoardPins.IsFitted(GateFunction.Battery))
        {
            Pins.SetMillivolts(BoardPins.Pin(GateFunction.Battery), (int)(batteryMv / Config.BatteryDivider));
        }
    }

    /// <summary>Supervised loop voltage (only when the configuration fits panic_loop).</summary>
    public void SetPanicLoopMillivolts(int mv)
    {
        if (BoardPins.IsFitted(GateFunction.PanicLoop))
        {
            Pins.SetMillivolts(BoardPins.Pin(GateFunction.PanicLoop), mv);
        }
    }

    // ---- awaiting what the guard would see ----

    public Task WaitConnectedAsync(TimeSpan timeout) => WaitForAsync(() => _connected, timeout);

    /// <summary>Completes when the alarm has reached the stage (or a later one); returns when the ack arrived.</summary>
    public async Task<DateTimeOffset> WaitForAckAsync(string alarmId, string stage, TimeSpan timeout)
    {
        await WaitForAsync(() => _acks.TryGetValue(alarmId, out var stages) && stages.ContainsKey(stage), timeout).ConfigureAwait(false);
        return _acks[alarmId][stage];
    }

    public Task WaitForFeedbackAsync(string pattern, TimeSpan timeout) => WaitForAsync(() => _feedback == pattern, timeout);

    /// <summary>Completes when the condition (checked after every poll) holds.</summary>
    public async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        if (condition())
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((condition, done));
        }

        if (condition())
        {
            done.TrySetResult();
        }

        try
        {
            await done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        finally
        {
            lock (_waiters)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    /// <summary>Acks seen for an alarm: stage → when it arrived.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> AcksFor(string alarmId) =>
        _acks.TryGetValue(alarmId, out var stages) ? stages : new ConcurrentDictionary<string, DateTimeOffset>();

    // ---- the device loop ----

    private long NowMs => (long)_time.GetElapsedTime(_bootTimestamp).TotalMilliseconds;

    private void Boot()
    {
        _bootTimestamp = _time.GetTimestamp();
        _transport = new MqttNetTransport();
        var controller = new GateController(Config, BoardPins, _storage, _transport, Pins, new DeviceIdentity { Firmware = _options.Firmware, ResetReason = ResetReason.PowerOn });
        controller.AlarmRaised += (alarm, _) =>
        {
            var at = _time.GetUtcNow();
            _alarms[alarm.Id] = alarm;
            AlarmRaised?.Invoke(this, new AlarmRaisedEventArgs(alarm, at));
        };
        controller.AckReceived += (id, stage, _) =>
        {
            var at = _time.GetUtcNow();
            bool first = _acks.GetOrAdd(id, _ => new ConcurrentDictionary<string, DateTimeOffset>()).TryAdd(stage, at);
            AckReceived?.Invoke(this, new AckReceivedEventArgs(id, stage, at, first));
        };
        controller.FeedbackChanged += (pattern, _) =>
        {
            _feedback = pattern;
            FeedbackChanged?.Invoke(this, pattern);
        };
        controller.CommandHandled += (command, result, _) => CommandHandled?.Invoke(this, (command, result));
        controller.Start(NowMs);
        _controller = controller;
        _feedback = controller.FeedbackPattern;
    }

    /// <summary>One poll, called by the ticker.</summary>
    internal void Tick()
    {
        try
        {
            lock (_sync)
            {
                var controller = _controller;
                if (!_running || controller is null)
                {
                    return;
                }

                if (_rebooting)
                {
                    return;
                }

                long now = NowMs;
                SimulateBollard(now);
                controller.Poll(now, _time.GetUtcNow().UtcDateTime);
                _connected = controller.IsConnected;
                PendingAction action = controller.Action;
                if (action != PendingAction.None && !_rebooting)
                {
                    // reboot and reload_config: the device restarts and reads its configuration again, once
                    // the command's result has left (off the ticker thread, so a swarm is not held up).
                    _rebooting = true;
                    _ = RebootAsync(_transport);
                }
            }

            CheckWaiters();
        }
        catch (Exception ex)
        {
            // A fault in one virtual controller must not stop the ticker for the whole swarm.
            Console.Error.WriteLine(Device + ": " + ex.Message);
        }
    }

    private async Task RebootAsync(MqttNetTransport? transport)
    {
        if (transport is not null)
        {
            await transport.DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        lock (_sync)
        {
            _rebooting = false;
            if (!_running || !ReferenceEquals(transport, _transport))
            {
                return;
            }

            transport?.Abort();
            _connected = false;
            Boot();
        }
    }

    private void CheckWaiters()
    {
        lock (_waiters)
        {
            foreach (var (condition, done) in _waiters)
            {
                if (!done.Task.IsCompleted && condition())
                {
                    done.TrySetResult();
                }
            }
        }
    }

    /// <summary>The bollard's mechanics: when its relay changes it leaves its limit and reaches the other after the travel time.</summary>
    private void SimulateBollard(long now)
    {
        if (!BoardPins.IsFitted(GateFunction.BollardRelay) || BollardJammed)
        {
            return;
        }

        int relayPin = BoardPins.Pin(GateFunction.BollardRelay);
        bool raise = Pins.Output(relayPin);
        if (!_bollardCommanded)
        {
            // Until the core first drives the relay, the bollard stays where it was put.
            if (_controller is not null && _controller.BollardPositionWord is Contracts.BollardPosition.Up or Contracts.BollardPosition.Down)
            {
                _bollardCommanded = true;
                _relayRaise = raise;
            }

            return;
        }

        if (raise != _relayRaise)
        {
            _relayRaise = raise;
            SetBollardLimits(false, false);
            _bollardArrivesAtMs = now + (long)_options.BollardTravel.TotalMilliseconds;
        }

        if (_bollardArrivesAtMs >= 0 && now >= _bollardArrivesAtMs)
        {
            _bollardArrivesAtMs = -1;
            SetBollardLimits(raise, !raise);
        }
    }

    private void SetIdleInputs()
    {
        foreach (var function in new[] { GateFunction.Panic, GateFunction.Duress, GateFunction.BollardFault, GateFunction.BarrierOpen, GateFunction.BarrierRequest, GateFunction.Tamper })
        {
            SetInput(function, false);
        }

        SetInput(GateFunction.Mains, true);
        SetInput(GateFunction.BollardUp, true);
        SetInput(GateFunction.BollardDown, false);
        SetBatteryMillivolts(13_200);
        SetPanicLoopMillivolts((Config.LoopShortBelowMv + Config.LoopNormalBelowMv) / 2);
    }

    private void SetInput(string function, bool active)
    {
        if (!BoardPins.IsFitted(function))
        {
            return;
        }

        // Active-low inputs (the board's default: contacts close to ground) are electrically low when active.
        bool high = Config.IsActiveLow(function, BoardPins) ? !active : active;
        Pins.SetLevel(BoardPins.Pin(function), high);
    }

    private T Read<T>(Func<GateController, T> read)
    {
        lock (_sync)
        {
            return _controller is null ? default! : read(_controller);
        }
    }
}
