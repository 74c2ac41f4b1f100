namespace Gate.Contracts.Json
{
    /// <summary>
    /// Strict UTF-8 by hand, so that the firmware and the server agree byte for byte: nanoFramework's
    /// Encoding.UTF8 and desktop .NET differ on invalid input (replacement vs exception vs silent drop).
    /// Decoding rejects overlong forms, encoded surrogates, code points above U+10FFFF and cut sequences.
    /// Encoding turns a lone surrogate into U+FFFD, so whatever is encoded is valid UTF-8.
    /// </summary>
    public static class Utf8Text
    {
        /// <summary>Decodes bytes[offset..offset+count) to a string; false (text null) on any invalid sequence. Never throws.</summary>
        public static bool TryDecode(byte[] bytes, int offset, int count, out string text)
        {
            text = null;
            if (bytes == null || offset < 0 || count < 0 || offset > bytes.Length - count)
            {
                return false;
            }

            char[] chars = new char[count];
            int n = 0;
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int b0 = bytes[i];
                if (b0 < 0x80)
                {
                    chars[n++] = (char)b0;
                    i++;
                    continue;
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
                    return false;
                }

                if (end - i - 1 < need)
                {
                    return false;
                }

                for (int k = 1; k <= need; k++)
                {
                    int b = bytes[i + k];
                    if ((b & 0xC0) != 0x80)
                    {
                        return false;
                    }

                    cp = (cp << 6) | (b & 0x3F);
                }

                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                {
                    return false;
                }

                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)cp;
                }

                i += need + 1;
            }

            text = new string(chars, 0, n);
            return true;
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
                int c = text[i];
                if (c < 0x80)
                {
                    bytes[n++] = (byte)c;
                    continue;
                }

                if (c < 0x800)
                {
                    bytes[n++] = (byte)(0xC0 | (c >> 6));
                    bytes[n++] = (byte)(0x80 | (c & 0x3F));
                    continue;
                }

                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < len && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    int cp = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                    bytes[n++] = (byte)(0xF0 | (cp >> 18));
                    bytes[n++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    bytes[n++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    bytes[n++] = (byte)(0x80 | (cp & 0x3F));
                    continue;
                }

                if (c >= 0xD800 && c <= 0xDFFF)
                {
                    c = 0xFFFD;
                }

                bytes[n++] = (byte)(0xE0 | (c >> 12));
                bytes[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                bytes[n++] = (byte)(0x80 | (c & 0x3F));
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
                int c = text[i];
                if (c < 0x80)
                {
                    count += 1;
                }
                else if (c < 0x800)
                {
                    count += 2;
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < len && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    count += 4;
                    i++;
                }
                else
                {
                    count += 3;
                }
            }

            return count;
        }
    }
}
