using System.Globalization;

namespace Gate.SiaDc09;

/// <summary>The DC-09 timestamp, <c>_HH:MM:SS,MM-DD-YYYY</c>, always UTC.</summary>
public static class SiaTimestamp
{
    public const int Length = 20;
    private const string Pattern = "'_'HH':'mm':'ss','MM'-'dd'-'yyyy";

    public static string Format(DateTimeOffset utc) =>
        utc.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset utc)
    {
        if (text.Length == Length
            && DateTime.TryParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            utc = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
            return true;
        }

        utc = default;
        return false;
    }
}
