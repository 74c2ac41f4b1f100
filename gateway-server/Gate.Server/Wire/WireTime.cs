using System.Globalization;
using Gate.Contracts;

namespace Gate.Server.Wire;

/// <summary>
/// The wire's UTC time form on the server: "2026-11-23T07:16:41Z" or with 1..3 fraction digits, years
/// 1970..2999 (docs/protocol.md). Independent of the portable <see cref="UtcTime"/>; the vectors hold them together.
/// </summary>
public static class WireTime
{
    public static bool TryParse(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = UtcTime.NotSet;
        if (text.Length is < 20 or > 24
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
            if (text[19] != '.' || text[^1] != 'Z' || text.Length == 21)
            {
                return false;
            }

            ReadOnlySpan<char> fraction = text[20..^1];
            if (!TryDigits(fraction, out ms))
            {
                return false;
            }

            for (int i = fraction.Length; i < 3; i++)
            {
                ms *= 10;
            }
        }

        if (!TryDigits(text[..4], out int year) || !TryDigits(text[5..7], out int month) || !TryDigits(text[8..10], out int day)
            || !TryDigits(text[11..13], out int hour) || !TryDigits(text[14..16], out int minute) || !TryDigits(text[17..19], out int second))
        {
            return false;
        }

        if (year is < UtcTime.MinYear or > UtcTime.MaxYear || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utc = new DateTime(year, month, day, hour, minute, second, ms, DateTimeKind.Utc);
        return true;
    }

    /// <summary>The wire form; ".fff" only when the millisecond is not zero, sub-milliseconds dropped.</summary>
    public static string Format(DateTime utc)
    {
        string seconds = utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        return utc.Millisecond == 0
            ? seconds + "Z"
            : seconds + "." + utc.Millisecond.ToString("000", CultureInfo.InvariantCulture) + "Z";
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
