using Xunit.Abstractions;

namespace Gate.Firmware.Core.Tests;

/// <summary>
/// A power cut at every step of every flash write a controller makes over two boots (outbox records,
/// latch records, the boot counter: each byte, flush, delete and rename), in each CutMode. After the cut
/// the controller is booted again on what reached the flash, and must come back with every alarm the guard
/// was shown as raised still waiting (unless the server had acknowledged it), no id reused for a different
/// alarm, a boot number above every boot that ran, and a Start that does not throw.
/// </summary>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    private static readonly DateTime ClockSet = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Flash_PowerCutAtEveryStepInEveryMode_NoShownAlarmLostNoIdReusedBootNeverRepeats()
    {
        var dry = new PowerCutFlashStorage();
        var dryRun = new Scenario(dry);
        dryRun.Run();
        Assert.False(dryRun.Flash.PoweredOff);
        long cutPoints = dryRun.Flash.Steps;
        Assert.True(cutPoints > 500, "the scenario should write several records byte by byte, took " + cutPoints + " steps");
        Assert.True(dryRun.Shown.Count >= 4, "the scenario should raise alarms, raised " + dryRun.Shown.Count);

        int tried = 0;
        var failures = new List<string>();
        foreach (CutMode mode in Enum.GetValues<CutMode>())
        {
            for (long cut = 1; cut <= cutPoints; cut++)
            {
                tried++;
                string? failure = TryCut(cut, mode);
                if (failure != null)
                {
                    failures.Add(mode + " at step " + cut + ": " + failure);
                }
            }
        }

        string report = "power-cut points tried: " + tried + " (" + cutPoints + " steps x " + Enum.GetValues<CutMode>().Length + " modes), failures: " + failures.Count;
        output.WriteLine(report);
        Assert.True(failures.Count == 0, report + "\n" + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void Flash_BootCounterRenameNotOnFlashWhenLaterDeleteIs_NextBootIsStillHigher()
    {
        // The case the cut sweep found: the boot counter's delete and rename were lost while a later delete
        // (an acknowledged alarm's record) reached the flash. The flushed temp file is the newer counter.
        var flash = new PowerCutFlashStorage();
        BootCounter.Increment(flash);
        BootCounter.Increment(flash);
        flash.Write("al1-1", [1, 2, 3]);
        var first = flash.Reboot();
        Assert.Equal(2, BootCounter.Read(first));
        long steps = first.Steps;
        var again = first.Reboot(cutAt: CountSteps(first.Reboot(), f => { BootCounter.Increment(f); f.Delete("al1-1"); }) + steps + 1, mode: CutMode.Reordered);
        BootCounter.Increment(again);
        again.Delete("al1-1");
        Assert.Throws<PowerCutException>(() => again.Write("al3-1", [4]));

        var after = again.Reboot();
        Assert.False(after.Flash.ContainsKey("boot.tmp"));
        Assert.Equal(3, BootCounter.Read(after));
    }

    private static long CountSteps(PowerCutFlashStorage flash, Action<PowerCutFlashStorage> act)
    {
        long before = flash.Steps;
        act(flash);
        return flash.Steps - before;
    }

    private static string? TryCut(long cut, CutMode mode)
    {
        var flash = new PowerCutFlashStorage(cut, mode);
        var run = new Scenario(flash);
        run.Run();
        flash = run.Flash;
        if (!flash.PoweredOff)
        {
            return "the cut was never reached";
        }

        // Power back: this Start must not throw (a throw here is a crash loop on the device).
        var after = new Scenario(flash.Reboot());
        try
        {
            after.Boot();
        }
        catch (Exception ex)
        {
            return "boot after the cut threw " + ex.GetType().Name + ": " + ex.Message;
        }

        var outbox = after.Controller!.Outbox;
        foreach (var (id, fingerprint) in run.Shown)
        {
            if (!run.Received.Contains(id) && outbox.Find(id) == null)
            {
                return "alarm " + id + " (" + fingerprint + ") was shown to the guard as raised and is gone";
            }
        }

        for (int i = 0; i < outbox.Count; i++)
        {
            var a = outbox.Get(i).Alarm;
            if (run.Raised.TryGetValue(a.Id, out var known) && known != Scenario.Fingerprint(a))
            {
                return "outbox holds " + a.Id + " as " + Scenario.Fingerprint(a) + ", raised as " + known;
            }
        }

        if (after.Controller.BootCount <= run.HighestBoot)
        {
            return "boot " + after.Controller.BootCount + " after a run as boot " + run.HighestBoot;
        }

        // The controller keeps working: a new alarm gets a fresh id, persisted, and a clean reboot keeps it.
        after.Connect();
        after.ToggleTamper();
        foreach (var (id, fingerprint) in after.Raised)
        {
            if (run.Raised.TryGetValue(id, out var earlier) && earlier != fingerprint)
            {
                return "id " + id + " reused: first " + earlier + ", now " + fingerprint;
            }
        }

        var third = new Scenario(after.Flash.Reboot());
        third.Boot();
        foreach (var id in after.Shown.Keys)
        {
            if (third.Controller!.Outbox.Find(id) == null)
            {
                return "alarm " + id + " raised after recovery is gone after a clean reboot";
            }
        }

        return null;
    }

    /// <summary>
    /// Two boots of one controller doing everything that writes flash: panic (outbox + latch), repeat press
    /// (rewrite of both), tamper, clock set (timestamps rewritten), acks (deletes), a clean reboot (boot
    /// counter), the resend and ack of the earlier boot's alarm, reset_latch (latch deletes), more alarms.
    /// Stops where the power fails.
    /// </summary>
    private sealed class Scenario(PowerCutFlashStorage flash)
    {
        private readonly Dictionary<string, string> _pending = new();
        private readonly FakeTransport _transport = new();
        private readonly VirtualIo _io = new() { DefaultLevel = true };
        private DeviceConfig _config = null!;
        private BoardPins _pins = null!;
        private long _nowMs;
        private DateTime _utcNow = UtcTime.NotSet;
        private bool _tamper;

        public PowerCutFlashStorage Flash { get; private set; } = flash;

        public GateController? Controller { get; private set; }

        /// <summary>Every alarm raised, by id (fingerprint), whether or not it reached the flash.</summary>
        public Dictionary<string, string> Raised { get; } = new();

        /// <summary>Alarms raised in a step that finished with the power on: the guard saw them.</summary>
        public Dictionary<string, string> Shown { get; } = new();

        /// <summary>Alarms whose "received" was handled with the power on: the server has them.</summary>
        public HashSet<string> Received { get; } = new();

        public int HighestBoot { get; private set; }

        public static string Fingerprint(Alarm a) => a.Kind + "/" + a.Zone + "/" + a.Restore + "/boot " + a.BootCount + "/seq " + a.Sequence + "/up " + a.UptimeMs;

        public void Run()
        {
            try
            {
                Boot();
                Connect();
                PressPanic();
                PressPanic();
                ToggleTamper();
                _utcNow = ClockSet.AddMilliseconds(_nowMs);
                Advance(50);
                Ack(Raised.Keys.Last());
                ToggleTamper();
                Ack(Raised.Keys.Last());

                Flash = Flash.Reboot(Flash.CutAt, Flash.Mode);
                _nowMs = 0;
                _utcNow = UtcTime.NotSet;
                Boot();
                Connect();
                foreach (var id in Raised.Keys.ToList())
                {
                    Ack(id);
                }

                Command("c-1", CommandName.ResetLatch);
                PressPanic();
                ToggleTamper();
                Ack(Raised.Keys.Last());
                ToggleTamper();
            }
            catch (PowerCutException)
            {
            }
        }

        public void Boot()
        {
            Assert.True(DeviceConfig.TryParse(ControllerRig.ConfigJson(), out var config, out var error), error);
            Assert.True(config.TryResolvePins(Boards.Read("esp32-devkitc"), out var pins, out error), error);
            _config = config;
            _pins = pins;
            Set(GateFunction.Mains, true);
            _io.Millivolts[pins.Pin(GateFunction.Battery)] = 2000;
            var controller = new GateController(config, pins, Flash, _transport, _io, new DeviceIdentity { Firmware = "1.0.0-test", ResetReason = ResetReason.PowerOn });
            controller.AlarmRaised += (alarm, _) =>
            {
                Raised[alarm.Id] = Fingerprint(alarm);
                _pending[alarm.Id] = Fingerprint(alarm);
            };
            Controller = controller;
            controller.Start(_nowMs);
            Check();
            HighestBoot = Math.Max(HighestBoot, controller.BootCount);
        }

        public void Connect()
        {
            _transport.AutoAccept = true;
            Advance(200);
        }

        public void ToggleTamper()
        {
            _tamper = !_tamper;
            Set(GateFunction.Tamper, _tamper);
            Advance(300);
        }

        private void PressPanic()
        {
            Set(GateFunction.Panic, true);
            Advance(_config.PanicHoldMs + 200);
            Set(GateFunction.Panic, false);
            Advance(200);
        }

        private void Ack(string id)
        {
            var ack = new AlarmAck { Id = id, Stage = AckStage.Received, Timestamp = ClockSet };
            _transport.Deliver(Controller!.Topic(Topics.Ack), WireCodec.EncodeAck(ack));
            Advance(10);
            Received.Add(id);
        }

        private void Command(string id, string name)
        {
            var cmd = new Command { Id = id, Name = name, Timestamp = ClockSet, TtlSeconds = 3600 };
            _transport.Deliver(Controller!.Topic(Topics.Command), WireCodec.EncodeCommand(cmd));
            Advance(10);
        }

        private void Set(string function, bool active) => _io.Levels[_pins.Pin(function)] = _config.IsActiveLow(function, _pins) ? !active : active;

        private void Advance(long ms)
        {
            long end = _nowMs + ms;
            while (_nowMs < end)
            {
                _nowMs += 10;
                if (UtcTime.IsSet(_utcNow))
                {
                    _utcNow = _utcNow.AddMilliseconds(10);
                }

                Controller!.Poll(_nowMs, _utcNow);
                Check();
            }
        }

        /// <summary>After each step: if the power failed during it, nothing it did was seen by anyone.</summary>
        private void Check()
        {
            if (Flash.PoweredOff)
            {
                _pending.Clear();
                throw new PowerCutException();
            }

            foreach (var (id, fingerprint) in _pending)
            {
                Shown[id] = fingerprint;
            }

            _pending.Clear();
        }
    }
}
