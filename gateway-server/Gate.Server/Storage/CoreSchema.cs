namespace Gate.Server.Storage;

/// <summary>Schools, devices, liveness, alarms, events, commands. Versions 1-99.</summary>
public static class CoreSchema
{
    public static readonly Migration[] Migrations =
    [
    ];
}
