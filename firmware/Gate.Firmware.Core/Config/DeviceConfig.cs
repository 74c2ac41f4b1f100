using System.Collections;
using Gate.Contracts;
using Gate.Firmware.Inputs;

namespace Gate.Firmware.Config
{
    /// <summary>
    /// The device configuration file (gate.json on the internal flash; format in firmware/README.md).
    /// TryParse never throws: any problem comes back as one sentence naming the field, and the controller
    /// shows the trouble pattern instead of crashing in a loop.
    /// </summary>
    public sealed class DeviceConfig
    {
        public const int FormatVersion = 1;
        public const string FileName = "gate.json";
        public const string BoardFileName = "board.json";

        public string Device;
        public string School;
        public string Credential;

        public string BrokerHost;
        public int BrokerPort = 1883;
        public bool BrokerTls;

        /// <summary>"wifi" or "ethernet"; null = the board's default.</summary>
        public string Network;
        public string WifiSsid;
        public string WifiPassword;
        public string NtpServer = "pool.ntp.org";

        public string Board;

        /// <summary>function → pin overrides (int; -1 = not fitted). Empty when the board defaults apply.</summary>
        public Hashtable PinOverrides = new Hashtable();

        /// <summary>function → filter specs (string[]), e.g. "tamper": ["invert", "delayed_on:200"].</summary>
        public Hashtable InputFilters = new Hashtable();

        /// <summary>function → bool: explicit polarity of one input (true: active when low), overriding the board's.</summary>
        public Hashtable ActiveLow = new Hashtable();

        public int HeartbeatSeconds = Limits.DefaultHeartbeatSeconds;
        public int PanicHoldMs = 500;
        public bool PanicSilent;
        public int LoopShortBelowMv = 300;
        public int LoopNormalBelowMv = 1300;
        public int LoopAlarmBelowMv = 2400;
        public int LoopSettleMs = 200;
        public int BollardTravelMs = 15000;
        public int BarrierWindowMs = 30000;
        public int BatteryLowMv = 11500;
        public int BatteryHysteresisMv = 400;

        /// <summary>Battery volts per volt at the ADC pin (the divider ratio).</summary>
        public double BatteryDivider = 5.0;
        public int SelfTestHours = 24;
        public int DrillTimeoutMinutes = 60;
        public int RebootAfterOfflineSeconds = 900;
        public int OutboxCapacity = 64;

        /// <summary>
        /// Seconds after received (or the press) within which forwarded or police_ack must arrive; then the guard's
        /// light shows "not at the police" and they call 110.
        /// </summary>
        public int PoliceWaitSeconds = DefaultPoliceWaitSeconds;

        public const int DefaultPoliceWaitSeconds = 10;

        /// <summary>Parses and validates the configuration file text (pins are checked later against the board).</summary>
        public static bool TryParse(string json, out DeviceConfig config, out string error)
        {
            config = null;
            Hashtable root;
            if (!ConfigFields.TryParseObject(json, "configuration", out root, out error))
            {
                return false;
            }

            ConfigFields f = new ConfigFields(root);
            DeviceConfig c = new DeviceConfig();
            long version = f.Integer("v", true, 0, 0, 1000);
            if (!f.Failed && version != FormatVersion)
            {
                f.Fail("v must be " + FormatVersion.ToString() + ", got " + version.ToString());
            }

            c.Device = Id(f, "device");
            c.School = Id(f, "school");
            c.Credential = f.String("credential", true, null, 128);
            c.Board = Id(f, "board");

            ConfigFields broker = f.Object("broker", true);
            c.BrokerHost = broker.String("host", true, null, 253);
            c.BrokerTls = broker.Bool("tls", false);
            c.BrokerPort = (int)broker.Integer("port", false, c.BrokerTls ? 8883 : 1883, 1, 65535);

            ConfigFields network = f.Object("network", false);
            c.Network = network.String("kind", false, null, 16);
            if (!f.Failed && c.Network != null && c.Network != "wifi" && c.Network != "ethernet")
            {
                f.Fail("network.kind must be \"wifi\" or \"ethernet\"");
            }

            c.WifiSsid = network.String("ssid", c.Network == "wifi", null, 32);
            c.WifiPassword = network.String("password", false, null, 64);
            c.NtpServer = network.String("ntp", false, c.NtpServer, 253);

            c.HeartbeatSeconds = (int)f.Integer("heartbeat_s", false, Limits.DefaultHeartbeatSeconds, Limits.MinHeartbeatSeconds, Limits.MaxHeartbeatSeconds);
            c.SelfTestHours = (int)f.Integer("self_test_h", false, 24, 0, 24 * 7);
            c.DrillTimeoutMinutes = (int)f.Integer("drill_timeout_min", false, 60, 1, 24 * 60);
            c.RebootAfterOfflineSeconds = (int)f.Integer("reboot_after_offline_s", false, 900, 60, 24 * 3600);
            c.OutboxCapacity = (int)f.Integer("outbox_capacity", false, 64, 8, 1000);
            c.PoliceWaitSeconds = (int)f.Integer("police_wait_s", false, DefaultPoliceWaitSeconds, 1, 600);

            ConfigFields panic = f.Object("panic", false);
            c.PanicHoldMs = (int)panic.Integer("hold_ms", false, 500, 0, 10000);
            c.PanicSilent = panic.Bool("silent", false);
            ConfigFields loop = panic.Object("loop", false);
            c.LoopShortBelowMv = (int)loop.Integer("short_below_mv", false, c.LoopShortBelowMv, 0, 3300);
            c.LoopNormalBelowMv = (int)loop.Integer("normal_below_mv", false, c.LoopNormalBelowMv, 0, 3300);
            c.LoopAlarmBelowMv = (int)loop.Integer("alarm_below_mv", false, c.LoopAlarmBelowMv, 0, 3300);
            c.LoopSettleMs = (int)loop.Integer("settle_ms", false, c.LoopSettleMs, 0, 10000);
            if (!f.Failed && !(c.LoopShortBelowMv < c.LoopNormalBelowMv && c.LoopNormalBelowMv < c.LoopAlarmBelowMv))
            {
                f.Fail("panic.loop thresholds must rise: short_below_mv < normal_below_mv < alarm_below_mv");
            }

            ConfigFields bollard = f.Object("bollard", false);
            c.BollardTravelMs = (int)bollard.Integer("travel_timeout_ms", false, 15000, 1000, 120000);
            ConfigFields barrier = f.Object("barrier", false);
            c.BarrierWindowMs = (int)barrier.Integer("authorise_window_ms", false, 30000, 1000, 600000);
            ConfigFields battery = f.Object("battery", false);
            c.BatteryLowMv = (int)battery.Integer("low_mv", false, 11500, 0, 60000);
            c.BatteryHysteresisMv = (int)battery.Integer("hysteresis_mv", false, 400, 0, 10000);
            c.BatteryDivider = battery.Number("divider", 5.0, 1.0, 100.0);

            ReadPins(f, c);
            ReadInputs(f, c);

            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            config = c;
            error = null;
            return true;
        }

        /// <summary>Resolves the pins against the board file (board.json), checking the name matches.</summary>
        public bool TryResolvePins(string boardJson, out BoardPins pins, out string error)
        {
            pins = null;
            BoardDefinition board;
            if (!BoardDefinition.TryParse(boardJson, out board, out error))
            {
                return false;
            }

            return TryResolvePins(board, out pins, out error);
        }

        public bool TryResolvePins(BoardDefinition board, out BoardPins pins, out string error)
        {
            pins = null;
            if (board.Name != Board)
            {
                error = "configuration is for board " + Board + " but the board file is " + board.Name;
                return false;
            }

            if (!BoardPins.TryResolve(board, PinOverrides, out pins, out error))
            {
                error = "pins: " + error;
                return false;
            }

            return true;
        }

        /// <summary>True when the input is active at a low level: the configuration's active_low, else the board's default.</summary>
        public bool IsActiveLow(string function, BoardPins pins)
        {
            object v = ActiveLow[function];
            if (v != null)
            {
                return (bool)v;
            }

            return pins == null || pins.InputsActiveLow;
        }

        /// <summary>
        /// The conditioning chain for a digital function: "invert" first when it is active-low, then the
        /// configured filters, or the default 50 ms debounce.
        /// </summary>
        public ConditionedInput CreateInput(string function, BoardPins pins)
        {
            bool activeLow = IsActiveLow(function, pins);
            string[] specs = (string[])InputFilters[function];
            ConditionedInput input;
            string ignored;
            if (specs != null)
            {
                string[] chain = specs;
                if (activeLow)
                {
                    chain = new string[specs.Length + 1];
                    chain[0] = "invert";
                    for (int i = 0; i < specs.Length; i++) { chain[i + 1] = specs[i]; }
                }

                if (ConditionedInput.TryParse(chain, out input, out ignored))
                {
                    return input;
                }
            }

            return ConditionedInput.Debounced(activeLow);
        }

        private static string Id(ConfigFields f, string name)
        {
            string value = f.String(name, true, null, Limits.MaxIdentifierLength);
            if (!f.Failed && !Identifier.IsValid(value))
            {
                f.Fail(name + " must be 1..32 of a-z, 0-9 and '-' (not first), got '" + value + "'");
            }

            return value;
        }

        private static void ReadPins(ConfigFields f, DeviceConfig c)
        {
            object v = f.Value("pins", false);
            if (v == null)
            {
                return;
            }

            Hashtable pins = v as Hashtable;
            if (pins == null)
            {
                f.Fail("pins must be an object of function: GPIO number (or null)");
                return;
            }

            foreach (DictionaryEntry e in pins)
            {
                string function = (string)e.Key;
                if (!GateFunction.IsKnown(function))
                {
                    f.Fail("pins." + function + " is not a gate function (known: " + BoardDefinition.Join(GateFunction.All) + ")");
                    return;
                }

                if (Gate.Contracts.Json.JsonReader.IsNull(e.Value))
                {
                    c.PinOverrides[function] = BoardPins.NotFitted;
                    continue;
                }

                if (!(e.Value is long) || (long)e.Value < 0 || (long)e.Value > 39)
                {
                    f.Fail("pins." + function + " must be a GPIO number 0..39 or null (not fitted)");
                    return;
                }

                c.PinOverrides[function] = (int)(long)e.Value;
            }
        }

        private static void ReadInputs(ConfigFields f, DeviceConfig c)
        {
            object v = f.Value("inputs", false);
            if (v == null)
            {
                return;
            }

            Hashtable inputs = v as Hashtable;
            if (inputs == null)
            {
                f.Fail("inputs must be an object");
                return;
            }

            ConfigFields all = f.Object("inputs", false);
            foreach (DictionaryEntry e in inputs)
            {
                string function = (string)e.Key;
                if (!GateFunction.IsKnown(function) || GateFunction.IsOutput(function) || GateFunction.IsAnalog(function))
                {
                    f.Fail("inputs." + function + " is not a digital input function");
                    return;
                }

                ConfigFields one = all.Object(function, false);
                if (one.Has("active_low"))
                {
                    c.ActiveLow[function] = one.Bool("active_low", true);
                }

                string[] specs = one.Strings("filters");
                if (specs != null)
                {
                    ConditionedInput probe;
                    string filterError;
                    if (!ConditionedInput.TryParse(specs, out probe, out filterError))
                    {
                        f.Fail("inputs." + function + ".filters: " + filterError);
                        return;
                    }

                    c.InputFilters[function] = specs;
                }
            }
        }
    }
}
