using Gate.Firmware;
using Gate.Firmware.Alarms;
using Gate.Firmware.Config;
using Gate.Firmware.Connection;
using Gate.Firmware.Storage;

namespace Gate.Benchmarks.Firmware;

/// <summary>
/// The firmware core's memory cost, measured on net10.0 as a proxy for the device (an ESP32 without PSRAM leaves
/// about 100 KB to managed code, and nanoFramework's collector walks the whole heap): bytes allocated per idle Poll,
/// per heartbeat and per alarm (GC.GetAllocatedBytesForCurrentThread, exact and independent of machine speed), and
/// the outbox's worst case on flash and in RAM. `dotnet run -c Release --project tests/Gate.Benchmarks -- firmware-alloc`.
/// Object sizes differ on nanoFramework (smaller headers, UTF-8 strings), so the figures are a proxy: what matters is
/// which paths allocate at all and roughly how much.
/// </summary>
public static class FirmwareAllocation
{
    private const long StepMs = 20;

    public static int Run()
    {
        var idle = new Figures();
        var beat = new Figures();
        var rig = new Rig(outboxCapacity: 64);
        rig.Transport.Connected = true;
        rig.Poll(120_000); // JIT, first connect, first state and heartbeats, clock set

        for (int i = 0; i < 30_000; i++)
        {
            int before = rig.Transport.Publishes;
            long bytes = rig.PollOnce();
            if (rig.Transport.Publishes == before)
            {
                idle.Add(bytes);
            }
            else if (rig.Transport.LastTopic.EndsWith("/heartbeat", StringComparison.Ordinal))
            {
                beat.Add(bytes);
            }
        }

        // One alarm: press, hold, release, publish, the server's "received", until the outbox is empty again.
        // A warm-up alarm on another controller first, so every path is jitted; then a fresh controller's first.
        var warm = new Rig(outboxCapacity: 64);
        warm.Transport.Connected = true;
        warm.Poll(120_000);
        warm.PressAndAck(out _, out _);
        var alarm = new Rig(outboxCapacity: 64);
        alarm.Transport.Connected = true;
        alarm.Poll(120_000);
        long writesBefore = alarm.Storage.Writes;
        long flashBytesBefore = alarm.Storage.BytesWritten;
        long deletesBefore = alarm.Storage.Deletes;
        int polls = alarm.PressAndAck(out long alarmBytes, out long idleBytesDuring);
        long alarmWrites = alarm.Storage.Writes - writesBefore;
        long alarmDeletes = alarm.Storage.Deletes - deletesBefore;
        long alarmFlashBytes = alarm.Storage.BytesWritten - flashBytesBefore;

        // Worst case: the server unreachable and the outbox filled to capacity with non-life-safety alarms, each
        // record on flash and its entry in RAM. Life-safety alarms (panic, duress, silent panic) are never dropped
        // and may go past capacity; each is one more record of the same size.
        var full = new Rig(outboxCapacity: 64);
        full.Transport.Connected = false;
        full.Poll(2_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long heapBefore = GC.GetTotalMemory(true);
        for (int i = 0; full.Controller.Outbox.Count < full.Capacity; i++)
        {
            if (i > 10 * full.Capacity)
            {
                throw new InvalidOperationException("the outbox stays at " + full.Controller.Outbox.Count);
            }

            full.Controller.RaiseAlarm(AlarmKind.BollardFault, 1, i % 2 == 1, null, 2_000 + i);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long heapAfter = GC.GetTotalMemory(true);
        long records = full.Storage.RecordCount(AlarmOutbox.RecordPrefix);
        long recordBytes = full.Storage.TotalBytes(AlarmOutbox.RecordPrefix);
        long largest = full.Storage.LargestRecord(AlarmOutbox.RecordPrefix);
        GC.KeepAlive(full);

        // The largest alarm the protocol allows: a 64-character id and a 64-character detail of 3-byte characters.
        var biggest = new Alarm
        {
            Id = new string('g', 40) + "." + int.MaxValue + "." + int.MaxValue, Device = new string('g', 32), Kind = AlarmKind.BollardForced,
            Zone = 999, Sequence = int.MaxValue, BootCount = int.MaxValue, Timestamp = new DateTime(2999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc),
            UptimeMs = long.MaxValue, Restore = true, Count = int.MaxValue, Detail = new string('门', Limits.MaxStringLength),
        };
        int biggestBytes = WireCodec.EncodeAlarm(biggest).Length;

        Console.WriteLine("firmware core allocation (net10.0 proxy), " + Environment.ProcessorCount + " cores, load " + LoadAverage());
        Console.WriteLine($"idle Poll        : {idle}  (bytes per Poll, {StepMs} ms steps)");
        Console.WriteLine($"heartbeat Poll   : {beat}  (bytes in the Poll that publishes a heartbeat)");
        Console.WriteLine($"one alarm        : {alarmBytes} B over {polls} Polls from press to 'received' ({idleBytesDuring} B of it in Polls that published nothing), {alarmWrites} flash writes ({alarmFlashBytes} B), {alarmDeletes} deletes");
        Console.WriteLine($"outbox worst case: {records} records (capacity {full.Capacity}), {recordBytes} B on flash (largest record {largest} B), {heapAfter - heapBefore} B more managed heap in RAM");
        Console.WriteLine($"largest alarm the protocol allows: {biggestBytes} B per record, so {biggestBytes * full.Capacity} B for a full outbox of them");
        return 0;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed class Figures
    {
        private long _count;
        private long _total;
        private long _max;

        public void Add(long bytes)
        {
            _count++;
            _total += bytes;
            _max = Math.Max(_max, bytes);
        }

        public override string ToString() =>
            _count == 0 ? "no samples" : $"mean {(double)_total / _count:0.0} B, max {_max} B over {_count} samples";
    }

    /// <summary>A controller on the devkit board with allocation-free fakes, so every byte counted is the core's.</summary>
    private sealed class Rig
    {
        private long _nowMs;
        private DateTime _utcNow = new(2026, 11, 23, 7, 0, 0, DateTimeKind.Utc);
        private readonly int _panicPin;
        private readonly bool _panicActiveLow;
        private readonly DeviceConfig _config;

        public Rig(int outboxCapacity)
        {
            string json = "{\"v\":1,\"device\":\"gate-01\",\"school\":\"school-07\",\"credential\":\"s3cret\",\"board\":\"esp32-devkitc\"," +
                "\"broker\":{\"host\":\"127.0.0.1\",\"port\":1883},\"outbox_capacity\":" + outboxCapacity + "}";
            if (!DeviceConfig.TryParse(json, out _config, out string error)
                || !_config.TryResolvePins(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "boards", "esp32-devkitc.json")), out var pins, out error))
            {
                throw new InvalidOperationException(error);
            }

            _panicPin = pins.Pin(GateFunction.Panic);
            _panicActiveLow = _config.IsActiveLow(GateFunction.Panic, pins);
            // As the test rig: contacts pull up and close to ground, so idle inputs read high; mains present; a
            // charged battery (13.2 V through the board's divider). Nothing alarms while the Polls are measured.
            Io.SetAll(true);
            Io.Set(pins.Pin(GateFunction.Mains), !_config.IsActiveLow(GateFunction.Mains, pins));
            if (pins.IsFitted(GateFunction.Battery))
            {
                Io.SetMillivolts(pins.Pin(GateFunction.Battery), (int)(13_200 / _config.BatteryDivider));
            }

            Io.Set(_panicPin, _panicActiveLow);
            Capacity = outboxCapacity;
            Controller = new GateController(_config, pins, Storage, Transport, Io, new DeviceIdentity { Firmware = "1.4.2", ResetReason = ResetReason.PowerOn });
            Controller.Start(0);
        }

        public Pins Io { get; } = new();

        public Flash Storage { get; } = new();

        public Transport Transport { get; } = new();

        public GateController Controller { get; }

        public int Capacity { get; }

        public long PollOnce()
        {
            _nowMs += StepMs;
            _utcNow = _utcNow.AddMilliseconds(StepMs);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Controller.Poll(_nowMs, _utcNow);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        public void Poll(long ms)
        {
            for (long t = 0; t < ms; t += StepMs)
            {
                PollOnce();
            }
        }

        /// <summary>
        /// One panic alarm from press to the server's "received"; returns the Polls it took, and the bytes the
        /// controller allocated (its Polls and its handling of the ack; not the harness building the ack).
        /// </summary>
        public int PressAndAck(out long bytes, out long idleBytes)
        {
            int alarmsBefore = Transport.Alarms;
            Io.Set(_panicPin, !_panicActiveLow);
            int polls = 0;
            bytes = 0;
            idleBytes = 0;
            while (Transport.Alarms == alarmsBefore)
            {
                if (polls > 10_000)
                {
                    throw new InvalidOperationException("no alarm published after " + polls + " Polls");
                }

                int published = Transport.Publishes;
                long b = PollOnce();
                bytes += b;
                idleBytes += Transport.Publishes == published ? b : 0;
                polls++;
            }

            Io.Set(_panicPin, _panicActiveLow);
            WireCodec.TryDecodeAlarm(Transport.LastAlarmPayload, out var sent, out _);
            var ack = new AlarmAck { Id = sent.Id, Stage = AckStage.Received, Timestamp = _utcNow };
            string topic = Controller.Topic(Topics.Ack);
            byte[] payload = WireCodec.EncodeAck(ack);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Transport.Deliver(topic, payload);
            bytes += GC.GetAllocatedBytesForCurrentThread() - before;
            while (Controller.Outbox.Count > 0 || polls < 100)
            {
                if (polls > 20_000)
                {
                    throw new InvalidOperationException("the outbox never emptied: " + Controller.Outbox.Count + " left");
                }

                int published = Transport.Publishes;
                long b = PollOnce();
                bytes += b;
                idleBytes += Transport.Publishes == published ? b : 0;
                polls++;
            }

            return polls;
        }
    }

    private sealed class Pins : IGateIo
    {
        private readonly bool[] _levels = new bool[64];
        private readonly int[] _millivolts = new int[64];

        public void SetAll(bool level) => Array.Fill(_levels, level);

        public void Set(int pin, bool level) => _levels[pin] = level;

        public void SetMillivolts(int pin, int millivolts) => _millivolts[pin] = millivolts;

        public bool ReadDigital(int pin) => _levels[pin];

        public int ReadMillivolts(int pin) => _millivolts[pin];

        public void WriteDigital(int pin, bool high)
        {
        }
    }

    private sealed class Flash : IFlashStorage
    {
        private readonly Dictionary<string, byte[]> _records = new(StringComparer.Ordinal);

        public long Writes { get; private set; }

        public long BytesWritten { get; private set; }

        public byte[] Read(string name) => _records.TryGetValue(name, out var data) ? data : null!;

        public void Write(string name, byte[] data)
        {
            Writes++;
            BytesWritten += data.Length;
            _records[name] = data;
        }

        public long Deletes { get; private set; }

        public void Delete(string name)
        {
            Deletes++;
            _records.Remove(name);
        }

        public string[] List(string prefix) => _records.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

        public long RecordCount(string prefix) => _records.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal));

        public long TotalBytes(string prefix) => _records.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => (long)r.Value.Length);

        public long LargestRecord(string prefix) => _records.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r.Value.Length).DefaultIfEmpty().Max();
    }

    private sealed class Transport : IMqttTransport
    {
        private IMqttListener? _listener;

        public bool Connected { get; set; }

        public int Publishes { get; private set; }

        public int Alarms { get; private set; }

        public string LastTopic { get; private set; } = "";

        public byte[] LastAlarmPayload { get; private set; } = [];

        public void SetListener(IMqttListener listener) => _listener = listener;

        public void BeginConnect(MqttConnectOptions options)
        {
            if (Connected)
            {
                _listener!.OnConnected();
            }
            else
            {
                _listener!.OnConnectFailed("unreachable");
            }
        }

        public void Abort()
        {
        }

        public bool Publish(string topic, byte[] payload, int qos, bool retain)
        {
            if (!Connected)
            {
                return false;
            }

            Publishes++;
            LastTopic = topic;
            if (topic.EndsWith("/alarm", StringComparison.Ordinal))
            {
                LastAlarmPayload = payload;
                Alarms++;
            }

            return true;
        }

        public void Deliver(string topic, byte[] payload) => _listener!.OnMessage(topic, payload);
    }
}
