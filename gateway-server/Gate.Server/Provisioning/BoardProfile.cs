namespace Gate.Server.Provisioning;

/// <summary>
/// How Gate wires a board (hardware/wiring.md, hardware/power.md), beyond what the board file says: battery scaling,
/// which contacts close when active, and the supervised panic loop. The board files (hardware/boards/*.json) default
/// to a plain panic contact; Gate's installations use the end-of-line supervised loop, so the bundle moves the panic
/// button to an ADC1 pin (and, where that pin was taken, the function that held it). Every pin is still checked by
/// the firmware's BoardPins against the board file.
/// </summary>
public sealed record BoardProfile(
    string Board,
    double BatteryDivider,
    int BatteryLowMv,
    int BatteryHysteresisMv,
    IReadOnlyDictionary<string, bool> ActiveLow,
    IReadOnlyDictionary<string, int?> PinOverrides)
{
    /// <summary>EOL loop bands in millivolts at the pin (hardware/wiring.md, 10 k pull-up, 4k7 + 4k7 at the button).</summary>
    public const int LoopShortBelowMv = 500;
    public const int LoopNormalBelowMv = 1330;
    public const int LoopAlarmBelowMv = 2400;
    public const int LoopSettleMs = 200;

    // Polarity of every digital input as hardware/wiring.md wires it. Active-low: the contact closes to ground in its
    // active state (limit switches at their position, AC-OK while mains is present, the barrier controller's opening
    // output). Active-high: closed while healthy and open when active (tamper, duress, motor fault, the barrier arm's
    // rest contact), so a cut wire reads as the alarm, never as all-clear.
    private static readonly IReadOnlyDictionary<string, bool> GateWiring = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["bollard_up"] = true,
        ["bollard_down"] = true,
        ["mains"] = true,
        ["barrier_request"] = true,
        ["tamper"] = false,
        ["duress"] = false,
        ["bollard_fault"] = false,
        ["barrier_open"] = false,
    };

    public static readonly IReadOnlyDictionary<string, BoardProfile> Known = new Dictionary<string, BoardProfile>(StringComparer.Ordinal)
    {
        // 12 V lead-acid through 100k/15k: 115/15 = 7.667 V per V keeps 14.4 V inside the ADC's linear range.
        // GPIO 36 (SENSOR_VP, ADC1) is free on this board: the supervised loop goes there.
        ["esp32-devkitc"] = new("esp32-devkitc", 7.667, 11500, 400, GateWiring,
            new Dictionary<string, int?> { ["panic"] = null, ["panic_loop"] = 36 }),
        // Every free ADC1 pin is in use on the PoE board: the loop takes tamper's GPIO 36 and tamper takes the
        // plain panic contact's GPIO 4, which the loop frees.
        ["olimex-esp32-poe-iso"] = new("olimex-esp32-poe-iso", 7.667, 11500, 400, GateWiring,
            new Dictionary<string, int?> { ["panic"] = null, ["panic_loop"] = 36, ["tamper"] = 4 }),
    };
}
