namespace Gate.Server.Tests;

/// <summary>The province the return tests report on, on a fixed fake clock.</summary>
internal static class ReturnsProvince
{
    /// <summary>2026-10-15 in Zhengzhou; the factory's clock is fake, so "this month" is fixed.</summary>
    public static readonly DateTimeOffset October = new(2026, 10, 15, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Two cities of Henan with the districts the tests' schools are in.</summary>
    public static readonly Dictionary<string, string?> Henan = new()
    {
        ["Returns:Province"] = "河南省",
        ["Returns:Cities:0:Name"] = "郑州",
        ["Returns:Cities:0:Districts:0"] = "金水区",
        ["Returns:Cities:0:Districts:1"] = "二七区",
        ["Returns:Cities:1:Name"] = "开封",
        ["Returns:Cities:1:Districts:0"] = "龙亭区",
    };
}
