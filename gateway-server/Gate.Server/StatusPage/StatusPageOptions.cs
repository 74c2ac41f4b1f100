namespace Gate.Server.StatusPage;

/// <summary>Settings of the status page's read models (section "StatusPage").</summary>
public sealed class StatusPageOptions
{
    public const string Section = "StatusPage";

    /// <summary>
    /// A campus counts as "one-button alarm linked to the police" only if a police acknowledgement of one of its alarms
    /// or tests is at most this many days old (the monthly statistics default to a month).
    /// </summary>
    public int ComplianceWindowDays { get; set; } = 30;

    /// <summary>A real alarm not acknowledged by the police this long after it arrived is shown as delivery trouble.</summary>
    public int DeliveryTroubleSeconds { get; set; } = 60;

    /// <summary>Most events shown on a device's page.</summary>
    public int HistoryLimit { get; set; } = 200;

    /// <summary>Resolved alarms stay on the duty console this long, so the officer sees what was just closed.</summary>
    public int ResolvedVisibleMinutes { get; set; } = 0;
}
