namespace Gate.Firmware.Core.Tests;

public class OutboxTests
{
    private static Alarm NewAlarm(string kind, int boot, int seq, bool restore = false) => new()
    {
        Id = Identifier.AlarmId("gate-01", boot, seq), Device = "gate-01", Kind = kind, Zone = 1, Sequence = seq,
        BootCount = boot, Timestamp = UtcTime.NotSet, UptimeMs = 1000, Restore = restore,
    };

    [Fact]
    public void Outbox_Add_PersistsBeforeAnyPublish()
    {
        var storage = new MemoryFlashStorage();
        var outbox = new AlarmOutbox(storage, 8);
        outbox.Add(NewAlarm(AlarmKind.Panic, 3, 1), 0);
        Assert.Contains("al3-1", storage.Names);
        Assert.True(WireCodec.TryDecodeAlarm(storage.Read("al3-1"), out var stored, out _));
        Assert.Equal("gate-01.3.1", stored.Id);
    }

    [Fact]
    public void Outbox_RebootBeforePublish_ResendsSameAlarmId()
    {
        var rig = new ControllerRig();
        rig.Transport.AutoAccept = null; // broker unreachable: nothing goes out
        rig.PressPanic();
        var raised = rig.Controller.PanicAlarmId;
        Assert.Empty(rig.PublishedAlarms());

        var after = new ControllerRig(storage: rig.Storage);
        after.Advance(100);
        var sent = after.PublishedAlarms();
        Assert.Equal(raised, sent.Single().Id);
        Assert.Equal(AlarmKind.Panic, sent[0].Kind);
        Assert.Equal(2, after.Controller.BootCount);
        Assert.True(after.Controller.PanicLatched);
    }

    [Fact]
    public void Outbox_RebootAfterPublishBeforeAck_ResendsSameBytes()
    {
        var rig = ControllerRig.PanicPressed();
        var first = rig.Transport.On(Topics.Alarm).First();

        var after = new ControllerRig(storage: rig.Storage);
        after.Advance(100);
        var again = after.Transport.On(Topics.Alarm).Single();
        Assert.Equal(first.Payload, again.Payload);
        Assert.Equal(1, after.Controller.Outbox.Count);
    }

    [Fact]
    public void Outbox_RebootAfterAck_DoesNotResend()
    {
        var rig = ControllerRig.PanicPressed();
        rig.AckPanic(AckStage.Received);
        Assert.Equal(0, rig.Controller.Outbox.Count);
        Assert.DoesNotContain(rig.Storage.Names, n => n.StartsWith(AlarmOutbox.RecordPrefix, StringComparison.Ordinal));

        var after = new ControllerRig(storage: rig.Storage);
        after.Advance(5_000);
        // The server had it before the reboot: received, not sending (and "not at the police" once the wait passes
        // with no later stage, which the server re-sends on reconnect).
        Assert.Equal(FeedbackPatternsNames.Received, after.Controller.FeedbackPattern);
        after.Advance(115_000);
        Assert.Empty(after.PublishedAlarms());
    }

    [Fact]
    public void Outbox_NoAck_ResendsWithGrowingIntervalUntilReceived()
    {
        var rig = ControllerRig.PanicPressed();
        rig.Advance(5_000 + 10_000 + 20_000 + 100);
        var ids = rig.PublishedAlarms().Select(a => a.Id).ToList();
        Assert.Equal(4, ids.Count);
        Assert.All(ids, id => Assert.Equal(ids[0], id));
        rig.Ack(ids[0], AckStage.Received);
        rig.Advance(300_000);
        Assert.Equal(4, rig.PublishedAlarms().Count);
    }

    [Theory]
    [InlineData(1, 5000)]
    [InlineData(2, 10000)]
    [InlineData(4, 40000)]
    [InlineData(5, 60000)]
    [InlineData(50, 60000)]
    public void Outbox_ResendDelay_DoublesToOneMinute(int attempts, long expected)
    {
        Assert.Equal(expected, AlarmOutbox.ResendDelayMs(attempts));
    }

    [Fact]
    public void Outbox_Full_DropsTestsThenRestoresButNeverPanic()
    {
        var storage = new MemoryFlashStorage();
        var outbox = new AlarmOutbox(storage, 4);
        Assert.True(outbox.Add(NewAlarm(AlarmKind.Panic, 1, 1), 0));
        Assert.True(outbox.Add(NewAlarm(AlarmKind.Tamper, 1, 2, restore: true), 0));
        Assert.True(outbox.Add(NewAlarm(AlarmKind.PeriodicTest, 1, 3), 0));
        Assert.True(outbox.Add(NewAlarm(AlarmKind.PowerLoss, 1, 4), 0));

        Assert.True(outbox.Add(NewAlarm(AlarmKind.Panic, 1, 5), 0));
        Assert.Null(outbox.Find("gate-01.1.3"));
        Assert.True(outbox.Add(NewAlarm(AlarmKind.Duress, 1, 6), 0));
        Assert.Null(outbox.Find("gate-01.1.2"));
        Assert.True(outbox.Add(NewAlarm(AlarmKind.Panic, 1, 7), 0));
        Assert.Null(outbox.Find("gate-01.1.4"));

        // Only life-safety alarms left: another panic still gets in; a tamper does not.
        Assert.True(outbox.Add(NewAlarm(AlarmKind.Panic, 1, 8), 0));
        Assert.False(outbox.Add(NewAlarm(AlarmKind.Tamper, 1, 9), 0));
        Assert.Equal(5, outbox.Count);
        Assert.All(new[] { 1, 5, 6, 7, 8 }, seq => Assert.NotNull(outbox.Find("gate-01.1." + seq)));
        Assert.Equal(5, storage.List(AlarmOutbox.RecordPrefix).Length);
    }

    [Fact]
    public void Outbox_TakeDue_LifeSafetyFirstAndBounded()
    {
        var outbox = new AlarmOutbox(new MemoryFlashStorage(), 16);
        for (int i = 1; i <= 6; i++)
        {
            outbox.Add(NewAlarm(AlarmKind.Tamper, 1, i), 0);
        }

        outbox.Add(NewAlarm(AlarmKind.Panic, 1, 7), 0);
        var due = outbox.TakeDue(0, 4);
        Assert.Equal(4, due.Length);
        Assert.Equal("gate-01.1.7", due[0].Id);
        Assert.Equal(3, outbox.TakeDue(0, 4).Length);
        Assert.Empty(outbox.TakeDue(4999, 4));
    }

    [Fact]
    public void Outbox_LoadAfterReboot_OrdersByBootThenSequenceAndDropsCorruptRecords()
    {
        var storage = new MemoryFlashStorage();
        var outbox = new AlarmOutbox(storage, 16);
        outbox.Add(NewAlarm(AlarmKind.Tamper, 2, 10), 0);
        outbox.Add(NewAlarm(AlarmKind.Tamper, 2, 9), 0);
        outbox.Add(NewAlarm(AlarmKind.Tamper, 1, 30), 0);
        storage.Write("al2-11", "{\"v\":1,\"id\":"u8.ToArray());

        var reloaded = new AlarmOutbox(storage, 16);
        Assert.Equal(1, reloaded.Load(out var highest));
        Assert.Equal(2, highest);
        Assert.Equal(new[] { "gate-01.1.30", "gate-01.2.9", "gate-01.2.10" }, Enumerable.Range(0, reloaded.Count).Select(i => reloaded.Get(i).Id));
        Assert.DoesNotContain("al2-11", storage.Names);
    }

    [Fact]
    public void BootCounter_LostRecord_NeverRepeatsAnIdStillInOutbox()
    {
        var rig = new ControllerRig();
        rig.Transport.AutoAccept = null;
        var first = new ControllerRig(storage: rig.Storage);
        first.Transport.AutoAccept = null;
        first.PressPanic();
        Assert.Equal("gate-01.2.1", first.Controller.PanicAlarmId);
        rig.Storage.Delete(BootCounter.RecordName);

        var after = new ControllerRig(storage: rig.Storage);
        Assert.Equal(3, after.Controller.BootCount);
    }

    [Fact]
    public void Outbox_FlashFails_AlarmStillSentAndTroubleShown()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Storage.FailWrites = true;
        rig.PressPanic();
        Assert.Single(rig.PublishedAlarms());
        Assert.True(rig.Controller.Trouble);
    }

    [Fact]
    public void Outbox_ClockSetAfterAlarm_BackdatesTimestampFromUptime()
    {
        var rig = new ControllerRig();
        rig.Transport.AutoAccept = null;
        rig.Advance(1000);
        rig.PressPanic();
        var entry = rig.Controller.Outbox.Get(0);
        Assert.Equal(UtcTime.NotSet, entry.Alarm.Timestamp);
        long raisedUp = entry.Alarm.UptimeMs;
        var set = new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);
        rig.UtcNow = set;
        rig.Advance(10);
        Assert.Equal(set.AddMilliseconds(10 - (rig.NowMs - raisedUp)), rig.Controller.Outbox.Get(0).Alarm.Timestamp);
        Assert.True(WireCodec.TryDecodeAlarm(rig.Storage.Read(entry.RecordName), out var stored, out _));
        Assert.True(UtcTime.IsSet(stored.Timestamp));
    }
}

internal static class FeedbackPatternsNames
{
    public const string Received = Gate.Firmware.Feedback.FeedbackPatterns.ReceivedName;
}
