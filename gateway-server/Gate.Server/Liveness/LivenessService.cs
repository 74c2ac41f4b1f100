using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.Liveness;

/// <summary>Runs the liveness clock and writes changed liveness in batches. Timers run on TimeProvider (tests fake it).</summary>
public sealed class LivenessService(LivenessTracker tracker, Devices.DeviceRegistry registry, GateDatabase database, TimeProvider time, IOptions<LivenessOptions> options, ILogger<LivenessService> logger)
    : BackgroundService
{
    // Started with the service, not in ExecuteAsync: since .NET 10 ExecuteAsync runs on the thread pool after the host
    // has started, and a timer made there would begin counting late (a test's fake clock could even pass it by).
    private readonly PeriodicTimer _timer = new(TimeSpan.FromMilliseconds(options.Value.CheckPeriodMs), time);

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var persistEvery = TimeSpan.FromSeconds(options.Value.PersistPeriodSeconds);
        var routineEvery = TimeSpan.FromSeconds(options.Value.RoutinePersistSeconds);
        // Monotonic: a clock stepped back by an operator must not stop the writes for hours.
        var lastPersist = time.GetTimestamp();
        var lastRoutine = lastPersist;
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    tracker.Check();
                    if (time.GetElapsedTime(lastPersist) >= persistEvery)
                    {
                        lastPersist = time.GetTimestamp();
                        var routine = time.GetElapsedTime(lastRoutine, lastPersist) >= routineEvery;
                        if (routine)
                        {
                            lastRoutine = lastPersist;
                        }

                        tracker.Persist(database, routine);
                        registry.PersistFirmware();
                    }
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Liveness check failed; retrying on the next tick");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            tracker.Persist(database);
            registry.PersistFirmware();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not write liveness at shutdown");
        }
    }
}

public static class LivenessExtensions
{
    public static IServiceCollection AddLiveness(this IServiceCollection services)
    {
        services.AddOptions<LivenessOptions>()
            .BindConfiguration(LivenessOptions.Section)
            .Validate(o => o.LateAfterIntervals >= 1, "Liveness:LateAfterIntervals must be at least 1 (one missed heartbeat).")
            .Validate(o => o.OfflineAfterIntervals > o.LateAfterIntervals, "Liveness:OfflineAfterIntervals must be greater than Liveness:LateAfterIntervals.")
            .Validate(o => o.CheckPeriodMs is >= 50 and <= 60_000, "Liveness:CheckPeriodMs must be between 50 and 60000.")
            .Validate(o => o.PersistPeriodSeconds is >= 1 and <= 3600, "Liveness:PersistPeriodSeconds must be between 1 and 3600.")
            .Validate(o => o.RoutinePersistSeconds >= o.PersistPeriodSeconds && o.RoutinePersistSeconds <= 3600, "Liveness:RoutinePersistSeconds must be between Liveness:PersistPeriodSeconds and 3600.")
            .Validate(o => o.FlapTransitions >= 2 && o.FlapWindowSeconds >= 1 && o.FlapQuietSeconds >= 1, "Liveness:FlapTransitions must be at least 2 and the flap windows positive.")
            .Validate(o => o.MarksKept is >= 1 and <= 1000, "Liveness:MarksKept must be between 1 and 1000.")
            .Validate(o => o.MaxClockSkewSeconds >= 1 && o.StaleWillWindowSeconds >= 0, "Liveness:MaxClockSkewSeconds must be positive.")
            .ValidateOnStart();
        services.AddSingleton<LivenessTracker>();
        services.AddHostedService<LivenessService>();
        return services;
    }
}
