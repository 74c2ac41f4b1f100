using System.Globalization;
using FsCheck;
using FsCheck.Xunit;

namespace Gate.Contracts.Tests;

public class UtcTimeTests
{
    [Theory]
    [InlineData(2026, 11, 23, 7, 16, 41, 0, "2026-11-23T07:16:41Z")]
    [InlineData(2026, 11, 23, 7, 16, 41, 5, "2026-11-23T07:16:41.005Z")]
    [InlineData(1970, 1, 1, 0, 0, 0, 0, "1970-01-01T00:00:00Z")]
    [InlineData(2999, 12, 31, 23, 59, 59, 999, "2999-12-31T23:59:59.999Z")]
    [InlineData(2028, 2, 29, 12, 0, 0, 100, "2028-02-29T12:00:00.100Z")]
    public void Format_UtcTime_IsTheWireForm(int y, int mo, int d, int h, int mi, int s, int ms, string expected)
    {
        var t = new DateTime(y, mo, d, h, mi, s, ms, DateTimeKind.Utc);
        Assert.Equal(expected, UtcTime.Format(t));
        Assert.Equal(expected, WireTime.Format(t));
        Assert.True(UtcTime.TryParse(expected, out var back));
        Assert.Equal(t, back);
        Assert.Equal(DateTimeKind.Utc, back.Kind);
    }

    [Fact]
    public void Format_DropsSubMilliseconds()
    {
        var t = new DateTime(2026, 11, 23, 7, 16, 41, 250, DateTimeKind.Utc).AddTicks(9999);
        Assert.Equal("2026-11-23T07:16:41.250Z", UtcTime.Format(t));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-11-23T07:16:41")]
    [InlineData("2026-11-23T07:16:41+00:00")]
    [InlineData("2026-11-23t07:16:41Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-00-01T00:00:00Z")]
    [InlineData("2026-04-31T00:00:00Z")]
    [InlineData("2100-02-29T00:00:00Z")]
    [InlineData("2026-11-23T07:60:00Z")]
    [InlineData("2026-11-23T07:16:41.Z")]
    [InlineData("2026-11-23T07:16:41.1234Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("3000-01-01T00:00:00Z")]
    [InlineData(" 2026-11-23T07:16:41Z")]
    [InlineData("2026-11-23T07:16:4aZ")]
    [InlineData("-026-11-23T07:16:41Z")]
    public void TryParse_NotTheWireForm_IsRefused(string? text)
    {
        Assert.False(UtcTime.TryParse(text!, out var t));
        Assert.Equal(UtcTime.NotSet, t);
        Assert.False(WireTime.TryParse(text, out _));
    }

    [Fact]
    public void IsSet_NotSetAndPre1970_AreUnset()
    {
        Assert.False(UtcTime.IsSet(UtcTime.NotSet));
        Assert.False(UtcTime.IsSet(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc)));
        Assert.True(UtcTime.IsSet(new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Property(MaxTest = 500)]
    public void FormatThenParse_AnyInstantInRange_RoundTripsToTheMillisecond(PositiveInt seconds, byte ms)
    {
        // Anywhere in 1970..2999, against the BCL's own ISO 8601 reading.
        long span = (new DateTime(2999, 12, 31, 23, 59, 59, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        var t = DateTime.UnixEpoch.AddSeconds((long)seconds.Get * 104729 % span).AddMilliseconds(ms * 3 % 1000);
        string text = UtcTime.Format(t);
        Assert.Equal(t.ToString(t.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), text);
        Assert.True(UtcTime.TryParse(text, out var back));
        Assert.Equal(t, back);
        Assert.True(WireTime.TryParse(text, out var server));
        Assert.Equal(t, server);
    }
}
