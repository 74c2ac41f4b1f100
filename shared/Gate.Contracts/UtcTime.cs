using System;

namespace Gate.Contracts
{
    /// <summary>
    /// UTC times on the wire: "2026-11-23T07:16:41Z", or with 1 to 3 fraction digits ("...41.25Z"). Written by
    /// hand because DateTime.Parse and ToString("o") behave differently on nanoFramework. Years 1970..2999
    /// only: nanoFramework's DateTime ends in 3000, and a time before 1970 can only be a clock that was never set
    /// (those travel as null, see <see cref="IsSet"/>).
    /// </summary>
    public static class UtcTime
    {
        public const int MinYear = 1970;
        public const int MaxYear = 2999;

        private const long TicksPerMillisecond = 10000;
        private const long TicksPerSecond = 10000000;
        private const long TicksPerDay = 864000000000;

        // 1970-01-01T00:00:00Z in DateTime ticks (the same origin on both runtimes).
        private const long UnixEpochTicks = 621355968000000000;

        /// <summary>What a message carries when the device clock is not set ("ts": null).</summary>
        public static readonly DateTime NotSet = DateTime.MinValue;

        /// <summary>True when t is a time the wire can carry (1970 or later); false for NotSet and other unset clocks.</summary>
        public static bool IsSet(DateTime t)
        {
            return t.Ticks >= UnixEpochTicks;
        }

        /// <summary>yyyy-MM-ddTHH:mm:ssZ, with .fff only when the millisecond is not zero. Sub-milliseconds are dropped.</summary>
        public static string Format(DateTime utc)
        {
            char[] c = new char[24];
            int ms = utc.Millisecond;
            Put(c, 0, utc.Year, 4);
            c[4] = '-';
            Put(c, 5, utc.Month, 2);
            c[7] = '-';
            Put(c, 8, utc.Day, 2);
            c[10] = 'T';
            Put(c, 11, utc.Hour, 2);
            c[13] = ':';
            Put(c, 14, utc.Minute, 2);
            c[16] = ':';
            Put(c, 17, utc.Second, 2);
            if (ms == 0)
            {
                c[19] = 'Z';
                return new string(c, 0, 20);
            }

            c[19] = '.';
            Put(c, 20, ms, 3);
            c[23] = 'Z';
            return new string(c, 0, 24);
        }

        /// <summary>Parses exactly the wire form (upper-case T and Z, no offset, 0..3 fraction digits). Never throws.</summary>
        public static bool TryParse(string text, out DateTime utc)
        {
            utc = NotSet;
            if (text == null || text.Length < 20 || text.Length > 24)
            {
                return false;
            }

            int year = Digits(text, 0, 4);
            int month = Digits(text, 5, 2);
            int day = Digits(text, 8, 2);
            int hour = Digits(text, 11, 2);
            int minute = Digits(text, 14, 2);
            int second = Digits(text, 17, 2);
            if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0
                || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
            {
                return false;
            }

            int ms = 0;
            if (text.Length == 20)
            {
                if (text[19] != 'Z')
                {
                    return false;
                }
            }
            else
            {
                int fractionDigits = text.Length - 21;
                if (text[19] != '.' || text[text.Length - 1] != 'Z' || fractionDigits < 1)
                {
                    return false;
                }

                ms = Digits(text, 20, fractionDigits);
                if (ms < 0)
                {
                    return false;
                }

                for (int i = fractionDigits; i < 3; i++)
                {
                    ms *= 10;
                }
            }

            long ticks;
            if (!TryTicks(year, month, day, hour, minute, second, ms, out ticks))
            {
                return false;
            }

            utc = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }

        /// <summary>DateTime ticks for a UTC calendar time, or false if any part is out of range.</summary>
        public static bool TryTicks(int year, int month, int day, int hour, int minute, int second, int millisecond, out long ticks)
        {
            ticks = 0;
            if (year < MinYear || year > MaxYear || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59
                || millisecond < 0 || millisecond > 999)
            {
                return false;
            }

            // Days from civil (Howard Hinnant), relative to 1970-01-01.
            int y = month <= 2 ? year - 1 : year;
            int era = y / 400;
            int yoe = y - (era * 400);
            int mp = month > 2 ? month - 3 : month + 9;
            int doy = ((153 * mp) + 2) / 5 + day - 1;
            int doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
            long days = ((long)era * 146097) + doe - 719468;
            ticks = UnixEpochTicks + (days * TicksPerDay) + (hour * 3600L + minute * 60L + second) * TicksPerSecond
                + (millisecond * TicksPerMillisecond);
            return true;
        }

        public static int DaysInMonth(int year, int month)
        {
            if (month == 2)
            {
                bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
                return leap ? 29 : 28;
            }

            return (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
        }

        private static int Digits(string s, int start, int count)
        {
            int v = 0;
            for (int i = start; i < start + count; i++)
            {
                char c = s[i];
                if (c < '0' || c > '9')
                {
                    return -1;
                }

                v = (v * 10) + (c - '0');
            }

            return v;
        }

        private static void Put(char[] c, int at, int value, int width)
        {
            for (int i = at + width - 1; i >= at; i--)
            {
                c[i] = (char)('0' + (value % 10));
                value /= 10;
            }
        }
    }
}
