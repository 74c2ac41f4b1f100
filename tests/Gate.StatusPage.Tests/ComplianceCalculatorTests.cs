using Gate.Server.Liveness;
using Gate.Server.StatusPage;

namespace Gate.StatusPage.Tests;

public sealed class ComplianceCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly ComplianceSchool School = new("s1", "第一中学", "郑州");

    private static ComplianceReportResponse One(ComplianceDevice device) =>
        ComplianceCalculator.Calculate([School], [device], 30, Now);

    private static ComplianceDevice Device(string state = "online", int? ackDaysAgo = 3, string? bollard = "up", bool fault = false) =>
        new("d1", "s1", state, Now.AddMinutes(-1), bollard, ackDaysAgo is { } d ? Now.AddDays(-d) : null, fault);

    [Fact]
    public void Campus_OnlineWithRecentPoliceAckAndSoundBollard_CountsInBothColumns()
    {
        var report = One(Device());
        Assert.Equal(new DistrictCompliance("郑州", 1, 1, 1), report.Districts.Single());
        Assert.Empty(report.Campuses.Single().Reasons);
    }

    [Fact]
    public void Campus_OfflineDevice_NotLinkedAndSaysWhy()
    {
        var campus = One(Device(state: "offline")).Campuses.Single();
        Assert.False(campus.Linked);
        Assert.False(campus.AntiRam);
        Assert.Contains(campus.Reasons, r => r.Code == "device_offline" && r.Params["device"] == "d1");
        Assert.Contains(campus.Reasons, r => r.Code == "bollard_offline");
    }

    [Fact]
    public void Campus_AckOlderThanWindow_NotLinkedWithStaleReason()
    {
        var campus = One(Device(ackDaysAgo: 31)).Campuses.Single();
        Assert.False(campus.Linked);
        Assert.Contains(campus.Reasons, r => r.Code == "police_ack_stale" && r.Params["days"] == "30");
    }

    [Fact]
    public void Campus_NeverAcknowledged_NotLinked()
    {
        Assert.Contains(One(Device(ackDaysAgo: null)).Campuses.Single().Reasons, r => r.Code == "never_police_ack");
    }

    [Theory]
    [InlineData("none", "no_bollard")]
    [InlineData("fault", "bollard_unhealthy")]
    [InlineData("unknown", "bollard_unhealthy")]
    public void Campus_BollardMissingOrUnsound_NoAntiRam(string bollard, string reason)
    {
        var campus = One(Device(bollard: bollard)).Campuses.Single();
        Assert.True(campus.Linked);
        Assert.False(campus.AntiRam);
        Assert.Contains(campus.Reasons, r => r.Code == reason);
    }

    [Fact]
    public void Campus_OpenBollardFaultAlarm_NoAntiRamEvenIfPositionLooksFine()
    {
        var campus = One(Device(fault: true)).Campuses.Single();
        Assert.False(campus.AntiRam);
        Assert.Contains(campus.Reasons, r => r.Code == "bollard_fault_open");
    }

    [Fact]
    public void Report_SchoolWithoutDevices_IsACampusThatCountsNowhere()
    {
        var report = ComplianceCalculator.Calculate([School, new ComplianceSchool("s2", "第二中学", "郑州")], [Device()], 30, Now);
        Assert.Equal(new DistrictCompliance("郑州", 2, 1, 1), report.Districts.Single());
        Assert.Equal(new DistrictCompliance("", 2, 1, 1), report.Totals);
        Assert.Contains(report.Campuses.Single(c => c.SchoolId == "s2").Reasons, r => r.Code == "no_device");
    }

    [Fact]
    public void Report_HenanAnnexDistricts_TotalsAreTheSumOfDistricts()
    {
        // Sizes from docs/data/henan-2017-annex1.csv, scaled down a hundredfold; Gongyi is inside Zhengzhou (docs/data/README.md).
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "henan-2017-annex1.csv")).Skip(1)
            .Select(l => l.Split(',')).Where(c => c[0] is not "合计" and not "巩义").ToList();
        var schools = new List<ComplianceSchool>();
        var devices = new List<ComplianceDevice>();
        foreach (var c in rows)
        {
            var campuses = Math.Max(1, int.Parse(c[1]) / 100);
            var linked = int.Parse(c[7]) / 100;
            for (var i = 0; i < campuses; i++)
            {
                var id = $"{c[0]}-{i}";
                schools.Add(new ComplianceSchool(id, id, c[0]));
                devices.Add(new ComplianceDevice(id + "-g", id, i < linked ? "online" : "offline", Now, "up", Now.AddDays(-1), false));
            }
        }

        var report = ComplianceCalculator.Calculate(schools, devices, 30, Now);
        Assert.Equal(rows.Count, report.Districts.Count);
        Assert.Equal(schools.Count, report.Totals.Campuses);
        Assert.Equal(report.Districts.Sum(d => d.Linked), report.Totals.Linked);
        Assert.Equal(rows.Sum(c => Math.Min(Math.Max(1, int.Parse(c[1]) / 100), int.Parse(c[7]) / 100)), report.Totals.Linked);
    }
}

public sealed class BeatStripTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Strip_SequenceGap_DrawsOneGapPerLostHeartbeat()
    {
        var marks = new[] { new HeartbeatMark(T0, 1, false), new HeartbeatMark(T0.AddSeconds(30), 2, false), new HeartbeatMark(T0.AddSeconds(90), 5, true) };
        var strip = BeatStrip.From(marks, T0.AddSeconds(90), 30, T0.AddSeconds(95), 30);
        Assert.Equal([true, true, false, false, true], strip);
    }

    [Fact]
    public void Strip_SilentDevice_TrailingGapsForMissedIntervals()
    {
        var marks = new[] { new HeartbeatMark(T0, 1, false) };
        var strip = BeatStrip.From(marks, T0, 10, T0.AddSeconds(45), 30);
        Assert.Equal([true, false, false, false], strip);
    }

    [Fact]
    public void Strip_LongerThanSlots_KeepsNewest()
    {
        var marks = Enumerable.Range(1, 40).Select(i => new HeartbeatMark(T0.AddSeconds(i * 10), i, false)).ToArray();
        var strip = BeatStrip.From(marks, marks[^1].At, 10, marks[^1].At, 30);
        Assert.Equal(30, strip.Count);
        Assert.All(strip, Assert.True);
    }
}
