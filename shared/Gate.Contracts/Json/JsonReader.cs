using System;
using System.Collections;
using System.Text;

namespace Gate.Contracts.Json
{
    /// <summary>The JSON null value. A single instance, JsonReader.Null, is used everywhere.</summary>
    public sealed class JsonNull
    {
        internal JsonNull()
        {
        }

        public override string ToString()
        {
            return "null";
        }
    }

    /// <summary>
    /// A strict RFC 8259 JSON parser that runs on nanoFramework. It produces:
    /// object → Hashtable (string keys), array → ArrayList, string → string, integer → long (a number without
    /// fraction or exponent that fits a signed 64-bit integer), other numbers → double, true/false → bool,
    /// and null → the sentinel <see cref="Null"/>.
    /// <para>
    /// Null versus missing: a Hashtable's indexer returns C# null for a key that is absent, and
    /// <see cref="Null"/> (never C# null) for a key whose value is JSON null. <see cref="IsNull"/> tests for it.
    /// </para>
    /// <para>
    /// It rejects, with a short English reason and the character position: trailing data after the value,
    /// nesting deeper than the limit (the outermost object or array is depth 1), a duplicate key in one object
    /// (compared after unescaping), lone or reversed surrogates (escaped or raw), raw control characters in
    /// strings, leading zeros, comments, trailing commas, and anything else outside the grammar. It never throws.
    /// </para>
    /// </summary>
    public sealed class JsonReader
    {
        /// <summary>The value of a JSON null.</summary>
        public static readonly JsonNull Null = new JsonNull();

        /// <summary>Hard cap for the depth a caller may ask for: the parser recurses once per level.</summary>
        public const int MaxAllowedDepth = 64;

        private readonly string _text;
        private readonly int _maxDepth;
        private int _pos;
        private string _error;

        private JsonReader(string text, int maxDepth)
        {
            _text = text;
            _maxDepth = maxDepth;
        }

        public static bool IsNull(object value)
        {
            return value == Null;
        }

        /// <summary>Parses one JSON value with the wire depth limit (Limits.MaxJsonDepth).</summary>
        public static bool TryParse(string text, out object value, out string error)
        {
            return TryParse(text, Limits.MaxJsonDepth, out value, out error);
        }

        /// <summary>Parses one JSON value, allowing nesting up to maxDepth (1..MaxAllowedDepth).</summary>
        public static bool TryParse(string text, int maxDepth, out object value, out string error)
        {
            value = null;
            if (text == null)
            {
                error = "no text";
                return false;
            }

            if (maxDepth < 1 || maxDepth > MaxAllowedDepth)
            {
                error = "depth limit out of range";
                return false;
            }

            JsonReader reader = new JsonReader(text, maxDepth);
            object result;
            try
            {
                reader.SkipWhitespace();
                if (!reader.ParseValue(0, out result))
                {
                    error = reader._error;
                    return false;
                }

                reader.SkipWhitespace();
                if (reader._pos != text.Length)
                {
                    error = "unexpected data after the value at " + reader._pos.ToString();
                    return false;
                }
            }
            catch (Exception)
            {
                // Defence in depth: the parser is written not to throw, but a parser bug (or running out of
                // memory on a device) must come back as a rejection, never escape to the caller.
                error = "internal parser error";
                return false;
            }

            value = result;
            error = null;
            return true;
        }

        /// <summary>Decodes strict UTF-8 (see Utf8Text) and parses it.</summary>
        public static bool TryParseUtf8(byte[] bytes, int offset, int count, int maxDepth, out object value, out string error)
        {
            value = null;
            string text;
            if (!Utf8Text.TryDecode(bytes, offset, count, out text))
            {
                error = "invalid UTF-8";
                return false;
            }

            return TryParse(text, maxDepth, out value, out error);
        }

        private bool Fail(string what)
        {
            if (_error == null)
            {
                _error = what + " at " + _pos.ToString();
            }

            return false;
        }

        private void SkipWhitespace()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                {
                    _pos++;
                }
                else
                {
                    return;
                }
            }
        }

        private bool ParseValue(int depth, out object value)
        {
            value = null;
            if (_pos >= _text.Length)
            {
                return Fail("unexpected end");
            }

            char c = _text[_pos];
            if (c == '{')
            {
                return ParseObject(depth + 1, out value);
            }

            if (c == '[')
            {
                return ParseArray(depth + 1, out value);
            }

            if (c == '"')
            {
                string s;
                if (!ParseString(out s))
                {
                    return false;
                }

                value = s;
                return true;
            }

            if (c == '-' || (c >= '0' && c <= '9'))
            {
                return ParseNumber(out value);
            }

            if (Literal("true"))
            {
                value = true;
                return true;
            }

            if (Literal("false"))
            {
                value = false;
                return true;
            }

            if (Literal("null"))
            {
                value = Null;
                return true;
            }

            return Fail("unexpected character");
        }

        private bool Literal(string word)
        {
            if (_text.Length - _pos < word.Length)
            {
                return false;
            }

            for (int i = 0; i < word.Length; i++)
            {
                if (_text[_pos + i] != word[i])
                {
                    return false;
                }
            }

            _pos += word.Length;
            return true;
        }

        private bool ParseObject(int depth, out object value)
        {
            value = null;
            if (depth > _maxDepth)
            {
                return Fail("nesting deeper than " + _maxDepth.ToString());
            }

            _pos++;
            Hashtable table = new Hashtable();
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == '}')
            {
                _pos++;
                value = table;
                return true;
            }

            while (true)
            {
                SkipWhitespace();
                if (_pos >= _text.Length || _text[_pos] != '"')
                {
                    return Fail("expected a property name");
                }

                int keyAt = _pos;
                string key;
                if (!ParseString(out key))
                {
                    return false;
                }

                if (table.Contains(key))
                {
                    _pos = keyAt;
                    return Fail("duplicate key");
                }

                SkipWhitespace();
                if (_pos >= _text.Length || _text[_pos] != ':')
                {
                    return Fail("expected ':'");
                }

                _pos++;
                SkipWhitespace();
                object item;
                if (!ParseValue(depth, out item))
                {
                    return false;
                }

                table.Add(key, item);
                SkipWhitespace();
                if (_pos >= _text.Length)
                {
                    return Fail("unexpected end");
                }

                char c = _text[_pos];
                _pos++;
                if (c == '}')
                {
                    value = table;
                    return true;
                }

                if (c != ',')
                {
                    _pos--;
                    return Fail("expected ',' or '}'");
                }
            }
        }

        private bool ParseArray(int depth, out object value)
        {
            value = null;
            if (depth > _maxDepth)
            {
                return Fail("nesting deeper than " + _maxDepth.ToString());
            }

            _pos++;
            ArrayList list = new ArrayList();
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == ']')
            {
                _pos++;
                value = list;
                return true;
            }

            while (true)
            {
                SkipWhitespace();
                object item;
                if (!ParseValue(depth, out item))
                {
                    return false;
                }

                list.Add(item);
                SkipWhitespace();
                if (_pos >= _text.Length)
                {
                    return Fail("unexpected end");
                }

                char c = _text[_pos];
                _pos++;
                if (c == ']')
                {
                    value = list;
                    return true;
                }

                if (c != ',')
                {
                    _pos--;
                    return Fail("expected ',' or ']'");
                }
            }
        }

        private bool ParseString(out string value)
        {
            value = null;
            _pos++; // opening quote
            int start = _pos;

            // Fast path: no escapes and no surrogates, one Substring.
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == '"')
                {
                    value = _text.Substring(start, _pos - start);
                    _pos++;
                    return true;
                }

                if (c == '\\' || c < ' ' || (c >= 0xD800 && c <= 0xDFFF))
                {
                    break;
                }

                _pos++;
            }

            if (_pos >= _text.Length)
            {
                return Fail("unterminated string");
            }

            StringBuilder sb = new StringBuilder(_pos - start + 16);
            sb.Append(_text.Substring(start, _pos - start));
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    value = sb.ToString();
                    return true;
                }

                if (c < ' ')
                {
                    return Fail("control character in string");
                }

                if (c >= 0xD800 && c <= 0xDBFF)
                {
                    if (_pos + 1 >= _text.Length || _text[_pos + 1] < 0xDC00 || _text[_pos + 1] > 0xDFFF)
                    {
                        return Fail("lone surrogate");
                    }

                    sb.Append(c);
                    sb.Append(_text[_pos + 1]);
                    _pos += 2;
                    continue;
                }

                if (c >= 0xDC00 && c <= 0xDFFF)
                {
                    return Fail("lone surrogate");
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    _pos++;
                    continue;
                }

                if (_pos + 1 >= _text.Length)
                {
                    return Fail("unterminated string");
                }

                char e = _text[_pos + 1];
                _pos += 2;
                switch (e)
                {
                    case '"':
                        sb.Append('"');
                        break;
                    case '\\':
                        sb.Append('\\');
                        break;
                    case '/':
                        sb.Append('/');
                        break;
                    case 'b':
                        sb.Append('\b');
                        break;
                    case 'f':
                        sb.Append('\f');
                        break;
                    case 'n':
                        sb.Append('\n');
                        break;
                    case 'r':
                        sb.Append('\r');
                        break;
                    case 't':
                        sb.Append('\t');
                        break;
                    case 'u':
                        int unit = ReadHex4();
                        if (unit < 0)
                        {
                            return Fail("bad \\u escape");
                        }

                        if (unit >= 0xDC00 && unit <= 0xDFFF)
                        {
                            return Fail("lone surrogate");
                        }

                        if (unit >= 0xD800 && unit <= 0xDBFF)
                        {
                            if (_pos + 1 >= _text.Length || _text[_pos] != '\\' || _text[_pos + 1] != 'u')
                            {
                                return Fail("lone surrogate");
                            }

                            _pos += 2;
                            int low = ReadHex4();
                            if (low < 0xDC00 || low > 0xDFFF)
                            {
                                return Fail("lone surrogate");
                            }

                            sb.Append((char)unit);
                            sb.Append((char)low);
                        }
                        else
                        {
                            sb.Append((char)unit);
                        }

                        break;
                    default:
                        _pos--;
                        return Fail("bad escape");
                }
            }

            return Fail("unterminated string");
        }

        private int ReadHex4()
        {
            if (_text.Length - _pos < 4)
            {
                return -1;
            }

            int v = 0;
            for (int i = 0; i < 4; i++)
            {
                char h = _text[_pos + i];
                int d;
                if (h >= '0' && h <= '9')
                {
                    d = h - '0';
                }
                else if (h >= 'a' && h <= 'f')
                {
                    d = h - 'a' + 10;
                }
                else if (h >= 'A' && h <= 'F')
                {
                    d = h - 'A' + 10;
                }
                else
                {
                    return -1;
                }

                v = (v << 4) | d;
            }

            _pos += 4;
            return v;
        }

        private bool ParseNumber(out object value)
        {
            value = null;
            int start = _pos;
            bool negative = false;
            if (_text[_pos] == '-')
            {
                negative = true;
                _pos++;
            }

            if (_pos >= _text.Length || _text[_pos] < '0' || _text[_pos] > '9')
            {
                return Fail("bad number");
            }

            // Integer part: accumulate as a negative long so that long.MinValue fits.
            long acc = 0;
            bool overflow = false;
            int significant = 0;
            long mantissa = 0;
            int decimalShift = 0;
            if (_text[_pos] == '0')
            {
                _pos++;
                if (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
                {
                    return Fail("leading zero");
                }
            }
            else
            {
                while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
                {
                    int d = _text[_pos] - '0';
                    if (!overflow)
                    {
                        if (acc < (long.MinValue + d) / 10)
                        {
                            overflow = true;
                        }
                        else
                        {
                            acc = (acc * 10) - d;
                        }
                    }

                    AddDigit(d, ref mantissa, ref significant, ref decimalShift, false);
                    _pos++;
                }
            }

            bool isInteger = true;
            if (_pos < _text.Length && _text[_pos] == '.')
            {
                isInteger = false;
                _pos++;
                if (_pos >= _text.Length || _text[_pos] < '0' || _text[_pos] > '9')
                {
                    return Fail("bad number");
                }

                while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
                {
                    AddDigit(_text[_pos] - '0', ref mantissa, ref significant, ref decimalShift, true);
                    _pos++;
                }
            }

            int exponent = 0;
            if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
            {
                isInteger = false;
                _pos++;
                bool expNegative = false;
                if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-'))
                {
                    expNegative = _text[_pos] == '-';
                    _pos++;
                }

                if (_pos >= _text.Length || _text[_pos] < '0' || _text[_pos] > '9')
                {
                    return Fail("bad number");
                }

                while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
                {
                    if (exponent < 100000)
                    {
                        exponent = (exponent * 10) + (_text[_pos] - '0');
                    }

                    _pos++;
                }

                if (expNegative)
                {
                    exponent = -exponent;
                }
            }

            if (isInteger && !overflow)
            {
                if (!negative)
                {
                    if (acc == long.MinValue)
                    {
                        overflow = true;
                    }
                    else
                    {
                        value = -acc;
                        return true;
                    }
                }
                else
                {
                    value = acc;
                    return true;
                }
            }

            // Fraction, exponent or beyond 64 bits: a double. Hand-made because double.Parse differs on
            // nanoFramework; exact for up to 15 significant digits and powers of ten up to 22.
            int scale = exponent + decimalShift;
            double digits = mantissa;
            double result;
            if (mantissa == 0)
            {
                result = 0;
            }
            else if (scale < -300)
            {
                // Two steps, so that 10^-scale does not become infinity before a tiny (subnormal) result is reached.
                result = digits / PowerOfTen(300) / PowerOfTen(-scale - 300);
            }
            else if (scale < 0)
            {
                result = digits / PowerOfTen(-scale);
            }
            else if (scale > 280)
            {
                // Bring the digits down to one before the point first, so that a result near double.MaxValue
                // does not overflow on the way.
                int places = 0;
                for (long m = mantissa; m >= 10; m /= 10)
                {
                    places++;
                }

                result = digits / Powers[places] * PowerOfTen(scale + places);
            }
            else
            {
                result = digits * PowerOfTen(scale);
            }

            if (negative)
            {
                result = -result;
            }

            if (double.IsInfinity(result))
            {
                _pos = start;
                return Fail("number out of range");
            }

            value = result;
            return true;
        }

        // Exact doubles; System.Math is a separate package on nanoFramework, and these are all the parser needs.
        private static readonly double[] Powers =
        {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
            1e20, 1e21, 1e22,
        };

        /// <summary>10^n for n ≥ 0: exact up to 22, then in steps of 10^22 (infinity once beyond double range).</summary>
        private static double PowerOfTen(int n)
        {
            double result = 1;
            while (n > 22)
            {
                result *= 1e22;
                n -= 22;
                if (double.IsInfinity(result))
                {
                    return result;
                }
            }

            return result * Powers[n];
        }

        private static void AddDigit(int d, ref long mantissa, ref int significant, ref int decimalShift, bool fraction)
        {
            // Keep 18 significant digits exactly in a long (one rounding when it becomes a double); count the rest
            // as a power of ten.
            if (significant < 18)
            {
                if (mantissa != 0 || d != 0)
                {
                    significant++;
                }

                mantissa = (mantissa * 10) + d;
                if (fraction)
                {
                    decimalShift--;
                }
            }
            else if (!fraction)
            {
                decimalShift++;
            }
        }
    }
}
