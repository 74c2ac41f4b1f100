using System.Globalization;

namespace Gate.Server.Storage;

/// <summary>Times are stored as ISO 8601 UTC text with milliseconds, so they sort and compare as strings.</summary>
public static class StoredTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Format(DateTimeOffset? value) => value is { } v ? Format(v) : null;

    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseOrNull(object? value) =>
        value is string s && s.Length > 0 ? Parse(s) : null;
}
