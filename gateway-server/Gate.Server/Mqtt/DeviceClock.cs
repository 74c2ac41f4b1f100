namespace Gate.Server.Mqtt;

/// <summary>Device clocks: a timestamp far from server time is flagged, and the server's time is used instead.</summary>
public sealed class DeviceClock(TimeProvider time, IngestCounters counters, Microsoft.Extensions.Options.IOptions<Liveness.LivenessOptions> options)
{
    /// <summary>Seconds the device is ahead (+) or behind (-), or null when its clock is not set.</summary>
    public double? Skew(DateTime deviceUtc, DateTimeOffset receivedAt) =>
        deviceUtc == DateTime.MinValue ? null : (new DateTimeOffset(DateTime.SpecifyKind(deviceUtc, DateTimeKind.Utc)) - receivedAt).TotalSeconds;

    /// <summary>The time to record for an event the device dated: its own when plausible, else the receipt time (flagged).</summary>
    public DateTimeOffset Trusted(DateTime deviceUtc, DateTimeOffset receivedAt, string deviceId, string channel)
    {
        var skew = Skew(deviceUtc, receivedAt);
        if (skew is null)
        {
            return receivedAt;
        }

        if (Math.Abs(skew.Value) > options.Value.MaxClockSkewSeconds)
        {
            counters.Flagged("clock_skew", deviceId, $"{channel} dated {skew.Value:F0}s from server time");
            return receivedAt;
        }

        return new DateTimeOffset(DateTime.SpecifyKind(deviceUtc, DateTimeKind.Utc));
    }

    public DateTimeOffset Now => time.GetUtcNow();
}
