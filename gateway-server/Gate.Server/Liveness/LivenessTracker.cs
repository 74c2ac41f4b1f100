using System.Collections.Concurrent;
using Gate.Contracts;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.Liveness;

/// <summary>
/// Which devices are alive, in memory (a heartbeat is a dictionary lookup and a few field writes under one device's
/// lock), written to SQLite in batches by <see cref="LivenessService"/>. Every change of state is an event, except while
/// a device is flapping: then one "flapping" event stands for all of them until it calms down.
/// </summary>
public sealed class LivenessTracker
{
    private readonly ConcurrentDictionary<string, DeviceLiveness> _devices = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly EventLog _events;
    private readonly LivenessOptions _options;
    private readonly DateTimeOffset _startedAt;

    // Durations (late, offline, flap calm, stale will) are measured on the monotonic timestamp, never as a difference
    // of wall-clock stamps: an operator stepping the server's clock by hours must neither mark every device offline
    // (forward) nor keep a dead one online for hours (back). Wall time is only what the stamps say.
    private readonly long _startedTicks;
    private volatile bool _stopping;

    public LivenessTracker(DeviceRegistry registry, GateDatabase database, TimeProvider time, EventLog events, IOptions<LivenessOptions> options)
    {
        _time = time;
        _events = events;
        _options = options.Value;
        _startedAt = time.GetUtcNow();
        _startedTicks = time.GetTimestamp();
        Restore(registry, database);
        registry.DeviceChanged += device => GetOrAdd(device.Id, device.SchoolId, device.HeartbeatIntervalSeconds);
    }

    public LivenessOptions Options => _options;

    /// <summary>
    /// The server is stopping: connections it drops itself say nothing about the devices, so they are not recorded
    /// as offline (the next start rebuilds liveness from what devices say then).
    /// </summary>
    public void ServerStopping() => _stopping = true;

    public LivenessSnapshot? Find(string deviceId) => _devices.TryGetValue(deviceId, out var d) ? d.Snapshot() : null;

    public IEnumerable<LivenessSnapshot> All() => _devices.Values.Select(d => d.Snapshot());

    public void OnHeartbeat(string deviceId, string schoolId, Heartbeat heartbeat, double? clockSkewSeconds)
    {
        var now = _time.GetUtcNow();
        var device = GetOrAdd(deviceId, schoolId, heartbeat.IntervalSeconds);
        LivenessTransition? transition;
        lock (device)
        {
            device.IntervalSeconds = heartbeat.IntervalSeconds;
            var gap = device.LastSequence is { } last && (heartbeat.Sequence != last + 1 || heartbeat.BootCount != device.Telemetry.BootCount);
            device.LastSequence = heartbeat.Sequence;
            device.AddMark(new HeartbeatMark(now, heartbeat.Sequence, gap), _options.MarksKept);
            // Most heartbeats repeat the last one but for a clock skew that drifts by milliseconds. Keeping the current
            // object then leaves nothing new alive: otherwise every collection at province scale finds 15,000 fresh
            // telemetry objects (and their strings) still referenced and has to copy them, which was the latency tail.
            // Compared before a new record is made, so a repeated beat allocates nothing here at all.
            if (!SameTelemetry(device.Telemetry, heartbeat, clockSkewSeconds))
            {
                device.Telemetry = new DeviceTelemetry(
                    heartbeat.Firmware, heartbeat.BootCount, heartbeat.ResetReason, heartbeat.Rssi, heartbeat.Mains, heartbeat.BatteryMillivolts,
                    heartbeat.OutboxDepth, heartbeat.FreeMemory, heartbeat.Drill, heartbeat.Inputs.Panic, heartbeat.Inputs.Duress,
                    heartbeat.Inputs.Tamper, heartbeat.Inputs.Bollard, heartbeat.Inputs.Barrier, clockSkewSeconds);
            }
            transition = device.Heard(now, _time.GetTimestamp(), LivenessReason.Heartbeat);
        }

        Publish(device, transition);
    }

    /// <summary>Equal in every field, the clock skew within a second (all the page shows of it).</summary>
    private static bool SameTelemetry(DeviceTelemetry current, Heartbeat next, double? nextSkew)
    {
        var skewMoved = (current.ClockSkewSeconds, nextSkew) switch
        {
            (null, null) => false,
            ({ } before, { } now) => Math.Abs(before - now) >= 1,
            _ => true,
        };
        var inputs = next.Inputs;
        return !skewMoved
            && current.Firmware == next.Firmware && current.BootCount == next.BootCount && current.ResetReason == next.ResetReason
            && current.Rssi == next.Rssi && current.Mains == next.Mains && current.BatteryMillivolts == next.BatteryMillivolts
            && current.OutboxDepth == next.OutboxDepth && current.FreeMemory == next.FreeMemory && current.Drill == next.Drill
            && current.Panic == inputs.Panic && current.Duress == inputs.Duress && current.Tamper == inputs.Tamper
            && current.Bollard == inputs.Bollard && current.Barrier == inputs.Barrier;
    }

    /// <summary>The device's retained position report (state topic) updates what the page shows.</summary>
    public void OnPosition(string deviceId, string schoolId, string bollard, string barrier)
    {
        var device = GetOrAdd(deviceId, schoolId, null);
        lock (device)
        {
            device.Telemetry = device.Telemetry with { Bollard = bollard, Barrier = barrier };
            device.Dirty = true;
            device.Changed = true;
        }
    }

    /// <summary>Embedded broker: a connection was accepted. <paramref name="connectionKey"/> tells connections apart.</summary>
    public void OnConnected(string deviceId, string schoolId, string connectionKey)
    {
        var now = _time.GetUtcNow();
        var device = GetOrAdd(deviceId, schoolId, null);
        LivenessTransition? transition;
        lock (device)
        {
            device.ConnectionKey = connectionKey;
            device.Connected = true;
            transition = device.Heard(now, _time.GetTimestamp(), LivenessReason.Connected);
        }

        Publish(device, transition);
    }

    /// <summary>
    /// Embedded broker: a connection ended. A takeover, or the end of a connection older than the current one, says
    /// nothing about the device (it is already back), so it changes nothing.
    /// </summary>
    public void OnDisconnected(string deviceId, string connectionKey, bool clean, bool takeover)
    {
        if (_stopping || !_devices.TryGetValue(deviceId, out var device))
        {
            return;
        }

        LivenessTransition? transition = null;
        lock (device)
        {
            if (takeover || device.ConnectionKey != connectionKey)
            {
                return;
            }

            device.Connected = false;
            transition = device.Become(LivenessState.Offline, clean ? LivenessReason.CleanDisconnect : LivenessReason.LastWill, _time.GetUtcNow());
        }

        Publish(device, transition);
    }

    /// <summary>The availability topic: "online" on every (re)connect, "offline" as the last will.</summary>
    public void OnStatus(string deviceId, string schoolId, bool online, bool embeddedBroker)
    {
        var now = _time.GetUtcNow();
        var device = GetOrAdd(deviceId, schoolId, null);
        LivenessTransition? transition;
        lock (device)
        {
            if (online)
            {
                device.LastOnlineStatusTicks = _time.GetTimestamp();
                transition = device.Heard(now, device.LastOnlineStatusTicks.Value, LivenessReason.StatusOnline);
            }
            else if (_stopping || (embeddedBroker ? device.Connected : IsStaleWill(device)))
            {
                // A will from a connection the device has already replaced: it is alive, say nothing.
                return;
            }
            else
            {
                device.Connected = false;
                transition = device.Become(LivenessState.Offline, LivenessReason.LastWill, now);
            }
        }

        Publish(device, transition);
    }

    public void OnCredentialRevoked(string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out var device))
        {
            return;
        }

        LivenessTransition? transition;
        lock (device)
        {
            device.Connected = false;
            transition = device.Become(LivenessState.Offline, LivenessReason.CredentialRevoked, _time.GetUtcNow());
        }

        Publish(device, transition);
    }

    /// <summary>The liveness clock: late after one missed heartbeat, offline after several; flapping ends when calm.</summary>
    public void Check()
    {
        var now = _time.GetUtcNow();
        foreach (var device in _devices.Values)
        {
            LivenessTransition? transition = null;
            bool calmed = false;
            lock (device)
            {
                if (device.Flapping && device.LastTransitionTicks is { } lastChange && _time.GetElapsedTime(lastChange) >= TimeSpan.FromSeconds(_options.FlapQuietSeconds))
                {
                    device.Flapping = false;
                    device.Transitions.Clear();
                    calmed = true;
                }

                if (device.State is LivenessState.Online or LivenessState.Late or LivenessState.Unknown)
                {
                    // Heard in this run, or else silent since the start (a last_seen restored from the database
                    // is a stamp of another run's clock and says nothing about how long ago that was).
                    var reference = device.LastHeardTicks ?? _startedTicks;
                    var interval = TimeSpan.FromSeconds(device.IntervalSeconds);
                    var elapsed = _time.GetElapsedTime(reference);
                    if (elapsed >= interval * _options.OfflineAfterIntervals)
                    {
                        transition = device.Become(LivenessState.Offline, LivenessReason.MissedHeartbeats, now);
                    }
                    else if (device.State != LivenessState.Late
                        && elapsed >= interval * (device.State == LivenessState.Unknown ? 1 : _options.LateAfterIntervals))
                    {
                        transition = device.Become(LivenessState.Late, LivenessReason.MissedHeartbeats, now);
                    }
                }
            }

            if (calmed)
            {
                var snapshot = device.Snapshot();
                _events.Record("device_flap_ended", device.DeviceId, device.SchoolId, "server", $"calm again, {snapshot.State}", snapshot);
            }

            Publish(device, transition);
        }
    }

    /// <summary>Rows per liveness transaction: short enough that an alarm waiting for the write lock waits milliseconds.</summary>
    private const int PersistChunk = 500;

    /// <summary>
    /// Writes every device whose liveness changed since the last call, in transactions of <see cref="PersistChunk"/>
    /// rows. At a province's heartbeat rate nearly every device changes between two calls; one transaction of 8,000
    /// rows held SQLite's only write lock long enough to put ~150 ms on the p99 of alarm storage.
    /// </summary>
    /// <param name="database">Where to write.</param>
    /// <param name="routine">
    /// Also write devices that were only heard from (last_seen, telemetry). False writes just the devices whose state,
    /// reason or position changed: at a province's heartbeat rate that is a handful instead of 8,000 rows every 5 s.
    /// </param>
    public int Persist(GateDatabase database, bool routine = true)
    {
        var dirty = new List<LivenessSnapshot>();
        foreach (var device in _devices.Values)
        {
            lock (device)
            {
                if (device.Changed || (routine && device.Dirty))
                {
                    device.Dirty = false;
                    device.Changed = false;
                    dirty.Add(device.Snapshot());
                }
            }
        }

        if (dirty.Count == 0)
        {
            return 0;
        }

        using var connection = database.Open();
        var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO device_liveness(device_id, state, reason, since, last_seen, interval_s, firmware, boot, rssi, mains, batt_mv, outbox, drill, bollard, barrier, updated_at)
            SELECT $d, $state, $reason, $since, $seen, $interval, $fw, $boot, $rssi, $mains, $batt, $outbox, $drill, $bollard, $barrier, $now
            WHERE EXISTS (SELECT 1 FROM devices WHERE id = $d)
            ON CONFLICT(device_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since,
                last_seen = excluded.last_seen, interval_s = excluded.interval_s, firmware = excluded.firmware, boot = excluded.boot,
                rssi = excluded.rssi, mains = excluded.mains, batt_mv = excluded.batt_mv, outbox = excluded.outbox, drill = excluded.drill,
                bollard = excluded.bollard, barrier = excluded.barrier, updated_at = excluded.updated_at;
            """;
        var names = new[] { "$d", "$state", "$reason", "$since", "$seen", "$interval", "$fw", "$boot", "$rssi", "$mains", "$batt", "$outbox", "$drill", "$bollard", "$barrier", "$now" };
        var p = names.ToDictionary(n => n, n => command.Parameters.Add(n, Microsoft.Data.Sqlite.SqliteType.Text));
        var nowText = StoredTime.Format(_time.GetUtcNow());
        var inChunk = 0;
        try
        {
            foreach (var s in dirty)
            {
                if (inChunk == PersistChunk)
                {
                    tx.Commit();
                    tx.Dispose();
                    tx = connection.BeginTransaction();
                    command.Transaction = tx;
                    inChunk = 0;
                }

                inChunk++;
                var t = s.Telemetry;
                p["$d"].Value = s.DeviceId;
                p["$state"].Value = s.State;
                p["$reason"].Value = (object?)s.Reason ?? DBNull.Value;
                p["$since"].Value = (object?)StoredTime.Format(s.Since) ?? DBNull.Value;
                p["$seen"].Value = (object?)StoredTime.Format(s.LastSeen) ?? DBNull.Value;
                p["$interval"].Value = s.IntervalSeconds;
                p["$fw"].Value = (object?)t.Firmware ?? DBNull.Value;
                p["$boot"].Value = (object?)t.BootCount ?? DBNull.Value;
                p["$rssi"].Value = (object?)t.Rssi ?? DBNull.Value;
                p["$mains"].Value = t.Mains is { } m ? (m ? 1 : 0) : DBNull.Value;
                p["$batt"].Value = (object?)t.BatteryMillivolts ?? DBNull.Value;
                p["$outbox"].Value = (object?)t.OutboxDepth ?? DBNull.Value;
                p["$drill"].Value = t.Drill is { } dr ? (dr ? 1 : 0) : DBNull.Value;
                p["$bollard"].Value = (object?)t.Bollard ?? DBNull.Value;
                p["$barrier"].Value = (object?)t.Barrier ?? DBNull.Value;
                p["$now"].Value = nowText;
                command.ExecuteNonQuery();
            }

            tx.Commit();
        }
        finally
        {
            tx.Dispose();
        }

        return dirty.Count;
    }

    private bool IsStaleWill(DeviceLiveness device) =>
        device.LastOnlineStatusTicks is { } online && _time.GetElapsedTime(online) < TimeSpan.FromSeconds(_options.StaleWillWindowSeconds);

    // A static factory with its argument: a capturing lambda allocated its closure on every heartbeat, found or not.
    private DeviceLiveness GetOrAdd(string deviceId, string schoolId, int? intervalSeconds) =>
        _devices.GetOrAdd(
            deviceId,
            static (id, known) => new DeviceLiveness(id, known.SchoolId, known.IntervalSeconds),
            (SchoolId: schoolId, IntervalSeconds: intervalSeconds ?? Limits.DefaultHeartbeatSeconds));

    private void Publish(DeviceLiveness device, LivenessTransition? transition)
    {
        if (transition is null)
        {
            return;
        }

        bool startedFlapping;
        bool flapping;
        lock (device)
        {
            startedFlapping = device.NoteTransition(transition, _options, _time);
            flapping = device.Flapping;
        }

        var snapshot = device.Snapshot();
        if (startedFlapping)
        {
            _events.Record("device_flapping", transition.DeviceId, transition.SchoolId, "server",
                $"{_options.FlapTransitions} changes within {_options.FlapWindowSeconds}s; further changes are not announced until it is calm", snapshot);
        }
        else if (!flapping)
        {
            _events.Record("liveness", transition.DeviceId, transition.SchoolId, "server",
                $"{transition.From} -> {transition.To} ({transition.Reason})", snapshot);
        }
    }

    private void Restore(DeviceRegistry registry, GateDatabase database)
    {
        foreach (var device in registry.All)
        {
            _devices[device.Id] = new DeviceLiveness(device.Id, device.SchoolId, device.HeartbeatIntervalSeconds);
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, state, reason, since, last_seen, interval_s, firmware, boot, rssi, mains, batt_mv, outbox, drill, bollard, barrier FROM device_liveness;";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!_devices.TryGetValue(reader.GetString(0), out var device))
            {
                continue;
            }

            var state = reader.GetString(1);
            device.LastSeen = StoredTime.ParseOrNull(reader.GetValue(4));
            device.IntervalSeconds = reader.IsDBNull(5) ? device.IntervalSeconds : reader.GetInt32(5);
            device.Telemetry = new DeviceTelemetry(
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt32(7), null,
                reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetInt32(9) == 1,
                reader.IsDBNull(10) ? null : reader.GetInt32(10), reader.IsDBNull(11) ? null : reader.GetInt32(11), null,
                reader.IsDBNull(12) ? null : reader.GetInt32(12) == 1, null, null, null,
                reader.IsDBNull(13) ? null : reader.GetString(13), reader.IsDBNull(14) ? null : reader.GetString(14), null);

            // Honest after a restart: what was offline stays offline (nothing new was heard), what was alive is unknown
            // until it is heard from again; the clock marks it late after one interval of silence.
            if (state == LivenessState.Offline || state == LivenessState.NeverSeen)
            {
                device.State = state;
                device.Reason = reader.IsDBNull(2) ? null : reader.GetString(2);
                device.Since = StoredTime.ParseOrNull(reader.GetValue(3));
            }
            else
            {
                device.State = LivenessState.Unknown;
                device.Reason = LivenessReason.ServerRestart;
                device.Since = _startedAt;
                device.Dirty = true;
                device.Changed = true;
            }
        }
    }

    /// <summary>One device's mutable liveness; every access holds its lock.</summary>
    private sealed class DeviceLiveness(string deviceId, string schoolId, int intervalSeconds)
    {
        /// <summary>Shared until the device first reports: 15,000 devices need not carry 15,000 empty records.</summary>
        private static readonly DeviceTelemetry NoTelemetry = new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

        // The last MarksKept heartbeats as a ring of 16-byte slots, allocated once at its final size: a Queue of
        // HeartbeatMark (32 bytes each, capacity doubled to 32) was 1,048 bytes a device in the 15,000-device heap
        // snapshot, the largest thing Gate itself kept per device.
        private MarkSlot[]? _marks;
        private int _markNext;
        private int _markCount;
        private Queue<long>? _transitions;

        public string DeviceId { get; } = deviceId;
        public string SchoolId { get; } = schoolId;
        public string State { get; set; } = LivenessState.NeverSeen;
        public string? Reason { get; set; } = LivenessReason.Registered;
        public DateTimeOffset? Since { get; set; }
        public DateTimeOffset? LastSeen { get; set; }
        /// <summary>Monotonic (TimeProvider.GetTimestamp) moments, for durations only.</summary>
        public long? LastHeardTicks { get; set; }
        public long? LastOnlineStatusTicks { get; set; }
        public long? LastTransitionTicks { get; set; }
        public int IntervalSeconds { get; set; } = intervalSeconds;
        public long? LastSequence { get; set; }
        public string? ConnectionKey { get; set; }
        public bool Connected { get; set; }
        public bool Flapping { get; set; }
        /// <summary>Anything to write (last_seen and telemetry included).</summary>
        public bool Dirty { get; set; }

        /// <summary>State, reason or position changed: written on the next persist tick, not only the routine one.</summary>
        public bool Changed { get; set; }
        /// <summary>Moments of recent online/offline swings; made on the first swing (most devices never have one).</summary>
        public Queue<long> Transitions => _transitions ??= new Queue<long>();

        public DeviceTelemetry Telemetry { get; set; } = NoTelemetry;

        public void AddMark(HeartbeatMark mark, int keep)
        {
            if (_marks is null || _marks.Length != keep)
            {
                var kept = MarksOldestFirst();
                _marks = new MarkSlot[keep];
                _markNext = 0;
                _markCount = 0;
                foreach (var old in kept.AsSpan(Math.Max(0, kept.Length - keep + 1)))
                {
                    Append(MarkSlot.From(old));
                }
            }

            Append(MarkSlot.From(mark));
        }

        private void Append(MarkSlot slot)
        {
            _marks![_markNext] = slot;
            _markNext = (_markNext + 1) % _marks.Length;
            _markCount = Math.Min(_markCount + 1, _marks.Length);
        }

        private HeartbeatMark[] MarksOldestFirst()
        {
            if (_marks is null || _markCount == 0)
            {
                return [];
            }

            var result = new HeartbeatMark[_markCount];
            var first = (_markNext - _markCount + _marks.Length) % _marks.Length;
            for (var i = 0; i < _markCount; i++)
            {
                result[i] = _marks[(first + i) % _marks.Length].ToMark();
            }

            return result;
        }

        public LivenessTransition? Heard(DateTimeOffset now, long nowTicks, string reason)
        {
            LastSeen = now;
            LastHeardTicks = nowTicks;
            Dirty = true;
            return Become(LivenessState.Online, reason, now);
        }

        public LivenessTransition? Become(string state, string reason, DateTimeOffset now)
        {
            if (State == state)
            {
                return null;
            }

            var transition = new LivenessTransition(DeviceId, SchoolId, State, state, reason, now);
            State = state;
            Reason = reason;
            Since = now;
            Dirty = true;
            Changed = true;
            return transition;
        }

        /// <summary>Counts online/offline swings; returns true when this one makes the device flapping.</summary>
        public bool NoteTransition(LivenessTransition transition, LivenessOptions o, TimeProvider time)
        {
            var nowTicks = time.GetTimestamp();
            LastTransitionTicks = nowTicks;
            if (transition.To != LivenessState.Offline && transition.From != LivenessState.Offline)
            {
                return false;
            }

            Transitions.Enqueue(nowTicks);
            while (Transitions.Count > 0 && time.GetElapsedTime(Transitions.Peek(), nowTicks) > TimeSpan.FromSeconds(o.FlapWindowSeconds))
            {
                Transitions.Dequeue();
            }

            if (!Flapping && Transitions.Count >= o.FlapTransitions)
            {
                Flapping = true;
                return true;
            }

            return false;
        }

        public LivenessSnapshot Snapshot()
        {
            lock (this)
            {
                return new LivenessSnapshot(DeviceId, SchoolId, State, Reason, Since, LastSeen, IntervalSeconds, Connected, Flapping, Telemetry, MarksOldestFirst());
            }
        }

        /// <summary>A mark in 16 bytes: UTC ticks with the gap flag in the low bit (the server's clock is UTC), and the sequence.</summary>
        private readonly struct MarkSlot(long ticksAndGap, long sequence)
        {
            private readonly long _ticksAndGap = ticksAndGap;
            private readonly long _sequence = sequence;

            public static MarkSlot From(HeartbeatMark mark) => new((mark.At.UtcTicks << 1) | (mark.Gap ? 1L : 0L), mark.Sequence);

            public HeartbeatMark ToMark() => new(new DateTimeOffset(_ticksAndGap >> 1, TimeSpan.Zero), _sequence, (_ticksAndGap & 1) == 1);
        }
    }
}
