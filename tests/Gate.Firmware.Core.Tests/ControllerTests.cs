namespace Gate.Firmware.Core.Tests;

public class ControllerTests
{
    [Fact]
    public void Panic_Pressed_SendsPanicAlarmOnZone1AndLatches()
    {
        var rig = ControllerRig.PanicPressed();
        var a = rig.PublishedAlarms().Single();
        Assert.Equal((AlarmKind.Panic, 1, "gate-01.1.1", false, 1), (a.Kind, a.Zone, a.Id, a.Restore, a.Sequence));
        Assert.Equal(1, rig.Transport.On(Topics.Alarm).Single().Qos);
        Assert.False(rig.Transport.On(Topics.Alarm).Single().Retain);
        Assert.True(rig.Controller.PanicLatched);
    }

    [Fact]
    public void Panic_BrushedBriefly_NoAlarm()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"panic\":{\"hold_ms\":1000}"));
        rig.Advance(100);
        rig.Set(GateFunction.Panic, true);
        rig.Advance(600);
        rig.Set(GateFunction.Panic, false);
        rig.Advance(2000);
        Assert.Empty(rig.PublishedAlarms());
    }

    [Fact]
    public void Panic_CannotBeSilencedAtDevice_OnlyServerResetClearsLatch()
    {
        var rig = ControllerRig.PanicPressed();
        rig.Advance(60 * 60_000, 1000);
        Assert.True(rig.Controller.PanicLatched);

        var rebooted = new ControllerRig(storage: rig.Storage);
        Assert.True(rebooted.Controller.PanicLatched);
        rebooted.Advance(100);
        rebooted.SendCommand("c1", CommandName.ResetLatch);
        rebooted.Advance(100);
        Assert.False(rebooted.Controller.PanicLatched);
        Assert.Equal(CommandOutcome.Ok, rebooted.Results().Single().Result);
        Assert.False(new ControllerRig(storage: rig.Storage).Controller.PanicLatched);
    }

    [Fact]
    public void Feedback_FollowsAckStages_SendingReceivedPoliceAck()
    {
        var rig = new ControllerRig();
        var seen = new List<string>();
        rig.Controller.FeedbackChanged += (p, _) => seen.Add(p);
        rig.Advance(100);
        rig.PressPanic();
        Assert.Equal(FeedbackPatterns.SendingName, rig.Controller.FeedbackPattern);
        var id = rig.AckPanic(AckStage.Received);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);
        rig.Ack(id, AckStage.Forwarded);
        rig.Ack(id, AckStage.PoliceAck);
        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);
        rig.Ack(id, AckStage.Received); // stages never go back
        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);
        rig.SendCommand("c1", CommandName.ResetLatch);
        Assert.Equal(FeedbackPatterns.IdleName, rig.Controller.FeedbackPattern);
        Assert.Equal(new[] { "sending", "received", "police_ack", "idle" }, seen);
    }

    [Fact]
    public void Feedback_SendingPattern_DrivesLedAndBuzzerPins()
    {
        var rig = ControllerRig.PanicPressed();
        var led = rig.Pins(GateFunction.Led);
        var buzzer = rig.Pins(GateFunction.Buzzer);
        var ledStates = new HashSet<bool>();
        var buzzerStates = new HashSet<bool>();
        for (int i = 0; i < 200; i++)
        {
            rig.Advance(10);
            ledStates.Add(rig.Io.Outputs[led]);
            buzzerStates.Add(rig.Io.Outputs[buzzer]);
        }

        Assert.Equal(2, ledStates.Count);
        Assert.Equal(2, buzzerStates.Count);
    }

    [Fact]
    public void Feedback_OfflineLongerThanGrace_ShowsTrouble()
    {
        var rig = new ControllerRig();
        rig.Transport.AutoAccept = false;
        rig.Advance(5_000);
        Assert.Equal(FeedbackPatterns.IdleName, rig.Controller.FeedbackPattern);
        rig.Advance(6_000);
        Assert.Equal(FeedbackPatterns.TroubleName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_Patterns_AreDistinct()
    {
        var patterns = new[] { FeedbackPatterns.Idle, FeedbackPatterns.Sending, FeedbackPatterns.Received, FeedbackPatterns.NotAtPolice, FeedbackPatterns.PoliceAck, FeedbackPatterns.Trouble, FeedbackPatterns.Drill };
        var signatures = patterns.Select(p => string.Concat(Enumerable.Range(0, 400).Select(t => (p.LedAt(t * 25) ? "1" : "0") + (p.BuzzerAt(t * 25) ? "1" : "0")))).ToList();
        Assert.Equal(patterns.Length, signatures.Distinct().Count());
    }

    [Fact]
    public void Drill_PanicPressed_SendsDrillKindAndDrillEndsItsLatch()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.SendCommand("d1", CommandName.DrillOn);
        Assert.Equal(FeedbackPatterns.DrillName, rig.Controller.FeedbackPattern);
        rig.PressPanic();
        Assert.Equal(AlarmKind.Drill, rig.PublishedAlarms().Single().Kind);
        rig.SendCommand("d2", CommandName.DrillOff);
        Assert.False(rig.Controller.PanicLatched);
        Assert.Equal(new[] { CommandOutcome.Ok, CommandOutcome.Ok }, rig.Results().Select(r => r.Result));
    }

    [Fact]
    public void Drill_WhileRealPanicLatched_IsRejected()
    {
        var rig = ControllerRig.PanicPressed();
        rig.SendCommand("d1", CommandName.DrillOn);
        var r = rig.Results().Single();
        Assert.Equal((CommandOutcome.Rejected, "alarm_latched"), (r.Result, r.Detail));
        Assert.False(rig.Controller.DrillMode);
    }

    [Fact]
    public void Drill_TimesOutByItself()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"drill_timeout_min\":5"));
        rig.Advance(100);
        rig.SendCommand("d1", CommandName.DrillOn);
        rig.Advance(5 * 60_000, 1000);
        Assert.False(rig.Controller.DrillMode);
    }

    [Fact]
    public void SelfTest_Daily_SendsPeriodicTestOnZone0()
    {
        var rig = new ControllerRig();
        rig.Advance(23 * 3600_000L, 60_000);
        Assert.Empty(rig.PublishedAlarms());
        rig.Advance(3600_000L + 60_000, 60_000);
        var a = rig.PublishedAlarms().DistinctBy(x => x.Id).Single();
        Assert.Equal((AlarmKind.PeriodicTest, 0), (a.Kind, a.Zone));
    }

    [Fact]
    public void Commands_RaiseAndLowerBollard_DriveRelayAndAnswerOk()
    {
        var rig = new ControllerRig();
        rig.Set(GateFunction.BollardUp, true);
        rig.Advance(200);
        var relay = rig.Pins(GateFunction.BollardRelay);
        Assert.True(rig.Io.Outputs[relay]);
        rig.SendCommand("c1", CommandName.LowerBollard);
        Assert.False(rig.Io.Outputs[relay]);
        rig.Set(GateFunction.BollardUp, false);
        rig.Advance(3000);
        rig.Set(GateFunction.BollardDown, true);
        rig.Advance(200);
        Assert.Equal(BollardPosition.Down, rig.Controller.BollardPositionWord);
        rig.SendCommand("c2", CommandName.RaiseBollard);
        Assert.True(rig.Io.Outputs[relay]);
        Assert.Equal(new[] { "c1", "c2" }, rig.Results().Select(r => r.Id));
        Assert.All(rig.Results(), r => Assert.Equal(CommandOutcome.Ok, r.Result));
        Assert.Empty(rig.PublishedAlarms());
        var states = rig.Transport.On(Topics.State).ToList();
        Assert.All(states, s => Assert.True(s.Retain));
        var positions = states.Select(p => { Assert.True(WireCodec.TryDecodeState(p.Payload, out var st, out _)); return st.Bollard; }).Distinct().ToList();
        Assert.Equal(new[] { BollardPosition.Unknown, BollardPosition.Up, BollardPosition.Moving, BollardPosition.Down }, positions);
    }

    [Fact]
    public void Commands_BollardForcedDown_RaisesForcedAlarm()
    {
        var rig = new ControllerRig();
        rig.Set(GateFunction.BollardUp, true);
        rig.Advance(200);
        rig.Set(GateFunction.BollardUp, false);
        rig.Set(GateFunction.BollardDown, true);
        rig.Advance(200);
        Assert.Equal(AlarmKind.BollardForced, rig.PublishedAlarms().Single().Kind);
    }

    [Fact]
    public void Commands_RedeliveredCommand_ActsOnceAnswersTwice()
    {
        var rig = ControllerRig.PanicPressed();
        rig.SendCommand("c9", CommandName.ResetLatch);
        rig.PressPanic();
        rig.SendCommand("c9", CommandName.ResetLatch);
        Assert.True(rig.Controller.PanicLatched);
        Assert.Equal(2, rig.Results().Count(r => r.Id == "c9"));
    }

    [Fact]
    public void Commands_OlderThanTtl_AnsweredExpiredAndNotActedOn()
    {
        var rig = new ControllerRig();
        rig.UtcNow = new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);
        rig.Advance(100);
        rig.SendCommand("c1", CommandName.Reboot, ts: new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc), ttl: 60);
        Assert.Equal(CommandOutcome.Expired, rig.Results().Single().Result);
        rig.Advance(5000);
        Assert.Equal(PendingAction.None, rig.Controller.Action);
    }

    [Fact]
    public void Commands_UnknownName_AnsweredUnknownCommand()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Transport.Deliver(rig.Controller.Topic(Topics.Command), "{\"v\":1,\"id\":\"c5\",\"name\":\"self_destruct\",\"ts\":\"2026-11-23T08:00:00Z\"}"u8.ToArray());
        rig.Advance(10);
        var r = rig.Results().Single();
        Assert.Equal(("c5", CommandOutcome.UnknownCommand), (r.Id, r.Result));
    }

    [Fact]
    public void Commands_RebootAndReload_AnsweredBeforeActionIsDue()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.SendCommand("c1", CommandName.Reboot);
        Assert.Equal(CommandOutcome.Ok, rig.Results().Single().Result);
        Assert.Equal(PendingAction.None, rig.Controller.Action);
        rig.Advance(1000);
        Assert.Equal(PendingAction.Reboot, rig.Controller.Action);

        var rig2 = new ControllerRig();
        rig2.Advance(100);
        rig2.SendCommand("c2", CommandName.ReloadConfig);
        rig2.Advance(1000);
        Assert.Equal(PendingAction.ReloadConfig, rig2.Controller.Action);
    }

    [Fact]
    public void Tamper_EnclosureOpened_AlarmThenRestore()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Set(GateFunction.Tamper, true);
        rig.Advance(200);
        rig.Set(GateFunction.Tamper, false);
        rig.Advance(200);
        Assert.Equal(new[] { (AlarmKind.Tamper, false), (AlarmKind.Tamper, true) }, rig.PublishedAlarms().Select(a => (a.Kind, a.Restore)));
    }

    [Fact]
    public void Mains_Cut_PowerLossAlarmAndHeartbeatReportsIt()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Set(GateFunction.Mains, false);
        rig.Advance(200);
        Assert.Equal(AlarmKind.PowerLoss, rig.PublishedAlarms().Single().Kind);
        Assert.False(rig.Controller.Mains);
    }

    [Fact]
    public void PanicLoop_WireCut_ReportsTamperingAndTrouble_ThenAlarmBandTriggersPanic()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"pins\":{\"panic\":null,\"panic_loop\":36}"));
        rig.Io.Millivolts[36] = 800;
        rig.Advance(500);
        rig.Io.Millivolts[36] = 3300;
        rig.Advance(500);
        Assert.Equal(AlarmKind.WiringCut, rig.PublishedAlarms().Single().Kind);
        Assert.True(rig.Controller.Trouble);
        rig.Io.Millivolts[36] = 800;
        rig.Advance(500);
        rig.Io.Millivolts[36] = 1800;
        rig.Advance(1000);
        var kinds = rig.PublishedAlarms().Select(a => (a.Kind, a.Restore)).ToList();
        Assert.Equal(new[] { (AlarmKind.WiringCut, false), (AlarmKind.WiringCut, true), (AlarmKind.Panic, false) }, kinds);
    }

    [Fact]
    public void Alarms_BeforeClockSet_CarryNullTimestampAndUptime()
    {
        var rig = ControllerRig.PanicPressed();
        var raw = rig.Transport.On(Topics.Alarm).Single().Text;
        Assert.Contains("\"ts\":null", raw);
    }
}

public class SilentAndDuressTests
{
    [Fact]
    public void SilentPanic_Pressed_SendsSilentKindAndNeverSoundsBuzzer()
    {
        var rig = ControllerRig.PanicPressed(ControllerRig.ConfigJson("\"panic\":{\"silent\":true,\"hold_ms\":200}"));
        Assert.Equal(AlarmKind.SilentPanic, rig.PublishedAlarms().Single().Kind);
        var buzzer = rig.Pins(GateFunction.Buzzer);
        for (int i = 0; i < 300; i++)
        {
            rig.Advance(10);
            Assert.False(rig.Io.Outputs.TryGetValue(buzzer, out var on) && on);
        }

        Assert.Equal(FeedbackPatterns.SendingName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Duress_Pressed_SendsDuressOnZone2AndHeartbeatShowsActive()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Set(GateFunction.Duress, true);
        rig.Advance(800);
        rig.Set(GateFunction.Duress, false);
        rig.Advance(100);
        var a = rig.PublishedAlarms().Single();
        Assert.Equal((AlarmKind.Duress, 2), (a.Kind, a.Zone));
        // The next heartbeat (every 30 s +-10 %) shows it.
        rig.Advance(35_000, stepMs: 100);
        Assert.True(WireCodec.TryDecodeHeartbeat(rig.Transport.On(Topics.Heartbeat).Last().Payload, out var h, out var error), error);
        Assert.Equal(DuressInput.Active, h.Inputs.Duress);
        Assert.Equal(PanicLoop.Normal, h.Inputs.Panic);
    }
}
