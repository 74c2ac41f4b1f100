namespace Gate.Demo;

/// <summary>Settings of the demo: a demo school with a few gate controllers, so a newcomer sees a living system.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public string SchoolId { get; set; } = "demo-school";

    public int Devices { get; set; } = 3;

    /// <summary>Run a virtual gate controller (the real firmware core, as in gate-sim) for each demo device.</summary>
    public bool Controllers { get; set; } = true;

    /// <summary>Heartbeat interval of the virtual controllers, seconds (5-300).</summary>
    public int HeartbeatSeconds { get; set; } = 10;
}
