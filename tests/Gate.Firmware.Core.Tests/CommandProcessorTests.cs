using Gate.Firmware.Commands;

namespace Gate.Firmware.Core.Tests;

/// <summary>The command processor on its own: answers, their queue, and the glue's pending action.</summary>
public class CommandProcessorTests
{
    private static readonly DateTime Sent = new(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);

    private readonly ActionRequest _actions = new();
    private readonly CommandProcessor _commands;

    public CommandProcessorTests()
    {
        Assert.True(DeviceConfig.TryParse(ControllerRig.ConfigJson(), out var config, out var error), error);
        var storage = new MemoryFlashStorage();
        var guard = new GuardAlarms(config, storage, new AlarmRaiser("gate-01", new AlarmOutbox(storage, 64)), new PoliceDeliveryWatch(10_000), true, false);
        _commands = new CommandProcessor("gate-01", guard, null, _actions);
    }

    private static byte[] Command(string id, string name) =>
        WireCodec.EncodeCommand(new Command { Id = id, Name = name, Timestamp = Sent, TtlSeconds = 60 });

    private List<CommandResult> TakeResults()
    {
        var results = new List<CommandResult>();
        for (var bytes = _commands.PeekResult(); bytes is not null; bytes = _commands.PeekResult())
        {
            Assert.True(WireCodec.TryDecodeResult(bytes, out var r, out var error), error);
            results.Add(r);
            _commands.ResultSent();
        }

        return results;
    }

    [Fact]
    public void Results_MoreThanTheQueueHoldsWhileOffline_OldestAreLetGo()
    {
        for (int i = 1; i <= CommandProcessor.MaxPendingResults + 3; i++)
        {
            _commands.Handle(Command("c-" + i, CommandName.DrillOff), i, Sent);
        }

        var ids = TakeResults().Select(r => r.Id).ToList();
        Assert.Equal(Enumerable.Range(4, CommandProcessor.MaxPendingResults).Select(i => "c-" + i), ids);
    }

    [Fact]
    public void Bollard_NotFitted_RejectedNoBollardAndStateUnchanged()
    {
        Assert.False(_commands.Handle(Command("c-1", CommandName.RaiseBollard), 0, Sent));
        var r = Assert.Single(TakeResults());
        Assert.Equal((CommandOutcome.Rejected, "no_bollard"), (r.Result, r.Detail));
    }

    [Fact]
    public void Drill_On_ChangesTheStateMessage()
    {
        Assert.True(_commands.Handle(Command("c-1", CommandName.DrillOn), 0, Sent));
        Assert.Equal(CommandOutcome.Ok, Assert.Single(TakeResults()).Result);
    }

    [Fact]
    public void Reboot_ThenReloadConfig_RebootStaysPendingAfterItsDelay()
    {
        _commands.Handle(Command("c-1", CommandName.Reboot), 0, Sent);
        _commands.Handle(Command("c-2", CommandName.ReloadConfig), 10, Sent);

        Assert.Equal(PendingAction.None, _actions.DueAt(CommandProcessor.ActionDelayMs - 1));
        Assert.Equal(PendingAction.Reboot, _actions.DueAt(CommandProcessor.ActionDelayMs));
        Assert.Equal("command", _actions.Reason);
    }

    [Fact]
    public void Undecodable_WithReadableId_AnsweredRejectedWithTheReason()
    {
        var payload = System.Text.Encoding.UTF8.GetBytes("{\"id\":\"c-9\",\"name\":\"drill_on\"}");

        _commands.Handle(payload, 0, Sent);

        var r = Assert.Single(TakeResults());
        Assert.Equal(("c-9", CommandOutcome.Rejected), (r.Id, r.Result));
        Assert.False(string.IsNullOrEmpty(r.Detail));
    }
}
