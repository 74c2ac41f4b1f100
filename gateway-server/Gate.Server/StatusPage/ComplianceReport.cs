using Gate.Contracts;

namespace Gate.Server.StatusPage;

/// <summary>What compliance needs to know about one device, gathered from the registry, liveness and the alarm store.</summary>
public sealed record ComplianceDevice(
    string DeviceId,
    string SchoolId,
    string State,
    DateTimeOffset? LastSeen,
    string? Bollard,
    DateTimeOffset? LastPoliceAck,
    bool OpenBollardFault);

public sealed record ComplianceSchool(string Id, string Name, string District);

/// <summary>Why a campus is not counted in a column; <see cref="Params"/> fill the page's sentence for the code.</summary>
public sealed record ComplianceReason(string Code, IReadOnlyDictionary<string, string> Params);

public sealed record CampusCompliance(string SchoolId, string Name, string District, bool Linked, bool AntiRam, IReadOnlyList<ComplianceReason> Reasons);

public sealed record DistrictCompliance(string District, int Campuses, int Linked, int AntiRam);

public sealed record ComplianceReportResponse(
    int WindowDays,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<DistrictCompliance> Districts,
    DistrictCompliance Totals,
    IReadOnlyList<CampusCompliance> Campuses);

/// <summary>
/// The provincial security statistics, counted from what devices prove rather than from a checkbox:
/// a campus has "a one-button alarm linked to the police" when one of its controllers is online and has had an alarm or
/// test acknowledged by the police within the window; it has "hard anti-ram bollards" when a controller reports a fitted
/// bollard in a sound position, is online (so the report is current), and has no open bollard fault.
/// </summary>
public static class ComplianceCalculator
{
    /// <summary>Alarm kinds whose police acknowledgement proves the panic chain end to end.</summary>
    public static readonly string[] LinkProvingKinds =
    [
        AlarmKind.Panic, AlarmKind.Duress, AlarmKind.SilentPanic, AlarmKind.Drill, AlarmKind.PeriodicTest,
    ];

    public static ComplianceReportResponse Calculate(
        IEnumerable<ComplianceSchool> schools, IEnumerable<ComplianceDevice> devices, int windowDays, DateTimeOffset now)
    {
        var bySchool = devices.GroupBy(d => d.SchoolId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var cutoff = now - TimeSpan.FromDays(windowDays);
        var campuses = new List<CampusCompliance>();
        foreach (var school in schools.OrderBy(s => s.District, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var list = bySchool.TryGetValue(school.Id, out var found) ? found : [];
            var reasons = new List<ComplianceReason>();
            var linked = false;
            var antiRam = false;
            if (list.Count == 0)
            {
                reasons.Add(Reason("no_device"));
                campuses.Add(new CampusCompliance(school.Id, school.Name, school.District, false, false, reasons));
                continue;
            }

            linked = list.Any(d => d.State == "online" && d.LastPoliceAck >= cutoff);
            if (!linked)
            {
                var online = list.Where(d => d.State == "online").ToList();
                if (online.Count == 0)
                {
                    foreach (var d in list)
                    {
                        reasons.Add(d.LastSeen is null
                            ? Reason("device_never", ("device", d.DeviceId))
                            : Reason("device_offline", ("device", d.DeviceId), ("state", d.State), ("at", Iso(d.LastSeen.Value))));
                    }
                }

                var lastAck = list.Where(d => d.LastPoliceAck is not null).Select(d => d.LastPoliceAck).Max();
                if (lastAck is null)
                {
                    reasons.Add(Reason("never_police_ack"));
                }
                else if (lastAck < cutoff)
                {
                    reasons.Add(Reason("police_ack_stale", ("at", Iso(lastAck.Value)), ("days", windowDays.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                }
            }

            var fitted = list.Where(d => d.Bollard is not null && d.Bollard != BollardPosition.None).ToList();
            antiRam = fitted.Any(d => d.State == "online" && IsSound(d.Bollard) && !d.OpenBollardFault);
            if (!antiRam)
            {
                if (fitted.Count == 0)
                {
                    reasons.Add(Reason("no_bollard"));
                }

                foreach (var d in fitted)
                {
                    if (d.OpenBollardFault)
                    {
                        reasons.Add(Reason("bollard_fault_open", ("device", d.DeviceId)));
                    }
                    else if (!IsSound(d.Bollard))
                    {
                        reasons.Add(Reason("bollard_unhealthy", ("device", d.DeviceId), ("bollard", d.Bollard!)));
                    }
                    else if (d.State != "online")
                    {
                        reasons.Add(Reason("bollard_offline", ("device", d.DeviceId)));
                    }
                }
            }

            campuses.Add(new CampusCompliance(school.Id, school.Name, school.District, linked, antiRam, reasons));
        }

        var districts = campuses
            .GroupBy(c => c.District, StringComparer.Ordinal)
            .Select(g => new DistrictCompliance(g.Key, g.Count(), g.Count(c => c.Linked), g.Count(c => c.AntiRam)))
            .OrderBy(d => d.District, StringComparer.Ordinal)
            .ToList();
        var totals = new DistrictCompliance("", districts.Sum(d => d.Campuses), districts.Sum(d => d.Linked), districts.Sum(d => d.AntiRam));
        return new ComplianceReportResponse(windowDays, now, districts, totals, campuses);
    }

    /// <summary>A bollard that reports a position (or is on its way to one) is sound; fault and unknown are not.</summary>
    private static bool IsSound(string? bollard) =>
        bollard is BollardPosition.Up or BollardPosition.Down or BollardPosition.Moving;

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static ComplianceReason Reason(string code, params (string Key, string Value)[] values) =>
        new(code, values.ToDictionary(v => v.Key, v => v.Value));
}
