using HdrHistogram;

namespace Gate.LoadTest.Measurement;

/// <summary>
/// Latencies in microseconds, HdrHistogram with 3 significant digits, 1 µs to 10 minutes. Thread-safe by a lock:
/// recording is a few nanoseconds, far below the MQTT work around it. Encodes to base64 so that swarm child processes
/// can hand their histograms to the parent, which adds them (percentiles cannot be averaged).
/// </summary>
public sealed class LatencyHistogram
{
    private const long HighestMicros = 10L * 60 * 1_000_000;
    private readonly LongHistogram _histogram = new(1, HighestMicros, 3);
    private readonly Lock _gate = new();

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _histogram.TotalCount;
            }
        }
    }

    public void RecordMicros(long micros)
    {
        micros = Math.Clamp(micros, 1, HighestMicros);
        lock (_gate)
        {
            _histogram.RecordValue(micros);
        }
    }

    /// <summary>Records the time since a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    public void RecordSince(long stopwatchTimestamp)
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(stopwatchTimestamp);
        RecordMicros((long)(elapsed.Ticks / 10.0));
    }

    public void Add(LatencyHistogram other)
    {
        LongHistogram copy;
        lock (other._gate)
        {
            copy = (LongHistogram)other._histogram.Copy();
        }

        lock (_gate)
        {
            _histogram.Add(copy);
        }
    }

    public LatencySummary Summary()
    {
        lock (_gate)
        {
            if (_histogram.TotalCount == 0)
            {
                return new LatencySummary(0, 0, 0, 0, 0, 0);
            }

            return new LatencySummary(
                _histogram.TotalCount,
                _histogram.GetValueAtPercentile(50) / 1000.0,
                _histogram.GetValueAtPercentile(90) / 1000.0,
                _histogram.GetValueAtPercentile(99) / 1000.0,
                _histogram.GetValueAtPercentile(99.9) / 1000.0,
                _histogram.GetMaxValue() / 1000.0);
        }
    }

    /// <summary>
    /// The recorded buckets as "value:count" pairs (bucket values are exact to 3 significant digits), base64 so it
    /// travels in one JSON string. Plain rather than HdrHistogram's compressed V2 encoding, which this package version
    /// did not round-trip through a caller-supplied buffer.
    /// </summary>
    public string ToBase64()
    {
        var text = new System.Text.StringBuilder();
        lock (_gate)
        {
            foreach (var bucket in _histogram.RecordedValues())
            {
                text.Append(bucket.ValueIteratedTo).Append(':').Append(bucket.CountAddedInThisIterationStep).Append(',');
            }
        }

        return Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(text.ToString()));
    }

    public static LatencyHistogram FromBase64(string base64)
    {
        var result = new LatencyHistogram();
        if (string.IsNullOrEmpty(base64))
        {
            return result;
        }

        var text = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(base64));
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':');
            var value = long.Parse(pair.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture);
            var count = long.Parse(pair.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
            result._histogram.RecordValueWithCount(Math.Clamp(value, 1, HighestMicros), count);
        }

        return result;
    }
}

/// <summary>Percentiles in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public override string ToString() =>
        Count == 0
            ? "n=0"
            : FormattableString.Invariant($"n={Count} p50={P50Ms:0.###} ms p90={P90Ms:0.###} ms p99={P99Ms:0.###} ms p99.9={P999Ms:0.###} ms max={MaxMs:0.###} ms");
}
