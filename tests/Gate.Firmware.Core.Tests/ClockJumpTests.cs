using Gate.Contracts;
using Gate.Firmware.Core.Tests.Fakes;
using Gate.Firmware.Feedback;

namespace Gate.Firmware.Core.Tests;

/// <summary>
/// The device's wall clock is set by SNTP after boot and can jump by hours either way (issue 20). Durations on the
/// device (heartbeat cadence, resend backoff, the police wait, reboot-after-offline) run on the monotonic uptime
/// clock; wall time only stamps messages. Each case steps the wall clock and keeps the uptime clock running.
/// </summary>
public class ClockJumpTests
{
    private static readonly DateTime Morning = new(2026, 12, 7, 7, 30, 0, DateTimeKind.Utc);

    private static ControllerRig RigWithClock(string extra = "")
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson(extra)) { UtcNow = Morning };
        rig.Advance(100);
        return rig;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-5)]
    public void ClockJump_Heartbeats_KeepTheirCadenceAndSequence(int hours)
    {
        var rig = RigWithClock("\"heartbeat_s\":30");
        rig.Advance(10 * 60_000, 100);
        var before = rig.Transport.On(Topics.Heartbeat).Count();

        rig.UtcNow = rig.UtcNow.AddHours(hours);
        rig.Advance(10 * 60_000, 100);
        var beats = rig.Transport.On(Topics.Heartbeat).Select(Decode).ToList();

        // Ten minutes after the jump carry as many beats as any ten minutes at 30 s with jitter (the rule of
        // Controller_Heartbeats_JitteredAroundIntervalWithHealthFields), and no burst or gap at the jump itself.
        Assert.InRange(before, 18, 23);
        Assert.InRange(beats.Count - before, 18, 23);
        Assert.Equal(Enumerable.Range(1, beats.Count).Select(i => (long)i), beats.Select(h => (long)h.Sequence));
        var uptimes = beats.Select(h => h.UptimeMs).ToList();
        Assert.All(uptimes.Zip(uptimes.Skip(1)), p => Assert.InRange(p.Second - p.First, 20_000, 40_000));
    }

    [Fact]
    public void ClockJumpBack_NextAlarm_NewIdHigherSequence_StampFollowsTheWall()
    {
        var rig = RigWithClock();
        rig.PressPanic();
        var first = rig.PublishedAlarms().Single();
        rig.Ack(first.Id, AckStage.Received);
        rig.SendCommand("c1", CommandName.ResetLatch, ts: rig.UtcNow);

        rig.UtcNow = rig.UtcNow.AddHours(-6);
        rig.Advance(1000);
        rig.PressPanic();
        var second = rig.PublishedAlarms().Last(a => !a.Restore && a.Id != first.Id);

        Assert.NotEqual(first.Id, second.Id);
        Assert.True(second.Sequence > first.Sequence, "the sequence orders alarms, not the stamp");
        Assert.True(second.Timestamp < first.Timestamp, "the stamp is the device's wall clock as it is now");
    }

    [Fact]
    public void ClockJumpForward_UnackedAlarm_ResendWaitsForItsBackoffOnUptime()
    {
        var rig = RigWithClock();
        rig.PressPanic();
        var sent = rig.Transport.On(Topics.Alarm).Count();

        // Six hours forward on the wall clock must not make the outbox think its 5 s backoff is long over.
        rig.UtcNow = rig.UtcNow.AddHours(6);
        rig.Advance(1000);
        Assert.Equal(sent, rig.Transport.On(Topics.Alarm).Count());

        rig.Advance(Alarms.AlarmOutbox.FirstResendMs);
        Assert.Equal(sent + 1, rig.Transport.On(Topics.Alarm).Count());
    }

    [Fact]
    public void ClockJumpForward_AfterReceived_NotAtPoliceStillWaitsTheConfiguredSeconds()
    {
        var rig = RigWithClock("\"police_wait_s\":10");
        rig.PressPanic();
        rig.Ack(rig.Controller.PanicAlarmId, AckStage.Received);

        rig.UtcNow = rig.UtcNow.AddHours(2);
        rig.Advance(5_000);
        Assert.Equal(FeedbackPatterns.ReceivedName, rig.Controller.FeedbackPattern);

        rig.Advance(6_000);
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, rig.Controller.FeedbackPattern);
    }

    [Fact]
    public void ClockJumpBack_OfflineDevice_RebootsAfterTheConfiguredUptimeNotTheWall()
    {
        var rig = new ControllerRig(ControllerRig.ConfigJson("\"reboot_after_offline_s\":900")) { UtcNow = Morning };
        rig.Transport.AutoAccept = false;
        rig.Advance(10 * 60_000, 1000);
        rig.UtcNow = rig.UtcNow.AddHours(-3);
        rig.Advance(4 * 60_000, 1000);
        Assert.Equal(PendingAction.None, rig.Controller.Action);
        rig.Advance(61_000, 1000);
        Assert.Equal(PendingAction.Reboot, rig.Controller.Action);
    }

    [Fact]
    public void ClockJumpForward_CommandStampedByTheServerNow_IsCarriedOut()
    {
        // SNTP corrects a clock that was hours behind: a command the server stamps at the true time is within its
        // TTL on the corrected clock and is carried out, not refused as expired or from the future.
        var rig = RigWithClock();
        rig.PressPanic();
        rig.UtcNow = rig.UtcNow.AddHours(4);
        rig.Advance(100);
        rig.SendCommand("c1", CommandName.ResetLatch, ts: rig.UtcNow, ttl: 60);
        Assert.Equal(CommandOutcome.Ok, rig.Results().Single().Result);
        Assert.False(rig.Controller.PanicLatched);
    }

    [Fact]
    public void ClockJumpForward_CommandStampedBeforeTheJump_IsExpiredNotCarriedOut()
    {
        // The other side of the same rule: a command delivered late (a QoS 1 re-delivery after a reconnect) whose
        // stamp is older than its TTL on the corrected clock is answered 'expired' and not carried out.
        var rig = RigWithClock();
        rig.PressPanic();
        var stamp = rig.UtcNow;
        rig.UtcNow = rig.UtcNow.AddHours(1);
        rig.Advance(100);
        rig.SendCommand("c1", CommandName.ResetLatch, ts: stamp, ttl: 60);
        Assert.Equal(CommandOutcome.Expired, rig.Results().Single().Result);
        Assert.True(rig.Controller.PanicLatched);
    }

    private static Heartbeat Decode(Published p)
    {
        Assert.True(WireCodec.TryDecodeHeartbeat(p.Payload, out var h, out var error), error);
        return h;
    }
}
