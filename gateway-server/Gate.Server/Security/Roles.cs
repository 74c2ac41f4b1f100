namespace Gate.Server.Security;

/// <summary>The four roles of people and programs, and the policies endpoints ask for.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Technician = "technician";
    public const string DutyOfficer = "duty_officer";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Admin, Technician, DutyOfficer, Viewer];

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

    /// <summary>People, keys, schools, broker credentials.</summary>
    public const string Administer = "administer";
}
