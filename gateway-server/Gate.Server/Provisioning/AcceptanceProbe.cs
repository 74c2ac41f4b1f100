using Gate.Contracts;
using Gate.Server.Alarms;
using Gate.Server.Commands;
using Gate.Server.Liveness;

namespace Gate.Server.Provisioning;

/// <summary>A drill alarm as the acceptance test sees it.</summary>
public sealed record AcceptanceAlarm(string Id, DateTimeOffset RaisedAt, DateTimeOffset ReceivedAt, string Stage, DateTimeOffset? PoliceAckAt);

/// <summary>What the acceptance test reads from, and does to, the rest of the server. An interface so the procedure
/// can be tested on its own; <see cref="ServerAcceptanceProbe"/> is the real one.</summary>
public interface IAcceptanceProbe
{
    /// <summary>Null when online, else why not (the liveness state).</summary>
    string? NotOnlineBecause(string deviceId);

    /// <summary>Sends a command and returns its id, or throws with the reason it could not be sent.</summary>
    Task<string> SendCommandAsync(string deviceId, string name, string actor, CancellationToken cancellationToken);

    /// <summary>The command's status: "sent" while waiting, then the device's result word, "timeout" or "send_failed".</summary>
    (string Status, string? Detail)? CommandStatus(string commandId);

    /// <summary>The first drill alarm from the device received at or after <paramref name="since"/>.</summary>
    AcceptanceAlarm? FindDrill(string deviceId, DateTimeOffset since);

    AcceptanceAlarm? FindAlarm(string alarmId);

    /// <summary>The panic input as last reported (normal, latched, cut, short), or null.</summary>
    string? PanicInput(string deviceId);
}

public sealed class ServerAcceptanceProbe(LivenessTracker liveness, CommandService commands, CommandStore commandStore, AlarmStore alarms) : IAcceptanceProbe
{
    public string? NotOnlineBecause(string deviceId)
    {
        var snapshot = liveness.Find(deviceId);
        if (snapshot is null)
        {
            return "the server has never heard from it";
        }

        return snapshot.State == LivenessState.Online ? null : $"it is {snapshot.State}{(snapshot.Reason is null ? "" : " (" + snapshot.Reason + ")")}";
    }

    public async Task<string> SendCommandAsync(string deviceId, string name, string actor, CancellationToken cancellationToken)
    {
        var (command, error) = await commands.SendAsync(deviceId, name, null, actor, cancellationToken);
        if (command is null)
        {
            throw new InvalidOperationException($"{name} could not be sent: {error}");
        }

        return command.Id;
    }

    public (string Status, string? Detail)? CommandStatus(string commandId) =>
        commandStore.Find(commandId) is { } c ? (c.Status, c.Detail) : null;

    public AcceptanceAlarm? FindDrill(string deviceId, DateTimeOffset since) =>
        alarms.List(open: null, tests: true, deviceId, schoolId: null, limit: 20)
            .Where(a => a.Kind == AlarmKind.Drill && !a.Restore && a.ReceivedAt >= since)
            .OrderBy(a => a.ReceivedAt)
            .Select(View)
            .FirstOrDefault();

    public AcceptanceAlarm? FindAlarm(string alarmId) => alarms.Find(alarmId) is { } a ? View(a) : null;

    public string? PanicInput(string deviceId) => liveness.Find(deviceId)?.Telemetry.Panic;

    private static AcceptanceAlarm View(AlarmView a) => new(a.Id, a.RaisedAt, a.ReceivedAt, a.Stage, a.PoliceAckAt);
}
