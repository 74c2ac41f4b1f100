namespace Gate.SiaDc09;

/// <summary>One row of the alarm-kind to Contact ID table, with the reason the code was chosen.</summary>
public sealed record ContactIdMapping(string Kind, int Code, string CodeName, string Reason);

/// <summary>
/// Our alarm kinds (docs/protocol.md, "Alarm kinds", plus the troubles the server itself raises) mapped to Contact ID
/// event codes. docs/forwarding.md holds the same table for the police and installers; a test keeps the two in step.
/// Qualifier 1 is a new event, 3 a restore.
/// </summary>
public static class ContactIdMap
{
    /// <summary>Kinds the server raises itself (not sent by a device).</summary>
    public const string CommunicationTrouble = "communication_trouble";
    public const string SensorTrouble = "sensor_trouble";

    /// <summary>What an unknown kind is sent as, so that a kind newer than this table still reaches the police.</summary>
    public static readonly ContactIdMapping Fallback = new(
        "(unknown kind)", 140, "General alarm",
        "A kind added to the devices before this table knows it must still reach the police; 140 makes the operator look.");

    public static readonly IReadOnlyList<ContactIdMapping> Table =
    [
        new("panic", 120, "Panic alarm", "The guard's one-button alarm is the textbook panic."),
        new("duress", 121, "Duress", "The duress input means someone is being forced; the receiver must treat it as duress, not panic."),
        new("silent_panic", 122, "Silent (panic)", "Panic from an input with no local sounder; the police must know nobody on site heard it."),
        new("tamper", 137, "Tamper (control panel)", "The gate controller is the panel; its enclosure being opened is a panel tamper."),
        new("wiring_cut", 144, "Sensor tamper", "A cut panic loop is how the button would be defeated: a tamper of the sensor, not a mere fault (380 would let it be handled as maintenance)."),
        new("wiring_short", 144, "Sensor tamper", "A shorted end-of-line loop also silences the button; same reasoning as a cut."),
        new("bollard_fault", 380, "Sensor trouble", "Closest code: the bollard failed to reach position, reports both limit switches or its motor fault input, so its position sensing can no longer be trusted. Contact ID has no actuator fault; a trouble (3xx), not an alarm, because the gate is degraded, nobody is attacking it."),
        new("bollard_forced", 131, "Perimeter", "Closest code: a bollard leaving its position without a command is a breach of the vehicle barrier, the school's perimeter; a possible vehicle attack deserves an alarm response."),
        new("barrier_forced", 131, "Perimeter", "Closest code: the barrier arm opened without a command, so the perimeter was opened, possibly by force."),
        new("power_loss", 301, "AC loss", "Mains lost at the gate controller."),
        new("battery_low", 302, "Low system battery", "The controller's battery is below threshold."),
        new(CommunicationTrouble, 350, "Communication trouble", "Raised by the server when a controller stops reporting; the link to the gate is down."),
        new(SensorTrouble, 380, "Sensor trouble", "Raised by the server for an input it can no longer trust."),
        new("drill", 601, "Manual trigger test report", "The panic button pressed in drill mode: a manual test, never a real alarm."),
        new("periodic_test", 602, "Periodic test report", "The daily automatic self-test."),
    ];

    private static readonly Dictionary<string, ContactIdMapping> ByKind =
        Table.ToDictionary(m => m.Kind, StringComparer.Ordinal);

    public static bool IsKnown(string kind) => ByKind.ContainsKey(kind);

    public static ContactIdMapping Lookup(string kind) => ByKind.TryGetValue(kind, out var mapping) ? mapping : Fallback;

    /// <summary>The Contact ID event for an alarm kind; zone is clamped to 0-999, partition 0-99.</summary>
    public static ContactIdEvent ToEvent(string kind, bool restore, int zone, int partition = 1) =>
        new(
            restore ? ContactIdEvent.Restore : ContactIdEvent.NewEvent,
            Lookup(kind).Code,
            Math.Clamp(partition, 0, 99),
            Math.Clamp(zone, 0, 999));
}
