using HdrHistogram;
using HdrHistogram.Utilities;

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

    public string ToBase64()
    {
        lock (_gate)
        {
            // Allocate(byte[]) wraps the array, so the encoded bytes land in it.
            var bytes = new byte[_histogram.GetEstimatedFootprintInBytes() + 512];
            var length = _histogram.EncodeIntoCompressedByteBuffer(ByteBuffer.Allocate(bytes));
            return Convert.ToBase64String(bytes, 0, length);
        }
    }

    public static LatencyHistogram FromBase64(string base64)
    {
        var result = new LatencyHistogram();
        if (string.IsNullOrEmpty(base64))
        {
            return result;
        }

        var decoded = HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(base64)), 0);
        result._histogram.Add(decoded);
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
