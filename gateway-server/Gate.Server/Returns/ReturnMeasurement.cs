using Gate.Server.Alarms;
using Gate.Server.Devices;
using Gate.Server.Liveness;
using Gate.Server.Provisioning;
using Gate.Server.StatusPage;

namespace Gate.Server.Returns;

/// <summary>
/// The columns Gate measures, each from the module that owns the fact (registry, liveness, provisioning, alarms), and
/// counted by the compliance view's own rules (<see cref="ComplianceCalculator"/>), so the page and the return agree.
/// Anti-ram counts only commissioned controllers: a bollard nobody has accepted at the bench is not a facility yet.
/// The drill column counts a school whose drill-mode alarm of the month reached the police acknowledgement.
/// </summary>
public sealed class ReturnMeasurement(DeviceRegistry registry, LivenessTracker liveness, ProvisioningStore provisioning, AlarmHistory alarms, TimeProvider time)
{
    /// <summary>Every school with its measured columns; the drill column counts drills received in [<paramref name="monthFrom"/>, <paramref name="monthTo"/>).</summary>
    public IReadOnlyList<ReturnSchool> Schools(int linkValidityDays, DateTimeOffset monthFrom, DateTimeOffset monthTo)
    {
        var schools = registry.ListSchools().Select(s => new ComplianceSchool(s.Id, s.Name, s.District)).ToList();
        var lastAck = alarms.LastPoliceAckByDevice(ComplianceCalculator.LinkProvingKinds);
        var openFaults = alarms.DevicesWithOpenFault(Gate.Contracts.AlarmKind.BollardFault);
        var placements = provisioning.Places();
        var runs = provisioning.LatestRuns();
        var devices = registry.All.Where(d => placements.GetValueOrDefault(d.Id)?.InService ?? true).Select(d =>
        {
            var live = liveness.Find(d.Id);
            return new ComplianceDevice(d.Id, d.SchoolId, DeviceTileQuery.PageState(live?.State), live?.LastSeen, live?.Telemetry.Bollard,
                lastAck.TryGetValue(d.Id, out var ack) ? ack : null, openFaults.Contains(d.Id));
        }).ToList();
        var commissioned = devices.Where(d => runs.GetValueOrDefault(d.DeviceId)?.Result == RunResult.Passed).ToList();

        var now = time.GetUtcNow();
        var linked = ComplianceCalculator.Calculate(schools, devices, linkValidityDays, now).Campuses.ToDictionary(c => c.SchoolId, c => c.Linked, StringComparer.Ordinal);
        var antiRam = ComplianceCalculator.Calculate(schools, commissioned, linkValidityDays, now).Campuses.ToDictionary(c => c.SchoolId, c => c.AntiRam, StringComparer.Ordinal);
        var drilled = alarms.SchoolsWithPoliceAcknowledged(Gate.Contracts.AlarmKind.Drill, monthFrom, monthTo);
        return schools.Select(s => new ReturnSchool(s.Id, s.Name, s.District, linked.GetValueOrDefault(s.Id), antiRam.GetValueOrDefault(s.Id), drilled.Contains(s.Id))).ToList();
    }
}
