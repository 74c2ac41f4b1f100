using Gate.Server.Devices;
using Gate.Server.Liveness;
using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.StatusPage;

/// <summary>
/// The technician grid's read model: the registry and the in-memory liveness tracker, joined with the schools. Reading
/// liveness from memory (not from the batched SQLite copy) keeps the grid as current as the tracker itself.
/// </summary>
public sealed class DeviceTileQuery(
    DeviceRegistry registry, LivenessTracker liveness, GateDatabase database, Provisioning.ProvisioningStore provisioning, TimeProvider time, IOptions<StatusPageOptions> options)
{
    public IReadOnlyList<DeviceTile> All()
    {
        var schools = registry.ListSchools().ToDictionary(s => s.Id, StringComparer.Ordinal);
        var placements = Placement.Load(database);
        var now = time.GetUtcNow();
        return registry.All
            .Where(d => placements.GetValueOrDefault(d.Id)?.InService ?? true)
            .Select(d => Tile(d, schools.GetValueOrDefault(d.SchoolId), placements.GetValueOrDefault(d.Id), liveness.Find(d.Id), now))
            .OrderBy(t => t.District, StringComparer.Ordinal)
            .ThenBy(t => t.SchoolName, StringComparer.Ordinal)
            .ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();
    }

    public DeviceDetail? Find(string deviceId)
    {
        if (registry.Find(deviceId) is not { } device)
        {
            return null;
        }

        var school = registry.FindSchool(device.SchoolId);
        var placement = provisioning.FindPlacement(device.Id);
        var run = provisioning.LatestPassed(device.Id);
        var t = Tile(device, school, placement is null ? null : new Placement(placement.Place, placement.Status, placement.Board), liveness.Find(device.Id), time.GetUtcNow());
        var commissioning = new Dictionary<string, object?>
        {
            ["location"] = string.IsNullOrEmpty(placement?.Place) ? null : placement.Place,
            ["address"] = string.IsNullOrEmpty(school?.Address) ? null : school.Address,
            ["board"] = placement?.Board,
            ["placementStatus"] = placement?.Status,
            ["provisionedAt"] = device.CreatedAt,
            ["provisionedBy"] = placement?.CreatedBy,
            ["commissionedAt"] = run?.FinishedAt,
            ["commissionedBy"] = run?.Technician,
            ["acceptanceSteps"] = run is null ? null : $"{run.Steps.Count(s => s.Result == Provisioning.StepResult.Passed)}/{run.Steps.Count}",
            ["panicTestAlarm"] = run?.AlarmId,
            ["policeAccount"] = school?.PoliceAccount,
            ["credential"] = device.CredentialRevokedAt is not null ? "revoked" : device.CredentialHash is null ? "none" : "active",
            ["heartbeatIntervalS"] = device.HeartbeatIntervalSeconds,
            ["policeTestAckAt"] = LastPoliceAck(device.Id),
        };
        return new DeviceDetail(t.Id, t.Name, t.SchoolId, t.SchoolName, t.District, t.State, t.Reason, t.Since, t.LastSeen, t.IntervalS,
            t.Firmware, t.Rssi, t.Mains, t.BatteryMv, t.Outbox, t.Drill, t.Flapping, t.Bollard, t.Barrier, t.Beats, commissioning);
    }

    /// <summary>Liveness transitions, alarms and commands of one device, newest first.</summary>
    public IReadOnlyList<DeviceHistoryEntry> History(string deviceId)
    {
        var limit = options.Value.HistoryLimit;
        var entries = new List<DeviceHistoryEntry>();
        using var connection = database.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT at, type, actor, detail FROM events WHERE device_id = $d ORDER BY id DESC LIMIT $l;";
            command.Parameters.AddWithValue("$d", deviceId);
            command.Parameters.AddWithValue("$l", limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var type = reader.GetString(1);
                var category = CategoryOf(type);
                // Alarms and commands come from their own tables below, with their outcome; skip their echo in the log.
                if (category is "alarm" or "command")
                {
                    continue;
                }

                entries.Add(new DeviceHistoryEntry(StoredTime.Parse(reader.GetString(0)), category, type,
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT received_at, kind, status, restore, is_test, police_ack_at, operator_ack_by FROM alarms
                WHERE device_id = $d ORDER BY received_at DESC LIMIT $l;
                """;
            command.Parameters.AddWithValue("$d", deviceId);
            command.Parameters.AddWithValue("$l", limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var detail = reader.GetString(2) + (reader.GetInt64(3) == 1 ? ", restore" : "") + (reader.IsDBNull(5) ? "" : ", police_ack");
                entries.Add(new DeviceHistoryEntry(StoredTime.Parse(reader.GetString(0)), "alarm", reader.GetString(1), detail,
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT issued_at, name, status, detail, issued_by FROM commands WHERE device_id = $d ORDER BY issued_at DESC LIMIT $l;";
            command.Parameters.AddWithValue("$d", deviceId);
            command.Parameters.AddWithValue("$l", limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var detail = reader.GetString(2) + (reader.IsDBNull(3) ? "" : $": {reader.GetString(3)}");
                entries.Add(new DeviceHistoryEntry(StoredTime.Parse(reader.GetString(0)), "command", reader.GetString(1), detail, reader.GetString(4)));
            }
        }

        return entries.OrderByDescending(e => e.At).Take(limit).ToList();
    }

    internal static string CategoryOf(string eventType)
    {
        if (eventType.StartsWith("liveness", StringComparison.Ordinal) || eventType.Contains("flap", StringComparison.Ordinal))
        {
            return "liveness";
        }

        if (eventType.StartsWith("alarm", StringComparison.Ordinal) || eventType.StartsWith("delivery", StringComparison.Ordinal))
        {
            return "alarm";
        }

        if (eventType.StartsWith("command", StringComparison.Ordinal))
        {
            return "command";
        }

        return eventType.StartsWith("device", StringComparison.Ordinal) || eventType.Contains("config", StringComparison.Ordinal)
            || eventType.Contains("credential", StringComparison.Ordinal) || eventType.Contains("commission", StringComparison.Ordinal)
            ? "config"
            : "audit";
    }

    private DateTimeOffset? LastPoliceAck(string deviceId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(police_ack_at) FROM alarms WHERE device_id = $d AND police_ack_at IS NOT NULL;";
        command.Parameters.AddWithValue("$d", deviceId);
        return StoredTime.ParseOrNull(command.ExecuteScalar());
    }

    private DeviceTile Tile(DeviceRecord device, School? school, Placement? placement, LivenessSnapshot? live, DateTimeOffset now)
    {
        var telemetry = live?.Telemetry;
        var interval = live?.IntervalSeconds ?? device.HeartbeatIntervalSeconds;
        return new DeviceTile(
            device.Id,
            string.IsNullOrWhiteSpace(placement?.Place) ? device.Id : placement.Place,
            device.SchoolId,
            school?.Name ?? device.SchoolId,
            school?.District ?? "",
            PageState(live?.State),
            live?.Reason,
            live?.Since,
            live?.LastSeen,
            interval,
            telemetry?.Firmware ?? device.Firmware,
            telemetry?.Rssi,
            telemetry?.Mains,
            telemetry?.BatteryMillivolts,
            telemetry?.OutboxDepth,
            telemetry?.Drill ?? false,
            live?.Flapping ?? false,
            telemetry?.Bollard,
            telemetry?.Barrier,
            live is null ? [] : BeatStrip.From(live.Marks, live.LastSeen, interval, now, liveness.Options.MarksKept));
    }

    /// <summary>
    /// The tracker's "unknown" (server restarted, not heard from yet) is shown as late with its reason: the device is
    /// overdue as far as anyone can tell, and the reason says why.
    /// </summary>
    internal static string PageState(string? trackerState) => trackerState switch
    {
        LivenessState.Online => "online",
        LivenessState.Late => "late",
        LivenessState.Unknown => "late",
        LivenessState.Offline => "offline",
        _ => "never",
    };
}

/// <summary>The bar strip: one slot per expected heartbeat, true for a beat heard, false for one missed.</summary>
public static class BeatStrip
{
    /// <summary>At most this many missed slots are drawn for one silence, so one long outage does not wipe the strip.</summary>
    private const int MaxGapSlots = 10;

    public static IReadOnlyList<bool> From(IReadOnlyList<HeartbeatMark> marks, DateTimeOffset? lastSeen, int intervalSeconds, DateTimeOffset now, int slots)
    {
        var strip = new List<bool>();
        var interval = TimeSpan.FromSeconds(Math.Max(1, intervalSeconds));
        HeartbeatMark? previous = null;
        foreach (var mark in marks)
        {
            if (previous is { } before)
            {
                // Within one boot the sequence says exactly how many were lost; across a reboot only time can tell.
                var missed = mark.Gap && mark.Sequence > before.Sequence
                    ? (int)Math.Min(mark.Sequence - before.Sequence - 1, MaxGapSlots)
                    : (int)Math.Round((mark.At - before.At) / interval) - 1;
                if (mark.Gap)
                {
                    missed = Math.Max(1, missed);
                }

                for (var i = 0; i < Math.Min(missed, MaxGapSlots); i++)
                {
                    strip.Add(false);
                }
            }
            else if (mark.Gap)
            {
                strip.Add(false);
            }

            strip.Add(true);
            previous = mark;
        }

        var since = previous?.At ?? lastSeen;
        if (since is { } last)
        {
            var silent = (int)Math.Floor((now - last) / interval) - 1;
            for (var i = 0; i < Math.Min(silent, MaxGapSlots); i++)
            {
                strip.Add(false);
            }
        }

        return strip.Count > slots ? strip.GetRange(strip.Count - slots, slots) : strip;
    }
}
