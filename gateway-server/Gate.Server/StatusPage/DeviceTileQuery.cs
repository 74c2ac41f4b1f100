using Gate.Server.Alarms;
using Gate.Server.Commands;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Liveness;
using Gate.Server.Provisioning;
using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.StatusPage;

/// <summary>
/// The technician grid's read model: the registry and the in-memory liveness tracker, joined with the schools. Reading
/// liveness from memory (not from the batched SQLite copy) keeps the grid as current as the tracker itself. Every
/// fact comes through its owning module's read API (Devices, Liveness, Provisioning, Alarms, Commands, Events); the
/// page reads no other module's table.
/// </summary>
public sealed class DeviceTileQuery(
    DeviceRegistry registry,
    LivenessTracker liveness,
    ProvisioningStore provisioning,
    AlarmHistory alarms,
    CommandStore commands,
    GateDatabase database,
    TimeProvider time,
    IOptions<StatusPageOptions> options)
{
    public IReadOnlyList<DeviceTile> All()
    {
        var schools = registry.ListSchools().ToDictionary(s => s.Id, StringComparer.Ordinal);
        var placements = provisioning.Places();
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
        var t = Tile(device, school, placement is null ? null : new DevicePlace(placement.Place, placement.Status, placement.Board), liveness.Find(device.Id), time.GetUtcNow());
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
            ["acceptanceSteps"] = run is null ? null : $"{run.Steps.Count(s => s.Result == StepResult.Passed)}/{run.Steps.Count}",
            ["panicTestAlarm"] = run?.AlarmId,
            ["policeAccount"] = school?.PoliceAccount,
            ["credential"] = device.CredentialRevokedAt is not null ? "revoked" : device.CredentialHash is null ? "none" : "active",
            ["heartbeatIntervalS"] = device.HeartbeatIntervalSeconds,
            ["policeTestAckAt"] = alarms.LastPoliceAck(device.Id),
        };
        return new DeviceDetail(t, commissioning);
    }

    /// <summary>Liveness transitions, alarms and commands of one device, newest first.</summary>
    public IReadOnlyList<DeviceHistoryEntry> History(string deviceId)
    {
        var limit = options.Value.HistoryLimit;
        var entries = new List<DeviceHistoryEntry>();
        foreach (var e in EventLog.Query(database, deviceId, null, limit))
        {
            var category = CategoryOf(e.Type);
            // Alarms and commands come from their own modules below, with their outcome; skip their echo in the log.
            if (category is not ("alarm" or "command"))
            {
                entries.Add(new DeviceHistoryEntry(e.At, category, e.Type, e.Detail, e.Actor));
            }
        }

        foreach (var a in alarms.ForDevice(deviceId, limit))
        {
            var detail = a.Status + (a.Restore ? ", restore" : "") + (a.PoliceAcked ? ", police_ack" : "");
            entries.Add(new DeviceHistoryEntry(a.ReceivedAt, "alarm", a.Kind, detail, a.OperatorAckBy));
        }

        foreach (var c in commands.List(deviceId, limit))
        {
            entries.Add(new DeviceHistoryEntry(c.IssuedAt, "command", c.Name, c.Status + (c.Detail is null ? "" : $": {c.Detail}"), c.IssuedBy));
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

    private DeviceTile Tile(DeviceRecord device, School? school, DevicePlace? placement, LivenessSnapshot? live, DateTimeOffset now)
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
