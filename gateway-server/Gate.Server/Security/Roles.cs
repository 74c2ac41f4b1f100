namespace Gate.Server.Security;

/// <summary>The roles of people and programs, and the policies endpoints ask for.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Technician = "technician";
    public const string DutyOfficer = "duty_officer";
    public const string Viewer = "viewer";

    /// <summary>A district's education office: reads everything a viewer reads and enters its schools' figures for the monthly return.</summary>
    public const string EducationOffice = "education_office";

    public static readonly string[] All = [Admin, Technician, DutyOfficer, Viewer, EducationOffice];

    public static bool IsKnown(string role) => All.Contains(role);
}

public static class Policies
{
    /// <summary>Anyone signed in: reading state.</summary>
    public const string View = "view";

    /// <summary>Acknowledging and resolving alarms.</summary>
    public const string HandleAlarms = "handle-alarms";

    /// <summary>Registering devices and sending commands to them.</summary>
    public const string OperateDevices = "operate-devices";

    /// <summary>Entering schools' figures for the monthly return and closing a month.</summary>
    public const string EnterReturns = "enter-returns";

    /// <summary>People, keys, schools, broker credentials.</summary>
    public const string Administer = "administer";
}
