using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gate.Contracts;
using Gate.Server.Devices;
using Gate.Server.Events;
using Microsoft.Extensions.Options;

namespace Gate.Server.Provisioning;

/// <summary>
/// The bench acceptance test (hardware/bench-test.md): device online, drill mode on, the panic button pressed, the
/// server received the drill, the police receiver acknowledged it, the guard's light showed it, the latch reset.
/// Each step is timed and written as it changes; the finished run is the device's commissioning record. One run per
/// device at a time. Drill mode is always switched off again, whatever happened.
/// </summary>
public sealed class AcceptanceTestService(
    IAcceptanceProbe probe,
    ProvisioningStore store,
    DeviceRegistry registry,
    EventLog events,
    TimeProvider time,
    IOptions<ProvisioningOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<AcceptanceTestService> logger)
{
    /// <summary>How often a waiting step looks again. Short: the installer is standing at the gate.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, ActiveRun> _active = new(StringComparer.Ordinal);

    public Outcome<CommissioningRun> Start(string deviceId, string? technician, string actor)
    {
        var device = registry.Find(deviceId);
        if (device is null)
        {
            return Outcome<CommissioningRun>.Fail(ProvisioningError.NotFound, $"device '{deviceId}' not found");
        }

        if (!device.CanConnect)
        {
            return Outcome<CommissioningRun>.Fail(ProvisioningError.Conflict, $"device '{deviceId}' has no valid credential (revoked or never issued): it cannot be commissioned");
        }

        if (store.FindPlacement(deviceId) is { Status: not PlacementStatus.Active } placement)
        {
            return Outcome<CommissioningRun>.Fail(ProvisioningError.Conflict, $"device '{deviceId}' is {placement.Status}: it cannot be commissioned");
        }

        var who = (technician ?? "").Trim();
        if (Validation.DeviceFields.Technician.Check(who) is not null)
        {
            return Outcome<CommissioningRun>.Fail(ProvisioningError.Invalid, "technician: the name of the person at the gate is required (at most 100 characters)");
        }

        var now = time.GetUtcNow();
        var steps = AcceptanceStep.All.Select((s, i) => new CommissioningStep(i + 1, s, StepResult.Pending, null, null, null, null)).ToList();
        var run = new CommissioningRun("acc-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), deviceId, who, actor, now, null, RunResult.Running, null, null, null, steps);
        var active = new ActiveRun(run);
        if (!_active.TryAdd(deviceId, active))
        {
            return Outcome<CommissioningRun>.Fail(ProvisioningError.Conflict, $"an acceptance test of '{deviceId}' is already running ({_active[deviceId].Snapshot.Id})");
        }

        store.AddRun(run);
        events.Record("acceptance_started", deviceId, device.SchoolId, actor, $"{run.Id} by {who}");
        _ = Task.Run(() => RunAsync(active, device.SchoolId, lifetime.ApplicationStopping));
        return Outcome<CommissioningRun>.Success(run);
    }

    /// <summary>The run as it stands now: from memory while it runs, from the database after.</summary>
    public CommissioningRun? Find(string runId) =>
        _active.Values.FirstOrDefault(a => a.Snapshot.Id == runId)?.Snapshot ?? store.FindRun(runId);

    /// <summary>The technician's answer to the light step: did the guard's light show the police acknowledgement?</summary>
    public Outcome<CommissioningRun> ConfirmLight(string runId, bool seen, string actor)
    {
        var active = _active.Values.FirstOrDefault(a => a.Snapshot.Id == runId);
        if (active is null || active.Snapshot.Result != RunResult.Running)
        {
            return active is null && store.FindRun(runId) is null
                ? Outcome<CommissioningRun>.Fail(ProvisioningError.NotFound, $"acceptance run '{runId}' not found")
                : Outcome<CommissioningRun>.Fail(ProvisioningError.Conflict, $"acceptance run '{runId}' has already finished");
        }

        if (active.Snapshot.Current?.Step != AcceptanceStep.Light)
        {
            return Outcome<CommissioningRun>.Fail(ProvisioningError.Conflict, $"acceptance run '{runId}' is not waiting for the light (current step: {active.Snapshot.Current?.Step ?? "none"})");
        }

        active.LightAnswer.TrySetResult((seen, actor));
        return Outcome<CommissioningRun>.Success(active.Snapshot);
    }

    private async Task RunAsync(ActiveRun run, string schoolId, CancellationToken stopping)
    {
        var limits = options.Value.Acceptance;
        var deviceId = run.Snapshot.DeviceId;
        var actor = "acceptance:" + run.Snapshot.Technician;
        string? failedStep = null;
        string? failure = null;
        AcceptanceAlarm? drill = null;
        try
        {
            failure = await StepAsync(run, AcceptanceStep.Online, limits.OnlineSeconds, stopping, async (_, deadline) =>
            {
                string? why = null;
                var online = await WaitAsync(() => (why = probe.NotOnlineBecause(deviceId)) is null, deadline, stopping);
                return online ? Pass("online") : Fail($"the device is not online: {why}");
            });

            // A quick technician presses as soon as the gate shows drill mode, which can be before this service has
            // noted the command's result and prompted for the press: any drill since drill mode was asked for counts.
            DateTimeOffset drillRequested = default;
            failure ??= await StepAsync(run, AcceptanceStep.DrillOn, limits.DrillOnSeconds, stopping, (started, deadline) =>
            {
                drillRequested = started;
                return CommandAsync(deviceId, CommandName.DrillOn, actor, deadline, stopping);
            });

            DateTimeOffset pressPrompted = default;
            failure ??= await StepAsync(run, AcceptanceStep.Press, limits.PressSeconds, stopping, async (started, deadline) =>
            {
                pressPrompted = started;
                var found = await WaitAsync(() => (drill = probe.FindDrill(deviceId, drillRequested)) is not null, deadline, stopping);
                if (!found)
                {
                    return Fail("no drill alarm from the device: was the panic button pressed? (check the panic loop wiring)");
                }

                // The press happened when the device raised the alarm; a device clock ahead or behind is kept in bounds.
                var pressedAt = Clamp(drill!.RaisedAt, started, drill.ReceivedAt);
                return Pass($"drill alarm {drill.Id}", pressedAt);
            });

            failure ??= await StepAsync(run, AcceptanceStep.Received, limits.PressSeconds, stopping, (_, _) =>
                Task.FromResult(Pass($"stored by the server, stage {drill!.Stage}", drill.ReceivedAt)), startAt: () => Clamp(drill!.RaisedAt, pressPrompted, drill.ReceivedAt));

            failure ??= await StepAsync(run, AcceptanceStep.PoliceAck, limits.PoliceAckSeconds, stopping, async (_, deadline) =>
            {
                AcceptanceAlarm? now = null;
                var acked = await WaitAsync(() => (now = probe.FindAlarm(drill!.Id))?.PoliceAckAt is not null, deadline, stopping);
                return acked
                    ? Pass("the police receiver acknowledged the test event", now!.PoliceAckAt)
                    : Fail($"no acknowledgement from the police receiver within {limits.PoliceAckSeconds} s (stage {now?.Stage ?? drill!.Stage})");
            }, startAt: () => drill!.ReceivedAt);

            failure ??= await StepAsync(run, AcceptanceStep.Light, limits.LightSeconds, stopping, async (_, deadline) =>
            {
                var remaining = deadline - time.GetUtcNow();
                var answered = await Task.WhenAny(run.LightAnswer.Task, Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time, stopping));
                if (answered != run.LightAnswer.Task)
                {
                    return Fail($"no answer about the guard's light within {limits.LightSeconds} s");
                }

                var (seen, by) = await run.LightAnswer.Task;
                return seen ? Pass($"confirmed by {by}") : Fail($"{by} saw no steady light: the acknowledgement did not reach the guard");
            });

            failure ??= await StepAsync(run, AcceptanceStep.LatchReset, limits.LatchResetSeconds, stopping, async (_, deadline) =>
            {
                var reset = await CommandAsync(deviceId, CommandName.ResetLatch, actor, deadline, stopping);
                if (!reset.Passed)
                {
                    return reset;
                }

                var panic = probe.PanicInput(deviceId);
                return panic is PanicLoop.Cut or PanicLoop.Short
                    ? Fail($"latch reset, but the panic loop reads {panic}: check the wiring")
                    : Pass("latch reset by the device");
            });

            failedStep = failure is null ? null : run.Snapshot.Steps.FirstOrDefault(s => s.Result == StepResult.Failed)?.Step;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            failure = "the server stopped during the test";
            failedStep = run.Snapshot.Current?.Step;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Acceptance run {RunId} of {DeviceId} failed unexpectedly", run.Snapshot.Id, deviceId);
            failure = "the test could not continue: " + ex.Message;
            failedStep = run.Snapshot.Current?.Step;
        }
        finally
        {
            await DrillOffAsync(deviceId, actor);
        }

        var result = failure is null ? RunResult.Passed : (stopping.IsCancellationRequested ? RunResult.Aborted : RunResult.Failed);
        var finishedAt = time.GetUtcNow();
        lock (run)
        {
            var steps = run.Snapshot.Steps.Select(s => s.Result is StepResult.Pending or StepResult.Running
                ? s with { Result = s.Result == StepResult.Running ? StepResult.Failed : StepResult.Skipped, Detail = s.Detail ?? (s.Result == StepResult.Running ? failure : null) }
                : s).ToList();
            run.Snapshot = run.Snapshot with { Result = result, FailedStep = failedStep, Detail = failure, AlarmId = drill?.Id, FinishedAt = finishedAt, Steps = steps };
        }

        foreach (var step in run.Snapshot.Steps)
        {
            store.SaveStep(run.Snapshot.Id, step);
        }

        store.FinishRun(run.Snapshot.Id, result, failedStep, failure, drill?.Id, finishedAt);
        _active.TryRemove(deviceId, out _);
        events.Record(result == RunResult.Passed ? "commissioned" : "acceptance_failed", deviceId, schoolId, actor,
            result == RunResult.Passed ? $"{run.Snapshot.Id}: acceptance test passed" : $"{run.Snapshot.Id}: {failedStep}: {failure}");
    }

    private readonly record struct StepOutcome(bool Passed, string Detail, DateTimeOffset? FinishedAt);

    private static StepOutcome Pass(string detail, DateTimeOffset? at = null) => new(true, detail, at);

    private static StepOutcome Fail(string detail) => new(false, detail, null);

    /// <summary>Runs one step: marks it running, times it, records the outcome. Returns the failure, or null.</summary>
    private async Task<string?> StepAsync(
        ActiveRun run, string step, int limitSeconds, CancellationToken stopping,
        Func<DateTimeOffset, DateTimeOffset, Task<StepOutcome>> body, Func<DateTimeOffset>? startAt = null)
    {
        stopping.ThrowIfCancellationRequested();
        var started = startAt?.Invoke() ?? time.GetUtcNow();
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, limitSeconds));
        Update(run, step, s => s with { Result = StepResult.Running, StartedAt = started });
        var outcome = await body(started, deadline);
        var finished = outcome.FinishedAt ?? time.GetUtcNow();
        if (finished < started)
        {
            finished = started;
        }

        Update(run, step, s => s with
        {
            Result = outcome.Passed ? StepResult.Passed : StepResult.Failed,
            FinishedAt = finished,
            DurationMs = (long)(finished - started).TotalMilliseconds,
            Detail = outcome.Detail,
        });
        return outcome.Passed ? null : outcome.Detail;
    }

    private void Update(ActiveRun run, string step, Func<CommissioningStep, CommissioningStep> change)
    {
        CommissioningStep updated;
        lock (run)
        {
            var steps = run.Snapshot.Steps.ToList();
            var i = steps.FindIndex(s => s.Step == step);
            updated = steps[i] = change(steps[i]);
            run.Snapshot = run.Snapshot with { Steps = steps };
        }

        store.SaveStep(run.Snapshot.Id, updated);
    }

    private async Task<StepOutcome> CommandAsync(string deviceId, string name, string actor, DateTimeOffset deadline, CancellationToken stopping)
    {
        string id;
        try
        {
            id = await probe.SendCommandAsync(deviceId, name, actor, stopping);
        }
        catch (InvalidOperationException ex)
        {
            return Fail(ex.Message);
        }

        (string Status, string? Detail)? status = null;
        var answered = await WaitAsync(() => (status = probe.CommandStatus(id)) is { Status: not Commands.CommandStatus.Sent }, deadline, stopping);
        if (!answered)
        {
            return Fail($"{name}: no answer from the device before the step's limit");
        }

        return status!.Value.Status == CommandOutcome.Ok
            ? Pass($"{name}: ok")
            : Fail($"{name}: {status.Value.Status}{(status.Value.Detail is null ? "" : " (" + status.Value.Detail + ")")}");
    }

    private async Task DrillOffAsync(string deviceId, string actor)
    {
        try
        {
            await probe.SendCommandAsync(deviceId, CommandName.DrillOff, actor, CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // The device's own drill timeout ends drill mode if this cannot reach it.
            logger.LogWarning("Acceptance test could not switch drill mode off on {DeviceId}: {Reason}", deviceId, ex.Message);
        }
    }

    /// <summary>Looks until the condition holds or the deadline passes; checks once more at the deadline.</summary>
    private async Task<bool> WaitAsync(Func<bool> condition, DateTimeOffset deadline, CancellationToken stopping)
    {
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval, time, stopping);
        }
    }

    private static DateTimeOffset Clamp(DateTimeOffset value, DateTimeOffset min, DateTimeOffset max) =>
        value < min ? min : value > max ? max : value;

    private sealed class ActiveRun(CommissioningRun run)
    {
        public CommissioningRun Snapshot { get; set; } = run;

        public TaskCompletionSource<(bool Seen, string By)> LightAnswer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
