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
    /// A JSON string that holds U+0000 (written <c>\u0000</c>). It is never turned into a string: nanoFramework
    /// strings end at the first NUL, so <c>"gate\u0000-01"</c> would silently become <c>"gate"</c> on the device
    /// while the server sees all of it. The reader hands this instead; a field that wants a string refuses it as a
    /// bad value, as the server does, and an unknown field carrying it is ignored, as the server does. Equal by
    /// content, so a duplicate key holding a NUL is still a duplicate.
    /// </summary>
    public sealed class JsonNulText
    {
        private readonly byte[] _utf8;

        internal JsonNulText(byte[] utf8)
        {
            _utf8 = utf8;
        }

        /// <summary>The UTF-8 bytes of the text, NUL included.</summary>
        public int Length
        {
            get { return _utf8.Length; }
        }

        public override bool Equals(object obj)
        {
            JsonNulText other = obj as JsonNulText;
            if (other == null || other._utf8.Length != _utf8.Length)
            {
                return false;
            }

            for (int i = 0; i < _utf8.Length; i++)
            {
                if (other._utf8[i] != _utf8[i])
                {
                    return false;
                }
            }

            return true;
        }

        public override int GetHashCode()
        {
            int h = 17;
            for (int i = 0; i < _utf8.Length; i++)
            {
                h = (h * 31) + _utf8[i];
            }

            return h;
        }
    }

    /// <summary>
    /// A strict RFC 8259 JSON parser that runs on nanoFramework. It reads the UTF-8 bytes themselves and produces:
    /// object → Hashtable (string keys), array → ArrayList, string → string, integer → long (a number without
    /// fraction or exponent that fits a signed 64-bit integer), other numbers → double, true/false → bool,
    /// and null → the sentinel <see cref="Null"/>; a string holding U+0000 → <see cref="JsonNulText"/>.
    /// <para>
    /// Every string is built by Encoding.UTF8.GetString over validated UTF-8 bytes (escapes decoded to UTF-8
    /// first, an escaped surrogate pair to its 4-byte form), never from UTF-16 halves: nanoFramework keeps strings
    /// as UTF-8, and a string assembled from the two halves of an emoji reads back wrong there.
    /// </para>
    /// <para>
    /// Null versus missing: a Hashtable's indexer returns C# null for a key that is absent, and
    /// <see cref="Null"/> (never C# null) for a key whose value is JSON null. <see cref="IsNull"/> tests for it.
    /// </para>
    /// <para>
    /// It rejects, with a short English reason and the byte position: trailing data after the value (a trailing
    /// NUL too), nesting deeper than the limit (the outermost object or array is depth 1), a duplicate key in one
    /// object (compared after unescaping), invalid UTF-8 (overlong, encoded surrogates, beyond U+10FFFF, cut),
    /// lone or reversed escaped surrogates, raw control characters (NUL included) in strings, leading zeros,
    /// comments, trailing commas, and anything else outside the grammar. It never throws.
    /// </para>
    /// </summary>
    public sealed class JsonReader
    {
        /// <summary>The value of a JSON null.</summary>
        public static readonly JsonNull Null = new JsonNull();

        /// <summary>Hard cap for the depth a caller may ask for: the parser recurses once per level.</summary>
        public const int MaxAllowedDepth = 64;

        private readonly byte[] _bytes;
        private readonly int _start;
        private readonly int _end;
        private readonly int _maxDepth;
        private int _pos;
        private string _error;

        private JsonReader(byte[] bytes, int offset, int count, int maxDepth)
        {
            _bytes = bytes;
            _start = offset;
            _end = offset + count;
            _pos = offset;
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

        /// <summary>Parses one JSON value held in a string (its UTF-8 encoding), allowing nesting up to maxDepth.</summary>
        public static bool TryParse(string text, int maxDepth, out object value, out string error)
        {
            value = null;
            if (text == null)
            {
                error = "no text";
                return false;
            }

            // Utf8Text.Encode would turn a lone surrogate into U+FFFD; the text is refused instead, as its bytes would be.
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    i++;
                }
                else if (c >= 0xD800 && c <= 0xDFFF)
                {
                    error = "lone surrogate at " + i.ToString();
                    return false;
                }
            }

            byte[] bytes = Utf8Text.Encode(text);
            return TryParseUtf8(bytes, 0, bytes.Length, maxDepth, out value, out error);
        }

        /// <summary>Parses one JSON value from the UTF-8 bytes bytes[offset..offset+count), nesting up to maxDepth.</summary>
        public static bool TryParseUtf8(byte[] bytes, int offset, int count, int maxDepth, out object value, out string error)
        {
            value = null;
            if (bytes == null || offset < 0 || count < 0 || offset > bytes.Length - count)
            {
                error = "no text";
                return false;
            }

            if (maxDepth < 1 || maxDepth > MaxAllowedDepth)
            {
                error = "depth limit out of range";
                return false;
            }

            JsonReader reader = new JsonReader(bytes, offset, count, maxDepth);
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
                if (reader._pos != reader._end)
                {
                    error = "unexpected data after the value at " + (reader._pos - offset).ToString();
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

        private bool Fail(string what)
        {
            if (_error == null)
            {
                _error = what + " at " + (_pos - _start).ToString();
            }

            return false;
        }

        private void SkipWhitespace()
        {
            while (_pos < _end)
            {
                int c = _bytes[_pos];
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
            if (_pos >= _end)
            {
                return Fail("unexpected end");
            }

            int c = _bytes[_pos];
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
                return ParseString(out value);
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
            if (_end - _pos < word.Length)
            {
                return false;
            }

            for (int i = 0; i < word.Length; i++)
            {
                if (_bytes[_pos + i] != word[i])
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
            if (_pos < _end && _bytes[_pos] == '}')
            {
                _pos++;
                value = table;
                return true;
            }

            while (true)
            {
                SkipWhitespace();
                if (_pos >= _end || _bytes[_pos] != '"')
                {
                    return Fail("expected a property name");
                }

                int keyAt = _pos;
                object key;
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
                if (_pos >= _end || _bytes[_pos] != ':')
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
                if (_pos >= _end)
                {
                    return Fail("unexpected end");
                }

                int c = _bytes[_pos];
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
            if (_pos < _end && _bytes[_pos] == ']')
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
                if (_pos >= _end)
                {
                    return Fail("unexpected end");
                }

                int c = _bytes[_pos];
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

        /// <summary>A string (or a <see cref="JsonNulText"/>), built only from validated UTF-8 bytes.</summary>
        private bool ParseString(out object value)
        {
            value = null;
            _pos++; // opening quote
            int start = _pos;

            // First pass: find the closing quote, refuse raw control characters (NUL too) and invalid UTF-8.
            bool escaped = false;
            int close = -1;
            int p = start;
            while (p < _end)
            {
                int b = _bytes[p];
                if (b == '"')
                {
                    close = p;
                    break;
                }

                if (b < 0x20)
                {
                    _pos = p;
                    return Fail("control character in string");
                }

                if (b == '\\')
                {
                    escaped = true;
                    p += 2;
                    continue;
                }

                if (b < 0x80)
                {
                    p++;
                    continue;
                }

                int n = Utf8Text.SequenceLength(_bytes, p, _end);
                if (n == 0)
                {
                    _pos = p;
                    return Fail("invalid UTF-8");
                }

                p += n;
            }

            if (close < 0)
            {
                _pos = _end;
                return Fail("unterminated string");
            }

            if (!escaped)
            {
                // The common case: the bytes between the quotes are the string's UTF-8.
                value = Encoding.UTF8.GetString(_bytes, start, close - start);
                _pos = close + 1;
                return true;
            }

            // Escapes never grow: \n is 2 bytes for 1, \uXXXX 6 for at most 3, a \uXXXX\uXXXX pair 12 for 4.
            byte[] utf8 = new byte[close - start];
            int length = 0;
            bool nul = false;
            _pos = start;
            while (_pos < close)
            {
                int b = _bytes[_pos];
                if (b != '\\')
                {
                    utf8[length++] = (byte)b;
                    _pos++;
                    continue;
                }

                int e = _bytes[_pos + 1];
                _pos += 2;
                int cp;
                switch (e)
                {
                    case '"':
                        cp = '"';
                        break;
                    case '\\':
                        cp = '\\';
                        break;
                    case '/':
                        cp = '/';
                        break;
                    case 'b':
                        cp = 0x08;
                        break;
                    case 'f':
                        cp = 0x0C;
                        break;
                    case 'n':
                        cp = 0x0A;
                        break;
                    case 'r':
                        cp = 0x0D;
                        break;
                    case 't':
                        cp = 0x09;
                        break;
                    case 'u':
                        cp = ReadHex4(close);
                        if (cp < 0)
                        {
                            return Fail("bad \\u escape");
                        }

                        if (cp >= 0xDC00 && cp <= 0xDFFF)
                        {
                            return Fail("lone surrogate");
                        }

                        if (cp >= 0xD800 && cp <= 0xDBFF)
                        {
                            if (close - _pos < 2 || _bytes[_pos] != '\\' || _bytes[_pos + 1] != 'u')
                            {
                                return Fail("lone surrogate");
                            }

                            _pos += 2;
                            int low = ReadHex4(close);
                            if (low < 0xDC00 || low > 0xDFFF)
                            {
                                return Fail("lone surrogate");
                            }

                            // The pair is one code point, written as its own 4 UTF-8 bytes.
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        }

                        break;
                    default:
                        _pos--;
                        return Fail("bad escape");
                }

                if (cp == 0)
                {
                    nul = true;
                }

                length += Utf8Text.EncodeCodePoint(cp, utf8, length);
            }

            _pos = close + 1;
            if (nul)
            {
                byte[] exact = new byte[length];
                Array.Copy(utf8, exact, length);
                value = new JsonNulText(exact);
                return true;
            }

            value = Encoding.UTF8.GetString(utf8, 0, length);
            return true;
        }

        private int ReadHex4(int limit)
        {
            if (limit - _pos < 4)
            {
                return -1;
            }

            int v = 0;
            for (int i = 0; i < 4; i++)
            {
                int h = _bytes[_pos + i];
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
            if (_bytes[_pos] == '-')
            {
                negative = true;
                _pos++;
            }

            if (_pos >= _end || _bytes[_pos] < '0' || _bytes[_pos] > '9')
            {
                return Fail("bad number");
            }

            // Integer part: accumulate as a negative long so that long.MinValue fits.
            long acc = 0;
            bool overflow = false;
            int significant = 0;
            long mantissa = 0;
            int decimalShift = 0;
            if (_bytes[_pos] == '0')
            {
                _pos++;
                if (_pos < _end && _bytes[_pos] >= '0' && _bytes[_pos] <= '9')
                {
                    return Fail("leading zero");
                }
            }
            else
            {
                while (_pos < _end && _bytes[_pos] >= '0' && _bytes[_pos] <= '9')
                {
                    int d = _bytes[_pos] - '0';
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
            if (_pos < _end && _bytes[_pos] == '.')
            {
                isInteger = false;
                _pos++;
                if (_pos >= _end || _bytes[_pos] < '0' || _bytes[_pos] > '9')
                {
                    return Fail("bad number");
                }

                while (_pos < _end && _bytes[_pos] >= '0' && _bytes[_pos] <= '9')
                {
                    AddDigit(_bytes[_pos] - '0', ref mantissa, ref significant, ref decimalShift, true);
                    _pos++;
                }
            }

            int exponent = 0;
            if (_pos < _end && (_bytes[_pos] == 'e' || _bytes[_pos] == 'E'))
            {
                isInteger = false;
                _pos++;
                bool expNegative = false;
                if (_pos < _end && (_bytes[_pos] == '+' || _bytes[_pos] == '-'))
                {
                    expNegative = _bytes[_pos] == '-';
                    _pos++;
                }

                if (_pos >= _end || _bytes[_pos] < '0' || _bytes[_pos] > '9')
                {
                    return Fail("bad number");
                }

                while (_pos < _end && _bytes[_pos] >= '0' && _bytes[_pos] <= '9')
                {
                    if (exponent < 100000)
                    {
                        exponent = (exponent * 10) + (_bytes[_pos] - '0');
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
