namespace Gate.Firmware.Core.Tests;

/// <summary>
/// The guard always knows whether the panic reached the police: the light follows each pressed alarm's acks and a
/// wait (police_wait_s), in simulated time (every step passes nowMs; nothing sleeps).
/// </summary>
public class GuardFeedbackTests
{
    [Fact]
    public void Feedback_FailedAfterReceived_ShowsNotAtPolice()
    {
        var rig = ControllerRig.PanicPressed();
        var id = rig.AckPanic(AckStage.Received);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);

        rig.Ack(id, AckStage.Failed);

        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
        Assert.Equal(DeliveryView.NotAtPolice, rig.Controller.Delivery);
    }

    [Fact]
    public void Feedback_FailedAfterForwarded_ShowsNotAtPolice()
    {
        // Both ranked 2: the device used to ignore this move and kept showing "received".
        var rig = ControllerRig.PanicPressed();
        var id = rig.AckPanic(AckStage.Received);
        rig.Ack(id, AckStage.Forwarded);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);

        rig.Ack(id, AckStage.Failed);

        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
        Assert.Equal(AckStage.Failed, rig.Controller.AlarmStageOf(id));
    }

    [Fact]
    public void Feedback_NoPoliceAnswerWithinWait_ShowsNotAtPolice()
    {
        var rig = ControllerRig.PanicPressed();
        var id = rig.AckPanic(AckStage.Received);

        rig.Advance(9_900, 100);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);
        rig.Advance(200, 100);

        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_ForwardedWithinWait_StaysReceived()
    {
        var rig = ControllerRig.PanicPressed();
        var id = rig.AckPanic(AckStage.Received);
        rig.Advance(5_000, 100);
        rig.Ack(id, AckStage.Forwarded);

        rig.Advance(60_000, 1000);

        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_WaitIsConfigurable()
    {
        var rig = ControllerRig.PanicPressed(ControllerRig.ConfigJson("\"police_wait_s\":30"));
        rig.AckPanic(AckStage.Received);

        rig.Advance(29_000, 1000);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);
        rig.Advance(1_100, 100);

        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_ServerNeverConfirms_ShowsNotAtPoliceAfterWaitFromPress()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Transport.Drop();
        rig.Transport.AutoAccept = false;
        rig.PressPanic();
        Assert.Equal(FeedbackPatterns.SendingName, rig.Controller.FeedbackPattern);

        rig.Advance(10_000, 100);

        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_PoliceAckAfterNotAtPolice_ShowsAcknowledged()
    {
        var rig = ControllerRig.PanicPressed();
        var id = rig.AckPanic(AckStage.Received);
        rig.Advance(15_000, 100);
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);

        rig.Ack(id, AckStage.PoliceAck);

        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);
        rig.Advance(60_000, 1000);
        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_ForwardedAfterFailed_StaysNotAtPoliceUntilAcknowledged()
    {
        // A receiver that answers only to refuse gives "forwarded" again; the guard's instruction stands.
        var rig = ControllerRig.PanicPressed();
        var id = rig.AckPanic(AckStage.Received);
        rig.Ack(id, AckStage.Failed);

        rig.Ack(id, AckStage.Forwarded);

        Assert.Equal(AckStage.Forwarded, rig.Controller.AlarmStageOf(id));
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
        rig.Ack(id, AckStage.OperatorAck);
        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void Feedback_NotAtPolice_DrivesLedAndBuzzerUnlessSilent()
    {
        var loud = NotAtPoliceOutputs(ControllerRig.ConfigJson());
        var silent = NotAtPoliceOutputs(ControllerRig.ConfigJson("\"panic\":{\"silent\":true}"));

        Assert.Equal((2, 2), loud);
        Assert.Equal((2, 1), silent);
    }

    private static (int Led, int Buzzer) NotAtPoliceOutputs(string config)
    {
        var rig = new ControllerRig(config);
        rig.Advance(100);
        rig.PressPanic();
        rig.AckPanic(AckStage.Failed);
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
        var led = new HashSet<bool>();
        var buzzer = new HashSet<bool>();
        for (int i = 0; i < 300; i++)
        {
            rig.Advance(10);
            led.Add(rig.Io.Outputs[rig.Pins(GateFunction.Led)]);
            buzzer.Add(rig.Io.Outputs.TryGetValue(rig.Pins(GateFunction.Buzzer), out var on) && on);
        }

        return (led.Count, buzzer.Count);
    }

    [Fact]
    public void Feedback_NotAtPolice_LightAloneTellsItFromEveryOtherPattern()
    {
        // A silent panic or duress has no buzzer: the light by itself must say "not at the police".
        static string Light(FeedbackPattern p) => string.Concat(Enumerable.Range(0, 400).Select(t => p.LedAt(t * 25) ? "1" : "0"));
        var others = new[] { FeedbackPatterns.Idle, FeedbackPatterns.Sending, FeedbackPatterns.Received, FeedbackPatterns.PoliceAck, FeedbackPatterns.Trouble, FeedbackPatterns.Drill };

        Assert.DoesNotContain(Light(FeedbackPatterns.NotAtPolice), others.Select(Light));
    }

    [Fact]
    public void Panic_SecondPressWhileOpen_IsItsOwnAlarmWithItsOwnAcksAndLight()
    {
        var rig = ControllerRig.PanicPressed();
        var first = rig.AckPanic(AckStage.Received);
        rig.Ack(first, AckStage.Forwarded);
        rig.Ack(first, AckStage.PoliceAck);
        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);

        rig.PressPanic();

        var second = rig.Controller.PanicAlarmId;
        Assert.NotEqual(first, second);
        var sent = rig.PublishedAlarms().DistinctBy(a => a.Id).ToList();
        Assert.Equal(new[] { first, second }, sent.Select(a => a.Id));
        Assert.All(sent, a => Assert.Equal((AlarmKind.Panic, 1), (a.Kind, a.Count)));
        Assert.Equal(string.Empty, rig.Controller.AlarmStageOf(second));
        Assert.Equal(FeedbackPatterns.SendingName, rig.Controller.FeedbackPattern);

        rig.Ack(second, AckStage.Received);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);
        rig.Ack(second, AckStage.Failed);
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
        Assert.Equal(AckStage.PoliceAck, rig.Controller.AlarmStageOf(first));
        rig.Ack(second, AckStage.PoliceAck);
        Assert.Equal(FeedbackPatterns.PoliceAckName, rig.Controller.FeedbackPattern);
        Assert.True(rig.Controller.PanicLatched);
    }

    [Fact]
    public void Panic_SecondPressWhileFirstNotReceived_BothStayInOutbox()
    {
        var rig = new ControllerRig();
        rig.Transport.AutoAccept = null;
        rig.PressPanic();
        rig.PressPanic();

        Assert.Equal(2, rig.Controller.Outbox.Count);
        Assert.Equal(2, rig.Controller.PanicPressCount);
        rig.Transport.Accept();
        rig.Advance(100);
        Assert.Equal(2, rig.PublishedAlarms().Select(a => a.Id).Distinct().Count());
    }

    [Fact]
    public void Panic_SecondPressThenReboot_LatchFollowsTheLatestPress()
    {
        var rig = ControllerRig.PanicPressed();
        rig.PressPanic();
        var second = rig.Controller.PanicAlarmId;

        var rebooted = new ControllerRig(storage: rig.Storage);

        Assert.Equal(second, rebooted.Controller.PanicAlarmId);
        Assert.Equal(string.Empty, rebooted.Controller.AlarmStageOf(second));
    }

    [Fact]
    public void Duress_SecondPressWhileOpen_IsItsOwnAlarm()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        PressDuress(rig);
        var first = rig.Controller.DuressAlarmId;
        rig.Ack(first, AckStage.Received);
        rig.Ack(first, AckStage.PoliceAck);

        PressDuress(rig);

        var second = rig.Controller.DuressAlarmId;
        Assert.NotEqual(first, second);
        Assert.Equal(new[] { first, second }, rig.PublishedAlarms().Where(a => a.Kind == AlarmKind.Duress).Select(a => a.Id).Distinct());
        rig.Ack(second, AckStage.Failed);
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
    }

    private static void PressDuress(ControllerRig rig)
    {
        rig.Set(GateFunction.Duress, true);
        rig.Advance(rig.Config.PanicHoldMs + 200);
        rig.Set(GateFunction.Duress, false);
        rig.Advance(200);
    }

    [Fact]
    public void Feedback_ResetLatch_ForgetsTheWatchedAlarms()
    {
        var rig = ControllerRig.PanicPressed();
        rig.AckPanic(AckStage.Failed);

        rig.SendCommand("r1", CommandName.ResetLatch);

        Assert.Equal(FeedbackPatterns.IdleName, rig.Controller.FeedbackPattern);
        Assert.Equal(DeliveryView.None, rig.Controller.Delivery);
    }

    [Fact]
    public void PoliceDeliveryWatch_Full_LetsGoOfAnAcknowledgedAlarmFirst()
    {
        var watch = new PoliceDeliveryWatch(10_000);
        watch.Watch("a.1.1", 0);
        watch.OnAck("a.1.1", AckStage.Received, 0);
        watch.OnAck("a.1.1", AckStage.Failed, 0);
        watch.Watch("a.1.2", 0);
        watch.OnAck("a.1.2", AckStage.PoliceAck, 0);
        for (int i = 3; i <= PoliceDeliveryWatch.MaxWatched + 1; i++)
        {
            watch.Watch("a.1." + i, 0);
        }

        Assert.Equal(PoliceDeliveryWatch.MaxWatched, watch.Count);
        Assert.Null(watch.StageOf("a.1.2"));
        Assert.Equal(AckStage.Failed, watch.StageOf("a.1.1"));
        Assert.Equal(DeliveryView.NotAtPolice, watch.Evaluate(0));
    }

    [Fact]
    public void Config_PoliceWait_DefaultsTo10sAndIsRangeChecked()
    {
        Assert.True(DeviceConfig.TryParse(ControllerRig.ConfigJson(), out var config, out var error), error);
        Assert.Equal(10, config.PoliceWaitSeconds);
        Assert.False(DeviceConfig.TryParse(ControllerRig.ConfigJson("\"police_wait_s\":0"), out _, out error));
        Assert.Equal("police_wait_s must be 1..600, got 0", error);
    }
}
