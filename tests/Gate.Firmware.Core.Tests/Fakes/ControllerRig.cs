namespace Gate.Firmware.Core.Tests.Fakes;

/// <summary>A controller on the devkit board with virtual pins, fake MQTT, memory flash and fake time.</summary>
public sealed class ControllerRig
{
    public const string Device = "gate-01";
    public const string School = "school-07";

    public ControllerRig(string? configJson = null, MemoryFlashStorage? storage = null, FakeTransport? transport = null, long startMs = 0)
    {
        Storage = storage ?? new MemoryFlashStorage();
        Transport = transport ?? new FakeTransport();
        Assert.True(DeviceConfig.TryParse(configJson ?? ConfigJson(), out var config, out var error), error);
        Assert.True(config.TryResolvePins(Boards.Read("esp32-devkitc"), out var pins, out error), error);
        Config = config;
        BoardPins = pins;
        // Contacts pull up to 3V3 and close to ground: idle inputs read high.
        Io.DefaultLevel = true;
        Set(GateFunction.Mains, true);
        NowMs = startMs;
        Controller = new GateController(config, pins, Storage, Transport, Io, new DeviceIdentity { Firmware = "1.0.0-test", ResetReason = ResetReason.PowerOn });
        Controller.Start(NowMs);
    }

    public static string ConfigJson(string extra = "") =>
        "{\"v\":1,\"device\":\"" + Device + "\",\"school\":\"" + School + "\",\"credential\":\"s3cret\",\"board\":\"esp32-devkitc\"," +
        "\"broker\":{\"host\":\"127.0.0.1\",\"port\":1883}" + (extra.Length > 0 ? "," + extra : "") + "}";

    public MemoryFlashStorage Storage { get; }

    public FakeTransport Transport { get; }

    public VirtualIo Io { get; } = new();

    public DeviceConfig Config { get; }

    public BoardPins BoardPins { get; }

    public GateController Controller { get; }

    public long NowMs { get; private set; }

    public DateTime UtcNow { get; set; } = UtcTime.NotSet;

    public int Pins(string function)
    {
        var pin = BoardPins?.Pin(function) ?? -1;
        if (pin < 0)
        {
            Assert.True(DeviceConfig.TryParse(ConfigJson(), out var c, out _));
            Assert.True(c.TryResolvePins(Boards.Read("esp32-devkitc"), out var p, out _));
            pin = p.Pin(function);
        }

        return pin;
    }

    /// <summary>Makes an input active or idle, at the electrical level its polarity needs.</summary>
    public void Set(string function, bool active) => Io.Levels[Pins(function)] = Config.IsActiveLow(function, BoardPins) ? !active : active;

    public void Advance(long ms, long stepMs = 10)
    {
        long end = NowMs + ms;
        while (NowMs < end)
        {
            NowMs = Math.Min(end, NowMs + stepMs);
            if (UtcTime.IsSet(UtcNow))
            {
                UtcNow = UtcNow.AddMilliseconds(stepMs);
            }

            Controller.Poll(NowMs, UtcNow);
        }
    }

    /// <summary>Press and hold the panic button long enough to trigger (debounce + hold + margin), then release.</summary>
    public void PressPanic()
    {
        Set(GateFunction.Panic, true);
        Advance(Config.PanicHoldMs + 200);
        Set(GateFunction.Panic, false);
        Advance(200);
    }

    /// <summary>A controller 100 ms after boot whose panic button has just been pressed: where most tests begin.</summary>
    public static ControllerRig PanicPressed(string? configJson = null)
    {
        var rig = new ControllerRig(configJson);
        rig.Advance(100);
        rig.PressPanic();
        return rig;
    }

    /// <summary>Acks the alarm of the latest panic press at the stage, as the server would; returns its id.</summary>
    public string AckPanic(string stage)
    {
        var id = Controller.PanicAlarmId;
        Ack(id, stage);
        return id;
    }

    public List<Alarm> PublishedAlarms() => Transport.On(Topics.Alarm).Select(p =>
    {
        Assert.True(WireCodec.TryDecodeAlarm(p.Payload, out var a, out var error), error);
        return a;
    }).ToList();

    public void Ack(string id, string stage)
    {
        var ack = new AlarmAck { Id = id, Stage = stage, Timestamp = new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc) };
        Transport.Deliver(Controller.Topic(Topics.Ack), WireCodec.EncodeAck(ack));
        Advance(10);
    }

    public void SendCommand(string id, string name, DateTime? ts = null, int ttl = 60)
    {
        var cmd = new Command { Id = id, Name = name, Timestamp = ts ?? new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc), TtlSeconds = ttl };
        Transport.Deliver(Controller.Topic(Topics.Command), WireCodec.EncodeCommand(cmd));
        Advance(10);
    }

    public List<CommandResult> Results() => Transport.On(Topics.Result).Select(p =>
    {
        Assert.True(WireCodec.TryDecodeResult(p.Payload, out var r, out var error), error);
        return r;
    }).ToList();
}

public static class Boards
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "boards", name + ".json"));
}
