using System.Collections;
using Gate.Contracts;

namespace Gate.Firmware.Config
{
    /// <summary>
    /// What a board offers (hardware/boards/{name}.json): which GPIOs exist, which are input-only, which have
    /// an ADC usable with Wi-Fi on (ADC1), which are strapping pins, which are taken by flash or Ethernet,
    /// and the default pin of each gate function.
    /// </summary>
    public sealed class BoardDefinition
    {
        private readonly Hashtable _gpio = new Hashtable();
        private readonly Hashtable _inputOnly = new Hashtable();
        private readonly Hashtable _adc = new Hashtable();
        private readonly Hashtable _strapping = new Hashtable();
        private readonly Hashtable _reserved = new Hashtable();
        private readonly Hashtable _defaults = new Hashtable();

        public string Name;
        public string Title;

        /// <summary>"wifi" or "ethernet": how this board reaches the network by default.</summary>
        public string Network = "wifi";

        /// <summary>
        /// Contacts close to ground against a pull-up, so an input is active when low. True unless the board
        /// file says "inputs_active_low": false; one input can differ through the configuration's active_low.
        /// </summary>
        public bool InputsActiveLow = true;

        public bool Exists(int pin) { return _gpio.Contains(pin); }

        public bool IsInputOnly(int pin) { return _inputOnly.Contains(pin); }

        public bool HasAdc(int pin) { return _adc.Contains(pin); }

        public bool IsStrapping(int pin) { return _strapping.Contains(pin); }

        /// <summary>Why the pin is unavailable (e.g. "ethernet_mdio"), or null when free.</summary>
        public string ReservedFor(int pin) { return (string)_reserved[pin]; }

        /// <summary>Default pin of a function, -1 when the board does not fit it.</summary>
        public int DefaultPin(string function)
        {
            object v = _defaults[function];
            return v == null ? -1 : (int)v;
        }

        public static bool TryParse(string json, out BoardDefinition board, out string error)
        {
            board = null;
            Hashtable root;
            if (!ConfigFields.TryParseObject(json, "board file", out root, out error))
            {
                return false;
            }

            ConfigFields f = new ConfigFields(root);
            BoardDefinition b = new BoardDefinition();
            b.Name = f.String("board", true, null, Limits.MaxIdentifierLength);
            b.Title = f.String("title", false, null, 128);
            b.Network = f.String("network", false, "wifi", 16);
            b.InputsActiveLow = f.Bool("inputs_active_low", true);
            if (!f.Failed && !Identifier.IsValid(b.Name))
            {
                f.Fail("board must be an identifier (a-z, 0-9, '-')");
            }

            if (!f.Failed && b.Network != "wifi" && b.Network != "ethernet")
            {
                f.Fail("network must be \"wifi\" or \"ethernet\"");
            }

            ReadPinList(f, "gpio", b._gpio, true);
            ReadPinList(f, "input_only", b._inputOnly, false);
            ReadPinList(f, "adc", b._adc, false);
            ReadPinList(f, "strapping", b._strapping, false);

            ConfigFields reserved = f.Object("reserved", false);
            if (!f.Failed && reserved.RawObject != null)
            {
                foreach (DictionaryEntry e in reserved.RawObject)
                {
                    int pin;
                    if (!TryPinKey((string)e.Key, out pin))
                    {
                        f.Fail("reserved: key '" + (string)e.Key + "' must be a GPIO number");
                        break;
                    }

                    string why = e.Value as string;
                    b._reserved[pin] = why == null || why.Length == 0 ? "reserved" : why;
                }
            }

            ConfigFields defaults = f.Object("defaults", true);
            if (!f.Failed && defaults.RawObject != null)
            {
                foreach (DictionaryEntry e in defaults.RawObject)
                {
                    string function = (string)e.Key;
                    if (!GateFunction.IsKnown(function))
                    {
                        f.Fail("defaults." + function + " is not a gate function (known: " + Join(GateFunction.All) + ")");
                        break;
                    }

                    long pin = defaults.Integer(function, false, -1, -1, 39);
                    if (pin >= 0)
                    {
                        b._defaults[function] = (int)pin;
                    }
                }
            }

            if (f.Failed)
            {
                error = "board file: " + f.Error;
                return false;
            }

            // The board's own defaults must pass the same checks as an override would.
            BoardPins check;
            string pinError;
            if (!BoardPins.TryResolve(b, null, out check, out pinError))
            {
                error = "board file " + b.Name + ": defaults: " + pinError;
                return false;
            }

            board = b;
            error = null;
            return true;
        }

        private static void ReadPinList(ConfigFields f, string name, Hashtable into, bool required)
        {
            object v = f.Value(name, required);
            if (v == null)
            {
                return;
            }

            ArrayList list = v as ArrayList;
            if (list == null)
            {
                f.Fail(name + " must be a list of GPIO numbers");
                return;
            }

            for (int i = 0; i < list.Count; i++)
            {
                if (!(list[i] is long) || (long)list[i] < 0 || (long)list[i] > 39)
                {
                    f.Fail(name + "[" + i.ToString() + "] must be a GPIO number 0..39");
                    return;
                }

                into[(int)(long)list[i]] = true;
            }
        }

        private static bool TryPinKey(string key, out int pin)
        {
            pin = 0;
            if (key == null || key.Length == 0 || key.Length > 2)
            {
                return false;
            }

            for (int i = 0; i < key.Length; i++)
            {
                if (key[i] < '0' || key[i] > '9') { return false; }
                pin = (pin * 10) + (key[i] - '0');
            }

            return pin <= 39;
        }

        internal static string Join(string[] words)
        {
            string s = string.Empty;
            for (int i = 0; i < words.Length; i++)
            {
                s += (i == 0 ? string.Empty : ", ") + words[i];
            }

            return s;
        }
    }
}
