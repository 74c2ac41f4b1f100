namespace Gate.Server.Forwarding;

/// <summary>The stages of one alarm's way, each timed on its own, so an operator can see which one is slow.</summary>
public enum DeliveryStage
{
    /// <summary>The press (the device's own time, when it is trusted) until the alarm is durable in SQLite.</summary>
    PressToStored,

    /// <summary>Durable and queued until its frame goes to a receiver: waiting behind the school's earlier alarms and for a free connection.</summary>
    StoredToSent,

    /// <summary>Frame sent until the receiver answered (the DC-09 ACK, or the webhook's response).</summary>
    PoliceRoundTrip,

    /// <summary>The answer until the police ACK is committed (one group commit); the device's ack is enqueued right after.</summary>
    AckToDevice,

    /// <summary>The whole way: press until the police ACK is committed.</summary>
    PressToPoliceAck,
}

/// <summary>
/// Cumulative latency histograms per <see cref="DeliveryStage"/> since the server started, in fixed buckets (no
/// allocation per alarm, no lock: one interlocked increment), read by /health. Bucket percentiles are upper bounds:
/// "p99 ≤ 200 ms" means the 99th alarm of a hundred finished within the bucket that ends at 200 ms.
/// </summary>
public sealed class DeliveryLatency
{
    /// <summary>Upper bounds in milliseconds; the last bucket holds everything slower.</summary>
    public static readonly double[] BucketUpperMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, double.PositiveInfinity];

    private static readonly DeliveryStage[] Stages = Enum.GetValues<DeliveryStage>();

    private readonly long[][] _counts = Stages.Select(_ => new long[BucketUpperMs.Length]).ToArray();
    private readonly long[] _maxMicroseconds = new long[Stages.Length];

    public void Record(DeliveryStage stage, TimeSpan elapsed)
    {
        // A device clock ahead of the server's makes press→stored negative; it is counted as instant, not dropped.
        var ms = Math.Max(0, elapsed.TotalMilliseconds);
        var bucket = 0;
        while (ms > BucketUpperMs[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[(int)stage][bucket]);
        var micro = (long)(ms * 1000);
        ref var max = ref _maxMicroseconds[(int)stage];
        var seen = Volatile.Read(ref max);
        while (micro > seen)
        {
            var was = Interlocked.CompareExchange(ref max, micro, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }
    }

    public IReadOnlyList<DeliveryStageReport> Snapshot() => Stages.Select(Report).ToList();

    private DeliveryStageReport Report(DeliveryStage stage)
    {
        var counts = new long[BucketUpperMs.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[(int)stage][i]);
        }

        var total = counts.Sum();
        double? Percentile(double p)
        {
            if (total == 0)
            {
                return null;
            }

            var rank = (long)Math.Ceiling(total * p);
            long seen = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                seen += counts[i];
                if (seen >= rank)
                {
                    return double.IsPositiveInfinity(BucketUpperMs[i]) ? null : BucketUpperMs[i];
                }
            }

            return null;
        }

        var buckets = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < counts.Length; i++)
        {
            buckets[double.IsPositiveInfinity(BucketUpperMs[i]) ? "inf" : BucketUpperMs[i].ToString(System.Globalization.CultureInfo.InvariantCulture)] = counts[i];
        }

        return new DeliveryStageReport(StageName(stage), total, Percentile(0.5), Percentile(0.9), Percentile(0.99),
            total == 0 ? null : Volatile.Read(ref _maxMicroseconds[(int)stage]) / 1000.0, buckets);
    }

    public static string StageName(DeliveryStage stage) => stage switch
    {
        DeliveryStage.PressToStored => "press_to_stored",
        DeliveryStage.StoredToSent => "stored_to_sent",
        DeliveryStage.PoliceRoundTrip => "police_round_trip",
        DeliveryStage.AckToDevice => "ack_to_device",
        DeliveryStage.PressToPoliceAck => "press_to_police_ack",
        _ => stage.ToString(),
    };
}

/// <summary>One stage in /health: alarms timed, bucket-bound percentiles and the slowest in ms, and the bucket counts (key: upper bound in ms).</summary>
public sealed record DeliveryStageReport(string Stage, long Count, double? P50Ms, double? P90Ms, double? P99Ms, double? MaxMs, IReadOnlyDictionary<string, long> BucketsMs);
