using System;
using System.Text;

namespace Gate.Contracts.Json
{
    /// <summary>
    /// A small forward-only JSON writer that runs on nanoFramework (no System.Text.Json there).
    /// Commas are placed automatically. Strings escape '"', '\' and control characters below U+0020
    /// (\b \f \n \r \t, others as \u00XX with upper-case hex, as System.Text.Json writes them); all other
    /// characters are written as themselves, and ToUtf8 turns a lone surrogate into U+FFFD.
    /// Misuse (a value where a name is due) is a programming error and is not checked.
    /// </summary>
    public sealed class JsonWriter
    {
        private const string Hex = "0123456789ABCDEF";

        private readonly StringBuilder _text;
        private bool[] _hasItems = new bool[16];
        private int _depth;
        private bool _afterName;

        public JsonWriter()
        {
            _text = new StringBuilder(256);
        }

        public JsonWriter(int capacity)
        {
            _text = new StringBuilder(capacity);
        }

        public JsonWriter BeginObject()
        {
            BeforeValue();
            _text.Append('{');
            Push();
            return this;
        }

        public JsonWriter EndObject()
        {
            Pop();
            _text.Append('}');
            return this;
        }

        public JsonWriter BeginArray()
        {
            BeforeValue();
            _text.Append('[');
            Push();
            return this;
        }

        public JsonWriter EndArray()
        {
            Pop();
            _text.Append(']');
            return this;
        }

        /// <summary>Writes a property name; the next call writes its value.</summary>
        public JsonWriter Name(string name)
        {
            BeforeValue();
            AppendQuoted(name == null ? string.Empty : name);
            _text.Append(':');
            _afterName = true;
            return this;
        }

        /// <summary>Writes a string value; null writes JSON null.</summary>
        public JsonWriter String(string value)
        {
            if (value == null)
            {
                return Null();
            }

            BeforeValue();
            AppendQuoted(value);
            return this;
        }

        public JsonWriter Number(long value)
        {
            BeforeValue();

            // Digit by digit rather than value.ToString(): a heartbeat carries ten numbers, and on the device every
            // temporary string is garbage the collector must walk the whole heap to reclaim.
            if (value == long.MinValue)
            {
                _text.Append("-9223372036854775808");
                return this;
            }

            if (value < 0)
            {
                _text.Append('-');
                value = -value;
            }

            long divisor = 1;
            while (value / divisor >= 10)
            {
                divisor *= 10;
            }

            while (divisor > 0)
            {
                _text.Append((char)('0' + (int)(value / divisor % 10)));
                divisor /= 10;
            }

            return this;
        }

        /// <summary>
        /// Writes a double. Integral values below 2^53 are written as integers; NaN and infinities (which JSON
        /// cannot carry) are written as null. No v1 message carries a double: this is for configuration files.
        /// </summary>
        public JsonWriter Number(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                return Null();
            }

            if (value > -9007199254740992.0 && value < 9007199254740992.0)
            {
                long integral = (long)value;
                if (integral == value)
                {
                    return Number(integral);
                }
            }

            BeforeValue();
            _text.Append(value.ToString());
            return this;
        }

        public JsonWriter Bool(bool value)
        {
            BeforeValue();
            _text.Append(value ? "true" : "false");
            return this;
        }

        public JsonWriter Null()
        {
            BeforeValue();
            _text.Append("null");
            return this;
        }

        /// <summary>Writes a UTC time as an ISO 8601 string (see UtcTime.Format).</summary>
        public JsonWriter Time(DateTime utc)
        {
            return String(UtcTime.Format(utc));
        }

        public override string ToString()
        {
            return _text.ToString();
        }

        /// <summary>The UTF-8 bytes, encoded straight from the builder (no intermediate string).</summary>
        public byte[] ToUtf8()
        {
            return Utf8Text.Encode(_text);
        }

        private void BeforeValue()
        {
            if (_afterName)
            {
                _afterName = false;
                return;
            }

            if (_depth > 0)
            {
                if (_hasItems[_depth - 1])
                {
                    _text.Append(',');
                }

                _hasItems[_depth - 1] = true;
            }
        }

        private void Push()
        {
            if (_depth == _hasItems.Length)
            {
                bool[] larger = new bool[_hasItems.Length * 2];
                Array.Copy(_hasItems, larger, _hasItems.Length);
                _hasItems = larger;
            }

            _hasItems[_depth] = false;
            _depth++;
        }

        private void Pop()
        {
            if (_depth > 0)
            {
                _depth--;
            }

            _afterName = false;
        }

        private void AppendQuoted(string value)
        {
            _text.Append('"');
            int len = value.Length;
            for (int i = 0; i < len; i++)
            {
                char c = value[i];
                switch (c)
                {
                    case '"':
                        _text.Append("\\\"");
                        break;
                    case '\\':
                        _text.Append("\\\\");
                        break;
                    case '\n':
                        _text.Append("\\n");
                        break;
                    case '\r':
                        _text.Append("\\r");
                        break;
                    case '\t':
                        _text.Append("\\t");
                        break;
                    case '\b':
                        _text.Append("\\b");
                        break;
                    case '\f':
                        _text.Append("\\f");
                        break;
                    default:
                        if (c < ' ')
                        {
                            _text.Append("\\u00");
                            _text.Append(Hex[c >> 4]);
                            _text.Append(Hex[c & 0xF]);
                        }
                        else
                        {
                            _text.Append(c);
                        }

                        break;
                }
            }

            _text.Append('"');
        }
    }
}
