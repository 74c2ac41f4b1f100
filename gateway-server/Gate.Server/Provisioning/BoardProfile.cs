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
    IReadOnlyList<string> ActiveLowInputs,
    IReadOnlyDictionary<string, int?> PinOverrides)
{
    /// <summary>EOL loop bands in millivolts at the pin (hardware/wiring.md, 10 k pull-up, 4k7 + 4k7 at the button).</summary>
    public const int LoopShortBelowMv = 500;
    public const int LoopNormalBelowMv = 1330;
    public const int LoopAlarmBelowMv = 2400;
    public const int LoopSettleMs = 200;

    // Contacts that close to ground in their active state, per hardware/wiring.md: limit switches close when the
    // bollard reaches the position, the PSU's AC-OK pulls low while mains is present. Tamper, motor fault, barrier and
    // duress are closed in the healthy state, so their active state is open = high.
    private static readonly string[] ContactsClosingWhenActive = ["bollard_up", "bollard_down", "mains"];

    public static readonly IReadOnlyDictionary<string, BoardProfile> Known = new Dictionary<string, BoardProfile>(StringComparer.Ordinal)
    {
        // 12 V lead-acid through 100k/15k: 115/15 = 7.667 V per V keeps 14.4 V inside the ADC's linear range.
        // GPIO 36 (SENSOR_VP, ADC1) is free on this board: the supervised loop goes there.
        ["esp32-devkitc"] = new("esp32-devkitc", 7.667, 11500, 400, ContactsClosingWhenActive,
            new Dictionary<string, int?> { ["panic"] = null, ["panic_loop"] = 36 }),
        // Every free ADC1 pin is in use on the PoE board: the loop takes tamper's GPIO 36 and tamper takes the
        // plain panic contact's GPIO 4, which the loop frees.
        ["olimex-esp32-poe-iso"] = new("olimex-esp32-poe-iso", 7.667, 11500, 400, ContactsClosingWhenActive,
            new Dictionary<string, int?> { ["panic"] = null, ["panic_loop"] = 36, ["tamper"] = 4 }),
    };
}
