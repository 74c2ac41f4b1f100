using Gate.PoliceReceiver;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Gate.Contracts;
using Gate.Server.Security;
using Gate.SiaDc09;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>
/// Alone, not beside other servers: OpenTelemetry listens to meters by name process-wide, so every in-process server's
/// "Gate" meter feeds one metric stream, and another test's server stopping mid-scrape deactivates it (one server per
/// process, as in production, has no such neighbour).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

/// <summary>/metrics as Prometheus scrapes it: signed in with an API key, and the alarm path's counters move with a real panic.</summary>
[Collection(MetricsCollection.Name)]
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_WithoutKey_Is401Problem()
    {
        using var server = new GateServerFactory();

        var response = await server.CreateClient().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Metrics_PanicThroughToThePolice_MovesStageCountersDeliveryAttemptsAndLatency()
    {
        await using var police = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });
        await police.StartAsync();
        using var server = new GateServerFactory(realTime: true, settings: PolicePath.Primary(police.TcpEndPoint!));
        var credential = server.AddDevice("school-a", "gate-1");
        var scraper = server.CreateClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.ApiKey(Roles.Viewer));
        await using var device = await server.ConnectDeviceAsync(credential);
        await device.HeartbeatAsync();

        var before = await ScrapeAsync(scraper);
        var id = await device.AlarmAsync(AlarmKind.Panic);
        await device.WaitForAckAsync(id, AckStage.PoliceAck);
        var after = await ScrapeAsync(scraper);

        foreach (var stage in new[] { AckStage.Received, AckStage.Forwarded, AckStage.PoliceAck })
        {
            Assert.True(Value(after, "gate_alarm_stages_total", ("stage", stage), ("test", "false")) == Value(before, "gate_alarm_stages_total", ("stage", stage), ("test", "false")) + 1,
                $"stage {stage} did not move by one:\n{Lines(before, "gate_alarm_stages_total")}\n--\n{Lines(after, "gate_alarm_stages_total")}");
        }

        Assert.Equal(Value(before, "gate_delivery_attempts_total", ("path", "primary"), ("outcome", "acknowledged")) + 1,
            Value(after, "gate_delivery_attempts_total", ("path", "primary"), ("outcome", "acknowledged")));
        Assert.Equal(Value(before, "gate_alarm_police_ack_latency_seconds_count") + 1, Value(after, "gate_alarm_police_ack_latency_seconds_count"));
        Assert.True(Value(after, "gate_devices_connected") >= 1, Lines(after, "gate_devices"));
        Assert.Equal(1, Value(after, "gate_devices_liveness", ("state", "online")));
        Assert.True(Value(after, "gate_heartbeats_total") >= 1, Lines(after, "gate_heartbeats"));

        // The Grafana dashboard queries only metrics the server serves (a renamed metric would leave a panel empty).
        var served = Sample().Matches(after.Replace("\r", "", StringComparison.Ordinal)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var metric in DashboardMetrics().Where(m => !OnlyAfterTheFirstFailure.Contains(m)))
        {
            Assert.True(served.Contains(metric), $"deploy/grafana/gate-dashboard.json queries {metric}, which /metrics does not serve");
        }
    }

    /// <summary>Counters a label set appears in only once something failed or was refused.</summary>
    private static readonly HashSet<string> OnlyAfterTheFirstFailure = ["gate_delivery_failures_total", "gate_messages_refused_total"];

    private static IEnumerable<string> DashboardMetrics([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var file = Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "deploy", "grafana", "gate-dashboard.json");
        var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        return text;
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include <paramref name="labels"/> (0 when none).</summary>
    private static double Value(string scrape, string metric, params (string Name, string Value)[] labels)
    {
        var sum = 0.0;
        foreach (var line in scrape.Split('\n'))
        {
            var sample = Sample().Match(line);
            if (!sample.Success || sample.Groups["name"].Value != metric)
            {
                continue;
            }

            var have = Label().Matches(sample.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (labels.All(l => have.TryGetValue(l.Name, out var v) && v == l.Value))
            {
                sum += double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    private static string Lines(string scrape, string prefix) => string.Join("\n", scrape.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)));

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<labels>[^}]*)\\})? (?<value>\\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex("\\b(gate|dotnet|http)_[a-z0-9_]+(?=\\{)")]
    private static partial Regex MetricName();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
