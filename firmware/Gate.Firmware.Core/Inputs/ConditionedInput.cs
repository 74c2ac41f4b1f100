using System.Collections;

namespace Gate.Firmware.Inputs
{
    /// <summary>
    /// A raw digital level conditioned by a chain of filters. Update(raw, nowMs) feeds the raw level and
    /// delivers scheduled emits, and says whether the conditioned level changed.
    /// </summary>
    public sealed class ConditionedInput
    {
        public const int DefaultDebounceMs = 50;

        private readonly InputFilter[] _filters;
        private bool _lastRaw;
        private bool _primed;
        private bool _state;

        public ConditionedInput(InputFilter[] filters)
        {
            _filters = filters == null ? new InputFilter[0] : filters;
            for (int i = 0; i + 1 < _filters.Length; i++)
            {
                _filters[i].Next = _filters[i + 1];
            }
        }

        /// <summary>The default chain: debounce 50 ms both ways, optionally inverted first.</summary>
        public static ConditionedInput Debounced(bool invert)
        {
            return Debounced(invert, DefaultDebounceMs);
        }

        public static ConditionedInput Debounced(bool invert, int debounceMs)
        {
            if (invert)
            {
                return new ConditionedInput(new InputFilter[] { new InvertFilter(), new DelayedOnOffFilter(debounceMs, debounceMs) });
            }

            return new ConditionedInput(new InputFilter[] { new DelayedOnOffFilter(debounceMs, debounceMs) });
        }

        /// <summary>
        /// Builds a chain from specs such as "invert", "delayed_on:100", "delayed_off:50",
        /// "delayed_on_off:50", "debounce:50", "settle:200". Null or empty specs give the default debounce.
        /// </summary>
        public static bool TryParse(string[] specs, out ConditionedInput input, out string error)
        {
            input = null;
            error = null;
            if (specs == null || specs.Length == 0)
            {
                input = Debounced(false);
                return true;
            }

            ArrayList filters = new ArrayList();
            for (int i = 0; i < specs.Length; i++)
            {
                string spec = specs[i];
                if (spec == null)
                {
                    error = "filter " + i.ToString() + " is empty";
                    return false;
                }

                string name = spec;
                long value = -1;
                int colon = spec.IndexOf(':');
                if (colon >= 0)
                {
                    name = spec.Substring(0, colon);
                    if (!TryParseMs(spec.Substring(colon + 1), out value))
                    {
                        error = "filter '" + spec + "' needs milliseconds 0..60000 after ':'";
                        return false;
                    }
                }

                if (name == "invert")
                {
                    filters.Add(new InvertFilter());
                    continue;
                }

                if (value < 0)
                {
                    error = "filter '" + spec + "' needs a time, for example '" + name + ":50'";
                    return false;
                }

                if (name == "delayed_on")
                {
                    filters.Add(new DelayedOnOffFilter(value, 0));
                }
                else if (name == "delayed_off")
                {
                    filters.Add(new DelayedOnOffFilter(0, value));
                }
                else if (name == "delayed_on_off" || name == "debounce")
                {
                    filters.Add(new DelayedOnOffFilter(value, value));
                }
                else if (name == "settle")
                {
                    filters.Add(new SettleFilter(value));
                }
                else
                {
                    error = "unknown filter '" + name + "' (known: invert, delayed_on, delayed_off, delayed_on_off, debounce, settle)";
                    return false;
                }
            }

            InputFilter[] chain = new InputFilter[filters.Count];
            for (int i = 0; i < chain.Length; i++)
            {
                chain[i] = (InputFilter)filters[i];
            }

            input = new ConditionedInput(chain);
            return true;
        }

        private static bool TryParseMs(string text, out long value)
        {
            value = 0;
            if (text == null || text.Length == 0 || text.Length > 5)
            {
                return false;
            }

            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9')
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            return value <= 60000;
        }

        /// <summary>The conditioned level.</summary>
        public bool State { get { return _state; } }

        public bool IsPrimed { get { return _primed; } }

        /// <summary>Sets the whole chain to the raw level with no delay (first reading after boot).</summary>
        public void Prime(bool raw)
        {
            _lastRaw = raw;
            _primed = true;
            if (_filters.Length == 0)
            {
                _state = raw;
                return;
            }

            _filters[0].Prime(raw);
            _state = _filters[_filters.Length - 1].Output;
        }

        /// <summary>Feeds a raw level (sampled or from an edge) and delivers due emits. True when State changed.</summary>
        public bool Update(bool raw, long nowMs)
        {
            if (!_primed)
            {
                Prime(raw);
                return false;
            }

            if (_filters.Length == 0)
            {
                _lastRaw = raw;
                bool changed = _state != raw;
                _state = raw;
                return changed;
            }

            if (raw != _lastRaw)
            {
                _lastRaw = raw;
                _filters[0].Input(raw, nowMs);
            }

            for (int i = 0; i < _filters.Length; i++)
            {
                _filters[i].Poll(nowMs);
            }

            bool now = _filters[_filters.Length - 1].Output;
            bool result = now != _state;
            _state = now;
            return result;
        }
    }
}
