namespace Gate.Server.Provisioning;

/// <summary>The steps of the bench acceptance test, in order (hardware/bench-test.md).</summary>
public static class AcceptanceStep
{
    public const string Online = "online";
    public const string DrillOn = "drill_on";
    public const string Press = "press";
    public const string Received = "received";
    public const string PoliceAck = "police_ack";
    public const string Light = "light";
    public const string LatchReset = "latch_reset";

    public static readonly string[] All = [Online, DrillOn, Press, Received, PoliceAck, Light, LatchReset];

    /// <summary>What the installer is asked to do while the step runs; null when there is nothing to do but wait.</summary>
    public static string? Prompt(string step) => step switch
    {
        Press => "Press the panic button at the guard's desk now.",
        Light => "Look at the guard's light: is it steady on (police acknowledged)? Confirm yes or no.",
        LatchReset => "Reset the panic button with its key.",
        _ => null,
    };
}

public static class RunResult
{
    public const string Running = "running";
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string Aborted = "aborted";
}

public static class StepResult
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

public sealed record CommissioningStep(
    int Ordinal,
    string Step,
    string Result,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMs,
    string? Detail);

/// <summary>One acceptance run: the device's commissioning record when it passed.</summary>
public sealed record CommissioningRun(
    string Id,
    string DeviceId,
    string Technician,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Result,
    string? FailedStep,
    string? Detail,
    string? AlarmId,
    IReadOnlyList<CommissioningStep> Steps)
{
    public CommissioningStep? Current => Steps.FirstOrDefault(s => s.Result == StepResult.Running);

    public string? Prompt => Result == RunResult.Running && Current is { } s ? AcceptanceStep.Prompt(s.Step) : null;
}

/// <summary>Where a device stands and whether it is still in service.</summary>
public sealed record DevicePlacement(
    string DeviceId,
    string Board,
    string Place,
    string Status,
    string? Replaces,
    string? ReplacedBy,
    string? StatusReason,
    DateTimeOffset? StatusChangedAt,
    string? StatusChangedBy,
    DateTimeOffset? CredentialIssuedAt,
    DateTimeOffset CreatedAt,
    string CreatedBy);

public static class PlacementStatus
{
    public const string Active = "active";
    public const string Replaced = "replaced";
    public const string Decommissioned = "decommissioned";
}
