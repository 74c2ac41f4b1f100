namespace Gate.Server.Liveness;

public sealed class LivenessOptions
{
    public const string Section = "Liveness";

    /// <summary>A device is late once this many heartbeat intervals pass without a word (one missed heartbeat plus jitter).</summary>
    public double LateAfterIntervals { get; set; } = 1.5;

    /// <summary>A device is offline once this many intervals pass without a word (or at once on its last will).</summary>
    public double OfflineAfterIntervals { get; set; } = 3;

    /// <summary>How often the liveness clock looks at every device.</summary>
    public int CheckPeriodMs { get; set; } = 1000;

    /// <summary>How often changed liveness is written to SQLite (heartbeats are never one transaction each).</summary>
    public int PersistPeriodSeconds { get; set; } = 5;

    /// <summary>
    /// How often devices that were only heard from (last_seen, telemetry) are written; changes of state are written every
    /// <see cref="PersistPeriodSeconds"/>. After a crash last_seen may be this much behind; liveness restarts as
    /// "unknown until heard from" anyway.
    /// </summary>
    public int RoutinePersistSeconds { get; set; } = 60;

    /// <summary>This many online/offline changes within <see cref="FlapWindowSeconds"/> mark a device as flapping.</summary>
    public int FlapTransitions { get; set; } = 6;

    public int FlapWindowSeconds { get; set; } = 600;

    /// <summary>A flapping device is calm again after this long without a change.</summary>
    public int FlapQuietSeconds { get; set; } = 300;

    /// <summary>External broker only: an "offline" status this soon after an "online" one is a stale will of the old connection.</summary>
    public int StaleWillWindowSeconds { get; set; } = 5;

    /// <summary>Heartbeat marks kept per device for the status page's bar strip.</summary>
    public int MarksKept { get; set; } = 30;

    /// <summary>A device timestamp further than this from server time is flagged (and the server's time is used).</summary>
    public int MaxClockSkewSeconds { get; set; } = 300;
}
