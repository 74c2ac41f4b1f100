using System.Globalization;

namespace Gate.Server.Forwarding;

/// <summary>Times in the forwarding tables: ISO 8601 UTC with milliseconds, like the rest of the database.</summary>
internal static class ForwardingTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseOrNull(object? value) => value is string s && s.Length > 0 ? Parse(s) : null;
}
