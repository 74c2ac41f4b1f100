using System.Text;
using System.Text.Json;
using Gate.Server.Alarms;
using Gate.Server.Devices;
using Gate.Server.Liveness;
using Gate.Server.Provisioning;

namespace Gate.Server.StatusPage;

/// <summary>
/// Gathers compliance inputs, each from the module that owns it: schools and devices from the registry, liveness from
/// memory, placements from provisioning, police acks and open faults from the alarms.
/// </summary>
public sealed class ComplianceQuery(DeviceRegistry registry, LivenessTracker liveness, ProvisioningStore provisioning, AlarmHistory alarms, TimeProvider time)
{
    public ComplianceReportResponse Report(int windowDays)
    {
        var schools = registry.ListSchools().Select(s => new ComplianceSchool(s.Id, s.Name, s.District)).ToList();
        var lastAck = alarms.LastPoliceAckByDevice(ComplianceCalculator.LinkProvingKinds);

        // A fault that has been restored (a restore alarm arrived) or resolved by a person no longer counts.
        var openFaults = alarms.DevicesWithOpenFault(Gate.Contracts.AlarmKind.BollardFault);
        var placements = provisioning.Places();
        var devices = registry.All.Where(d => placements.GetValueOrDefault(d.Id)?.InService ?? true).Select(d =>
        {
            var live = liveness.Find(d.Id);
            return new ComplianceDevice(d.Id, d.SchoolId, DeviceTileQuery.PageState(live?.State), live?.LastSeen, live?.Telemetry.Bollard,
                lastAck.TryGetValue(d.Id, out var ack) ? ack : null, openFaults.Contains(d.Id));
        });
        return ComplianceCalculator.Calculate(schools, devices, windowDays, time.GetUtcNow());
    }
}

/// <summary>
/// The report as CSV in the order of the provincial table, with headers from the page's own resource files
/// (wwwroot/i18n), so the export and the screen say the same words. UTF-8 with a BOM, because that is what makes
/// Excel on a Chinese desktop read it correctly.
/// </summary>
public static class ComplianceCsv
{
    public static string Districts(ComplianceReportResponse report, IReadOnlyDictionary<string, string> text)
    {
        var csv = new StringBuilder();
        Row(csv, T(text, "compliance.district"), T(text, "compliance.campuses"), T(text, "compliance.linked"), T(text, "compliance.antiRam"));
        foreach (var d in report.Districts)
        {
            Row(csv, d.District, N(d.Campuses), N(d.Linked), N(d.AntiRam));
        }

        Row(csv, T(text, "compliance.total"), N(report.Totals.Campuses), N(report.Totals.Linked), N(report.Totals.AntiRam));
        return csv.ToString();
    }

    public static string Campuses(ComplianceReportResponse report, IReadOnlyDictionary<string, string> text)
    {
        var csv = new StringBuilder();
        Row(csv, T(text, "compliance.district"), "id", T(text, "compliance.campus"), T(text, "compliance.linked"), T(text, "compliance.antiRam"), T(text, "compliance.reasons"));
        foreach (var c in report.Campuses)
        {
            var reasons = string.Join("; ", c.Reasons.Select(r => Fill(T(text, "complianceReason." + r.Code), r.Params)));
            Row(csv, c.District, c.SchoolId, c.Name, c.Linked ? "1" : "0", c.AntiRam ? "1" : "0", reasons);
        }

        return csv.ToString();
    }

    /// <summary>Reads wwwroot/i18n/{lang}.json (zh-CN unless "en" is asked for).</summary>
    public static IReadOnlyDictionary<string, string> LoadText(IWebHostEnvironment environment, string? lang)
    {
        var name = lang == "en" ? "en" : "zh-CN";
        var file = environment.WebRootFileProvider.GetFileInfo($"i18n/{name}.json");
        if (!file.Exists)
        {
            return new Dictionary<string, string>();
        }

        using var stream = file.CreateReadStream();
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stream) ?? new Dictionary<string, string>();
    }

    private static string T(IReadOnlyDictionary<string, string> text, string key) => text.TryGetValue(key, out var v) ? v : key;

    private static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (k, v) in values)
        {
            template = template.Replace("{" + k + "}", v, StringComparison.Ordinal);
        }

        return template;
    }

    private static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Row(StringBuilder csv, params string[] cells)
    {
        csv.Append(string.Join(",", cells.Select(Escape))).Append("\r\n");
    }

    /// <summary>RFC 4180 quoting, and a leading quote mark on anything a spreadsheet would run as a formula.</summary>
    private static string Escape(string cell)
    {
        if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' && !double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            cell = "'" + cell;
        }

        return cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }
}
