using Gate.Firmware.Devices;

namespace Gate.Firmware.Core.Tests;

public sealed class RecordingSink : IAlarmSink
{
    public List<(string Kind, int Zone, bool Restore, string? Detail, long At)> Raised { get; } = new();

    public void Raise(string kind, int zone, bool restore, string detail, long nowMs) => Raised.Add((kind, zone, restore, detail, nowMs));
}

public class PanicButtonTests
{
    [Fact]
    public void PanicButton_PressShorterThanHold_DoesNotTrigger()
    {
        var b = new PanicButton(500);
        Assert.Equal(PressEvent.None, b.Update(true, 0));
        Assert.Equal(PressEvent.None, b.Update(true, 499));
        Assert.Equal(PressEvent.None, b.Update(false, 500));
        Assert.False(b.Latched);
    }

    [Fact]
    public void PanicButton_HeldForHoldTime_TriggersOnceAndLatchesAfterRelease()
    {
        var b = new PanicButton(500);
        b.Update(true, 0);
        Assert.Equal(PressEvent.Triggered, b.Update(true, 500));
        Assert.Equal(PressEvent.None, b.Update(true, 5000));
        Assert.Equal(PressEvent.None, b.Update(false, 6000));
        Assert.True(b.Latched);
    }

    [Fact]
    public void PanicButton_RepeatedPressesWhileLatched_AreCountedNotRetriggered()
    {
        var b = new PanicButton(100);
        b.Update(true, 0);
        Assert.Equal(PressEvent.Triggered, b.Update(true, 100));
        long t = 200;
        for (int i = 0; i < 5; i++)
        {
            b.Update(false, t);
            b.Update(true, t + 10);
            Assert.Equal(PressEvent.RepeatPress, b.Update(true, t + 110));
            t += 300;
        }

        Assert.Equal(6, b.PressCount);
        Assert.True(b.Latched);
    }

    [Fact]
    public void PanicButton_ResetWhileStillHeld_DoesNotRetriggerUntilReleased()
    {
        var b = new PanicButton(100);
        b.Update(true, 0);
        b.Update(true, 100);
        b.ResetLatch();
        Assert.Equal(PressEvent.None, b.Update(true, 1000));
        Assert.False(b.Latched);
        b.Update(false, 1100);
        b.Update(true, 1200);
        Assert.Equal(PressEvent.Triggered, b.Update(true, 1300));
    }
}

public class PanicLoopTests
{
    [Theory]
    [InlineData(100, LoopState.Short)]
    [InlineData(800, LoopState.Normal)]
    [InlineData(1800, LoopState.Alarm)]
    [InlineData(3200, LoopState.Cut)]
    public void PanicLoop_Classify_MapsBands(int mv, LoopState expected)
    {
        var loop = new PanicLoopMonitor(300, 1300, 2400, 200);
        Assert.Equal(expected, loop.Classify(mv));
    }

    [Fact]
    public void PanicLoop_BriefSpike_DoesNotChangeState()
    {
        var loop = new PanicLoopMonitor(300, 1300, 2400, 200);
        loop.Update(800, 0);
        Assert.False(loop.Update(3300, 10));
        Assert.False(loop.Update(800, 100));
        Assert.False(loop.Update(800, 500));
        Assert.Equal(LoopState.Normal, loop.State);
        loop.Update(3300, 600);
        Assert.True(loop.Update(3300, 800));
        Assert.Equal(LoopState.Cut, loop.State);
    }
}

public class BollardTests
{
    private readonly RecordingSink _sink = new();

    private Bollard UpBollard()
    {
        var b = new Bollard(_sink, 10_000);
        b.Update(true, false, false, 0);
        return b;
    }

    [Fact]
    public void Bollard_AtBoot_AdoptsFoundPositionWithoutAlarm()
    {
        var b = UpBollard();
        Assert.Equal(BollardPosition.Up, b.Position);
        Assert.True(b.RelayRaise);
        Assert.Empty(_sink.Raised);
    }

    [Fact]
    public void Bollard_CommandedDownReachesLimit_NoAlarm()
    {
        var b = UpBollard();
        Assert.True(b.Command(false, 100));
        Assert.False(b.RelayRaise);
        b.Update(false, false, false, 200);
        Assert.Equal(BollardPosition.Moving, b.Position);
        b.Update(false, true, false, 5000);
        Assert.Equal(BollardPosition.Down, b.Position);
        Assert.Empty(_sink.Raised);
    }

    [Fact]
    public void Bollard_DoesNotReachPositionInTime_RaisesTimeoutFault()
    {
        var b = UpBollard();
        b.Command(false, 0);
        b.Update(false, false, false, 9_999);
        Assert.Empty(_sink.Raised);
        b.Update(false, false, false, 10_000);
        Assert.Equal((AlarmKind.BollardFault, Zones.Bollard, false, "timeout"), (_sink.Raised[0].Kind, _sink.Raised[0].Zone, _sink.Raised[0].Restore, _sink.Raised[0].Detail));
        Assert.Equal(BollardPosition.Fault, b.Position);
        b.Update(false, false, false, 20_000);
        Assert.Single(_sink.Raised);
    }

    [Fact]
    public void Bollard_LeavesUpWithoutCommand_RaisesForcedThenRestore()
    {
        var b = UpBollard();
        b.Update(false, false, false, 1000);
        Assert.Equal(AlarmKind.BollardForced, _sink.Raised.Single().Kind);
        Assert.False(_sink.Raised[0].Restore);
        b.Update(false, true, false, 1500);
        Assert.Single(_sink.Raised);
        b.Update(true, false, false, 3000);
        Assert.Equal(2, _sink.Raised.Count);
        Assert.True(_sink.Raised[1].Restore);
    }

    [Fact]
    public void Bollard_BothLimitsAtOnce_RaisesSensorFault()
    {
        var b = UpBollard();
        b.Update(true, true, false, 100);
        Assert.Equal((AlarmKind.BollardFault, "both_limits", false), (_sink.Raised[0].Kind, _sink.Raised[0].Detail, _sink.Raised[0].Restore));
        Assert.Equal(BollardPosition.Fault, b.Position);
        b.Update(true, false, false, 200);
        Assert.True(_sink.Raised[^1].Restore);
    }

    [Fact]
    public void Bollard_MotorFaultInput_RaisesMotorFault()
    {
        var b = UpBollard();
        b.Update(true, false, true, 100);
        Assert.Equal("motor_fault", _sink.Raised.Single().Detail);
    }
}

public class BarrierArmTests
{
    [Fact]
    public void Barrier_OpenedWithoutAuthorisation_RaisesForcedAndRestoresOnClose()
    {
        var sink = new RecordingSink();
        var arm = new BarrierArm(sink, 30_000);
        arm.Update(false, 0);
        arm.Update(true, 1000);
        Assert.Equal(AlarmKind.BarrierForced, sink.Raised.Single().Kind);
        arm.Update(false, 2000);
        Assert.True(sink.Raised[1].Restore);
    }

    [Fact]
    public void Barrier_OpenedWithinAuthorisationWindow_NoAlarm()
    {
        var sink = new RecordingSink();
        var arm = new BarrierArm(sink, 30_000);
        arm.Update(false, 0);
        arm.Authorise(1000);
        arm.Update(true, 20_000);
        arm.Update(false, 40_000);
        Assert.Empty(sink.Raised);
        arm.Update(true, 40_000 + 30_001);
        Assert.Single(sink.Raised);
    }
}

public class PowerMonitorTests
{
    [Fact]
    public void Power_MainsLostAndBack_RaisesLossThenRestore()
    {
        var sink = new RecordingSink();
        var p = new PowerMonitor(sink, 11_500, 400, 5000);
        p.UpdateMains(true, 0);
        p.UpdateMains(false, 100);
        p.UpdateMains(true, 200);
        Assert.Equal(new[] { (AlarmKind.PowerLoss, false), (AlarmKind.PowerLoss, true) }, sink.Raised.Select(r => (r.Kind, r.Restore)));
    }

    [Fact]
    public void Power_BootOnBattery_ReportsPowerLoss()
    {
        var sink = new RecordingSink();
        new PowerMonitor(sink, 11_500, 400, 5000).UpdateMains(false, 0);
        Assert.Equal(AlarmKind.PowerLoss, sink.Raised.Single().Kind);
    }

    [Fact]
    public void Battery_HoversAtThreshold_HysteresisPreventsFlapping()
    {
        var sink = new RecordingSink();
        var p = new PowerMonitor(sink, 11_500, 400, 5000);
        p.UpdateBattery(12_600, 0);
        p.UpdateBattery(11_400, 1000);
        Assert.Empty(sink.Raised);
        p.UpdateBattery(11_400, 6000);
        Assert.True(p.BatteryLow);
        Assert.Single(sink.Raised);
        for (long t = 7000; t < 60_000; t += 1000)
        {
            p.UpdateBattery(t % 2000 == 0 ? 11_600 : 11_450, t);
        }

        Assert.Single(sink.Raised);
        p.UpdateBattery(11_950, 61_000);
        p.UpdateBattery(11_950, 66_000);
        Assert.False(p.BatteryLow);
        Assert.True(sink.Raised[1].Restore);
    }

    [Fact]
    public void Battery_NotFitted_NeverLow()
    {
        var sink = new RecordingSink();
        var p = new PowerMonitor(sink, 11_500, 400, 0);
        p.UpdateBattery(0, 0);
        p.UpdateBattery(0, 100_000);
        Assert.Empty(sink.Raised);
    }
}
