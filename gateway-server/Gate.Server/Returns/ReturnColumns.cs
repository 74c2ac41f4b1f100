namespace Gate.Server.Returns;

/// <summary>How a column gets its figure: Gate measures it from the devices, or a person enters it per school.</summary>
public static class ColumnSource
{
    public const string Measured = "measured";
    public const string Entered = "entered";
}

/// <summary>
/// One column of the return: its key in the API, its group (the annex's first heading row) and heading (second row),
/// in Chinese as printed and in English for the English page. Every column counts campuses (所), so a school's figure is
/// yes or no and a district's is how many of its schools say yes.
/// </summary>
public sealed record ReturnColumn(string Key, string GroupZh, string GroupEn, string HeadingZh, string HeadingEn, string Source)
{
    public string Group(bool english) => english ? GroupEn : GroupZh;

    public string Heading(bool english) => english ? HeadingEn : HeadingZh;
}

/// <summary>
/// The columns of Henan's "全省学校安全防范建设情况统计表" (教办〔2017〕830号, annex 1) in its order and words, grouped by
/// the notice's own 人防/物防/技防, then the Zhengzhou monthly progress report's columns the annex lacks (traffic
/// facilities, video linked to the police, national standard) and the monthly drill. The first column, the number of
/// campuses, is the registry's; the three Gate can prove are measured; every other one is entered per school.
/// </summary>
public static class ReturnColumns
{
    public const string Campuses = "campuses";
    public const string Guards = "guards";
    public const string ProtectiveEquipment = "protectiveEquipment";
    public const string ClosedManagement = "closedManagement";
    public const string AntiRam = "antiRam";
    public const string GateCameras = "gateCameras";
    public const string PanicAlarmLinked = "panicAlarmLinked";
    public const string TrafficFacilities = "trafficFacilities";
    public const string VideoLinked = "videoLinked";
    public const string NationalStandard = "nationalStandard";
    public const string Drill = "drill";

    public static readonly IReadOnlyList<ReturnColumn> All =
    [
        new(Campuses, "校园总数", "Campuses", "校园总数", "Campuses", ColumnSource.Measured),
        new(Guards, "人防", "Staffing", "已配备保安员的校园数", "Campuses with security guards", ColumnSource.Entered),
        new(ProtectiveEquipment, "物防", "Physical protection", "已配齐防护装备的校园数", "Campuses fully equipped with protective gear", ColumnSource.Entered),
        new(ClosedManagement, "物防", "Physical protection", "实现封闭式管理校园数", "Campuses under closed management", ColumnSource.Entered),
        new(AntiRam, "物防", "Physical protection", "已安装硬质防冲撞设施校园数", "Campuses with hard anti-ram facilities", ColumnSource.Measured),
        new(GateCameras, "技防", "Technical protection", "在大门口等重要部位安装探头校园数", "Campuses with cameras at the gate and key places", ColumnSource.Entered),
        new(PanicAlarmLinked, "技防", "Technical protection", "安装一键式报警装置并与公安机关联网校园数", "Campuses with a one-button alarm linked to the police", ColumnSource.Measured),
        new(TrafficFacilities, "月报补充项", "Monthly report additions", "已在校园周边安装交通设施校园数", "Campuses with traffic facilities around them", ColumnSource.Entered),
        new(VideoLinked, "月报补充项", "Monthly report additions", "视频监控与公安机关联网校园数", "Campuses with video linked to the police", ColumnSource.Entered),
        new(NationalStandard, "月报补充项", "Monthly report additions", "国家标准已达标的校园数", "Campuses meeting the national standard", ColumnSource.Entered),
        // The directives' monthly drill, proven like the alarm link: a drill-mode alarm of the month the police acknowledged.
        new(Drill, "月报补充项", "Monthly report additions", "本月开展演练并经公安确认的校园数", "Campuses with a police-acknowledged drill this month", ColumnSource.Measured),
    ];

    public static ReturnColumn? Find(string key) => All.FirstOrDefault(c => c.Key == key);

    public static IEnumerable<ReturnColumn> Entered => All.Where(c => c.Source == ColumnSource.Entered);
}
