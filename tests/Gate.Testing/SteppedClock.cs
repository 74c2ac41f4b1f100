using Microsoft.Extensions.Time.Testing;

namespace Gate.Testing;

/// <summary>
/// Simulated time in which the wall clock can be stepped (an operator sets the date, NTP corrects a drifted clock)
/// while the monotonic timestamp and every timer go on as before, as on a real machine: Advance moves both, Step
/// moves only what GetUtcNow says, forward or back. FakeTimeProvider alone cannot go back, and its timestamp
/// follows its wall clock.
/// </summary>
public sealed class SteppedClock(FakeTimeProvider monotonic) : TimeProvider
{
    private long _stepTicks;

    public SteppedClock(DateTimeOffset start)
        : this(new FakeTimeProvider(start))
    {
    }

    /// <summary>Runs the timers and the monotonic timestamp (and may be shared with parts whose clock is right).</summary>
    public FakeTimeProvider Monotonic { get; } = monotonic;

    public void Advance(TimeSpan delta) => Monotonic.Advance(delta);

    /// <summary>Sets the wall clock by <paramref name="delta"/> without time passing.</summary>
    public void Step(TimeSpan delta) => Interlocked.Add(ref _stepTicks, delta.Ticks);

    public override DateTimeOffset GetUtcNow() => Monotonic.GetUtcNow().AddTicks(Interlocked.Read(ref _stepTicks));

    public override long GetTimestamp() => Monotonic.GetTimestamp();

    public override long TimestampFrequency => Monotonic.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Monotonic.CreateTimer(callback, state, dueTime, period);
}
