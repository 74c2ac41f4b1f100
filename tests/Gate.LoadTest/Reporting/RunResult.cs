using System.Text.Json.Serialization;

namespace Gate.LoadTest.Reporting;

/// <summary>
/// One measured run, as one JSON line in the results file and one readable block on stdout. Every run carries the
/// machine and its load average, because figures from a busy 2-core machine mean little without them.
/// </summary>
public sealed record RunResult(string Kind, string Label)
{
    public MachineInfo Machine { get; init; } = MachineInfo.Read();
    public string? Broker { get; init; }
    public int? Qos { get; init; }
    public int? Publishers { get; init; }
    public int? Devices { get; init; }
    public int? Processes { get; init; }
    public double? HeartbeatIntervalSeconds { get; init; }
    public double? OfferedRatePerSecond { get; init; }
    public double? DurationSeconds { get; init; }
    public long? Published { get; init; }
    public long? Received { get; init; }
    public double? DeliveredPerSecond { get; init; }
    public long? HeartbeatsSent { get; init; }
    public double? HeartbeatsPerSecond { get; init; }
    public long? AlarmsRaised { get; init; }
    public long? AlarmsReceived { get; init; }
    public long? AlarmsPoliceAcked { get; init; }
    public long? AlarmsLost { get; init; }
    public double? DrainSeconds { get; init; }
    public long? ConnectFailures { get; init; }
    public long? Disconnects { get; init; }
    public long? FalseOffline { get; init; }
    public long? Errors { get; init; }
    public LatencySummary? Latency { get; init; }
    public LatencySummary? PressToReceived { get; init; }
    public LatencySummary? PressToPoliceAck { get; init; }
    public string? LatencyHistogram { get; init; }
    public string? PressToReceivedHistogram { get; init; }
    public string? PressToPoliceAckHistogram { get; init; }
    public ProcessUsage? Server { get; init; }
    public ProcessUsage? LoadGenerator { get; init; }
    public double? RssBytesPerDevice { get; init; }
    public string? Notes { get; init; }
}

public static class ResultLog
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static void Write(RunResult result, string? path)
    {
        Console.WriteLine(Describe(result));
        if (!string.IsNullOrEmpty(path))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            File.AppendAllText(path, JsonSerializer.Serialize(result, Json) + "\n");
        }
    }

    public static string Describe(RunResult r)
    {
        var lines = new List<string> { $"== {r.Label} ==", $"machine: {r.Machine}" };
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                lines.Add(FormattableString.Invariant($"{name}: {value}"));
            }
        }

        Add("broker", r.Broker);
        Add("qos", r.Qos);
        Add("publishers", r.Publishers);
        Add("devices", r.Devices);
        Add("processes", r.Processes);
        Add("heartbeat interval s", r.HeartbeatIntervalSeconds);
        Add("offered rate /s", r.OfferedRatePerSecond is > 0 ? r.OfferedRatePerSecond.Value.ToString("0") : null);
        Add("duration s", r.DurationSeconds?.ToString("0.0"));
        Add("published", r.Published);
        Add("received", r.Received);
        Add("delivered /s", r.DeliveredPerSecond?.ToString("0"));
        Add("heartbeats sent", r.HeartbeatsSent);
        Add("heartbeats /s", r.HeartbeatsPerSecond?.ToString("0"));
        Add("alarms raised", r.AlarmsRaised);
        Add("alarms received", r.AlarmsReceived);
        Add("alarms police-acked", r.AlarmsPoliceAcked);
        Add("alarms lost", r.AlarmsLost);
        Add("drain s", r.DrainSeconds?.ToString("0.0"));
        Add("connect failures", r.ConnectFailures);
        Add("disconnects", r.Disconnects);
        Add("false offline", r.FalseOffline);
        Add("errors", r.Errors);
        Add("latency", r.Latency);
        Add("press->received", r.PressToReceived);
        Add("press->police_ack", r.PressToPoliceAck);
        Add("server", r.Server);
        Add("rss per device KiB", r.RssBytesPerDevice is null ? null : (r.RssBytesPerDevice.Value / 1024).ToString("0.0"));
        Add("load generator", r.LoadGenerator);
        Add("notes", r.Notes);
        return string.Join(Environment.NewLine, lines);
    }
}
