using System.Collections;

namespace Gate.Firmware.Config
{
    /// <summary>
    /// The pin of every gate function on this controller: the board's defaults with the configuration's
    /// overrides applied, checked against the board (a pin the board lacks, a pin used twice, an output on an
    /// input-only pin, an analog function on a pin without ADC1, a pin taken by flash or Ethernet).
    /// -1 means the function is not fitted.
    /// </summary>
    public sealed class BoardPins
    {
        public const int NotFitted = -1;

        private readonly Hashtable _pins = new Hashtable();
        private readonly ArrayList _warnings = new ArrayList();

        public string Board;

        /// <summary>The board's default polarity for digital inputs (see BoardDefinition.InputsActiveLow).</summary>
        public bool InputsActiveLow = true;

        public int Pin(string function)
        {
            object v = _pins[function];
            return v == null ? NotFitted : (int)v;
        }

        public bool IsFitted(string function) { return Pin(function) != NotFitted; }

        /// <summary>Allowed but worth knowing, e.g. a strapping pin driven at boot.</summary>
        public string[] Warnings
        {
            get
            {
                string[] w = new string[_warnings.Count];
                for (int i = 0; i < w.Length; i++) { w[i] = (string)_warnings[i]; }
                return w;
            }
        }

        /// <param name="overrides">function name → pin (int, or -1 for not fitted); null for the defaults.</param>
        public static bool TryResolve(BoardDefinition board, Hashtable overrides, out BoardPins pins, out string error)
        {
            pins = null;
            BoardPins p = new BoardPins();
            p.Board = board.Name;
            p.InputsActiveLow = board.InputsActiveLow;
            for (int i = 0; i < GateFunction.All.Length; i++)
            {
                string function = GateFunction.All[i];
                int pin = board.DefaultPin(function);
                if (overrides != null && overrides.Contains(function))
                {
                    pin = (int)overrides[function];
                }

                if (pin != NotFitted)
                {
                    p._pins[function] = pin;
                }
            }

            if (overrides != null)
            {
                foreach (DictionaryEntry e in overrides)
                {
                    if (!GateFunction.IsKnown((string)e.Key))
                    {
                        error = "pins." + (string)e.Key + " is not a gate function (known: " + BoardDefinition.Join(GateFunction.All) + ")";
                        return false;
                    }
                }
            }

            Hashtable usedBy = new Hashtable();
            for (int i = 0; i < GateFunction.All.Length; i++)
            {
                string function = GateFunction.All[i];
                int pin = p.Pin(function);
                if (pin == NotFitted)
                {
                    continue;
                }

                string gpio = "GPIO" + pin.ToString();
                if (!board.Exists(pin))
                {
                    error = function + ": " + board.Name + " has no " + gpio;
                    return false;
                }

                string reserved = board.ReservedFor(pin);
                if (reserved != null)
                {
                    error = function + ": " + gpio + " is taken by " + reserved + " on " + board.Name;
                    return false;
                }

                if (usedBy.Contains(pin))
                {
                    error = function + ": " + gpio + " is already used by " + (string)usedBy[pin];
                    return false;
                }

                if (GateFunction.IsOutput(function) && board.IsInputOnly(pin))
                {
                    error = function + " is an output but " + gpio + " is input-only on " + board.Name;
                    return false;
                }

                if (GateFunction.IsAnalog(function) && !board.HasAdc(pin))
                {
                    error = function + " is read as a voltage but " + gpio + " has no ADC1 channel on " + board.Name + " (ADC2 cannot be read while Wi-Fi is on)";
                    return false;
                }

                if (board.IsStrapping(pin))
                {
                    p._warnings.Add(function + ": " + gpio + " is a strapping pin; it must not be pulled to the wrong level at reset");
                }

                usedBy[pin] = function;
            }

            if (p.IsFitted(GateFunction.Panic) && p.IsFitted(GateFunction.PanicLoop))
            {
                error = "panic and panic_loop are two ways to wire the same button: fit one (set the other to null)";
                return false;
            }

            if (!p.IsFitted(GateFunction.Panic) && !p.IsFitted(GateFunction.PanicLoop))
            {
                error = "no panic button: fit panic (a contact) or panic_loop (supervised loop)";
                return false;
            }

            pins = p;
            error = null;
            return true;
        }
    }
}
