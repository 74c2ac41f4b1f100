namespace Gate.Server.Returns;

/// <summary>A city of the return and the districts (区/县) that report under it.</summary>
public sealed class ReturnCityOption
{
    public string Name { get; set; } = "";

    public string[] Districts { get; set; } = [];
}

/// <summary>Settings of the monthly return (section "Returns").</summary>
public sealed class ReturnsOptions
{
    public const string Section = "Returns";

    /// <summary>The province's name on the total row and the sheet's title; empty prints "合计" alone.</summary>
    public string Province { get; set; } = "";

    /// <summary>
    /// The cities in the order the return lists them, each with its districts. A school's district not listed here is
    /// a row of its own at city level (as the annex lists 巩义, 兰考 and the other directly administered counties).
    /// </summary>
    public ReturnCityOption[] Cities { get; set; } = [];

    /// <summary>
    /// A campus counts as "one-button alarm linked to the police" when a controller is online and the police
    /// acknowledged one of its alarms or tests at most this many days ago.
    /// </summary>
    public int LinkValidityDays { get; set; } = 30;

    /// <summary>The offices' clock, for which month is "this month" (China Standard Time, UTC+8).</summary>
    public int UtcOffsetHours { get; set; } = 8;
}
