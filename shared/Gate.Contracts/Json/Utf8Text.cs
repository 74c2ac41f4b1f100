using System.Text;

namespace Gate.Contracts.Json
{
    /// <summary>
    /// Strict UTF-8, validated by hand so that the firmware and the server agree byte for byte: nanoFramework's
    /// Encoding.UTF8 and desktop .NET differ on invalid input (replacement vs exception vs silent drop), so only
    /// bytes already known to be valid reach Encoding.UTF8.GetString. Decoding rejects overlong forms, encoded
    /// surrogates, code points above U+10FFFF and cut sequences. Strings are only ever built from UTF-8 bytes,
    /// never from UTF-16 halves: nanoFramework keeps strings as UTF-8 and a string assembled from the two halves
    /// of a surrogate pair reads back wrong there. Encoding turns a lone surrogate into U+FFFD, so whatever is
    /// encoded is valid UTF-8.
    /// </summary>
    public static class Utf8Text
    {
        /// <summary>
        /// Decodes bytes[offset..offset+count) to a string; false (text null) on any invalid sequence and on a NUL
        /// byte (a nanoFramework string ends at the first NUL, so the text would be silently cut). Never throws.
        /// </summary>
        public static bool TryDecode(byte[] bytes, int offset, int count, out string text)
        {
            text = null;
            if (bytes == null || offset < 0 || count < 0 || offset > bytes.Length - count)
            {
                return false;
            }

            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int b = bytes[i];
                if (b == 0)
                {
                    return false;
                }

                if (b < 0x80)
                {
                    i++;
                    continue;
                }

                int n = SequenceLength(bytes, i, end);
                if (n == 0)
                {
                    return false;
                }

                i += n;
            }

            text = Encoding.UTF8.GetString(bytes, offset, count);
            return true;
        }

        /// <summary>
        /// The length (1 to 4) of the valid UTF-8 sequence starting at bytes[index], reading no further than end;
        /// 0 if it is invalid (a stray continuation byte, overlong, an encoded surrogate, beyond U+10FFFF, cut).
        /// </summary>
        public static int SequenceLength(byte[] bytes, int index, int end)
        {
            int b0 = bytes[index];
            if (b0 < 0x80)
            {
                return 1;
            }

            int need;
            int cp;
            int min;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                need = 1;
                cp = b0 & 0x1F;
                min = 0x80;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                need = 2;
                cp = b0 & 0x0F;
                min = 0x800;
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                need = 3;
                cp = b0 & 0x07;
                min = 0x10000;
            }
            else
            {
                return 0;
            }

            if (end - index - 1 < need)
            {
                return 0;
            }

            for (int k = 1; k <= need; k++)
            {
                int b = bytes[index + k];
                if ((b & 0xC0) != 0x80)
                {
                    return 0;
                }

                cp = (cp << 6) | (b & 0x3F);
            }

            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            {
                return 0;
            }

            return need + 1;
        }

        /// <summary>Writes a code point (not a surrogate) as 1 to 4 UTF-8 bytes at buffer[index]; returns how many.</summary>
        public static int EncodeCodePoint(int cp, byte[] buffer, int index)
        {
            if (cp < 0x80)
            {
                buffer[index] = (byte)cp;
                return 1;
            }

            if (cp < 0x800)
            {
                buffer[index] = (byte)(0xC0 | (cp >> 6));
                buffer[index + 1] = (byte)(0x80 | (cp & 0x3F));
                return 2;
            }

            if (cp < 0x10000)
            {
                buffer[index] = (byte)(0xE0 | (cp >> 12));
                buffer[index + 1] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                buffer[index + 2] = (byte)(0x80 | (cp & 0x3F));
                return 3;
            }

            buffer[index] = (byte)(0xF0 | (cp >> 18));
            buffer[index + 1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
            buffer[index + 2] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            buffer[index + 3] = (byte)(0x80 | (cp & 0x3F));
            return 4;
        }

        /// <summary>Encodes a string as UTF-8; null gives an empty array. Lone surrogates become U+FFFD.</summary>
        public static byte[] Encode(string text)
        {
            if (text == null)
            {
                return new byte[0];
            }

            byte[] bytes = new byte[ByteCount(text)];
            int n = 0;
            int len = text.Length;
            for (int i = 0; i < len; i++)
            {
                int cp = CodePoint(text[i], i + 1 < len ? text[i + 1] : -1);
                n += EncodeCodePoint(cp, bytes, n);
                if (cp > 0xFFFF)
                {
                    i++; // a surrogate pair: two chars, one code point
                }
            }

            return bytes;
        }

        /// <summary>Encodes a StringBuilder's text as UTF-8 without first making it a string (see Encode(string)).</summary>
        public static byte[] Encode(StringBuilder text)
        {
            // The same loops as for a string: nanoFramework has no common interface over string and StringBuilder
            // (no IEnumerable of char, no Span), so each gets its own, both on CodePoint and Width.
            int len = text.Length;
            int count = 0;
            for (int i = 0; i < len; i++)
            {
                int cp = CodePoint(text[i], i + 1 < len ? text[i + 1] : -1);
                count += Width(cp);
                if (cp > 0xFFFF)
                {
                    i++;
                }
            }

            byte[] bytes = new byte[count];
            int n = 0;
            for (int i = 0; i < len; i++)
            {
                int cp = CodePoint(text[i], i + 1 < len ? text[i + 1] : -1);
                n += EncodeCodePoint(cp, bytes, n);
                if (cp > 0xFFFF)
                {
                    i++;
                }
            }

            return bytes;
        }

        /// <summary>The number of bytes Encode will produce.</summary>
        public static int ByteCount(string text)
        {
            if (text == null)
            {
                return 0;
            }

            int count = 0;
            int len = text.Length;
            for (int i = 0; i < len; i++)
            {
                int cp = CodePoint(text[i], i + 1 < len ? text[i + 1] : -1);
                count += Width(cp);
                if (cp > 0xFFFF)
                {
                    i++;
                }
            }

            return count;
        }

        /// <summary>
        /// The code point that starts at char c (next is the char after it, or -1): a high surrogate followed by a
        /// low one gives the pair's code point (above U+FFFF, so the caller skips next); a lone surrogate gives U+FFFD.
        /// </summary>
        private static int CodePoint(int c, int next)
        {
            if (c < 0xD800 || c > 0xDFFF)
            {
                return c;
            }

            if (c <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF)
            {
                return 0x10000 + ((c - 0xD800) << 10) + (next - 0xDC00);
            }

            return 0xFFFD;
        }

        /// <summary>How many UTF-8 bytes a code point takes.</summary>
        private static int Width(int cp)
        {
            return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
    }
}
