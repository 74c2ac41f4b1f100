using Gate.Firmware.Devices;

namespace Gate.Firmware.Core.Tests;

/// <summary>Panic and duress are one object, LatchedAlarm, with their own kind, zone and flash record.</summary>
public class LatchedAlarmTests
{
    public static TheoryData<string, int, string> Buttons => new()
    {
        { AlarmKind.Panic, Zones.Panic, LatchedAlarm.PanicRecord },
        { AlarmKind.Duress, Zones.Duress, LatchedAlarm.DuressRecord },
    };

    private sealed class Rig
    {
        public Rig(MemoryFlashStorage? storage = null)
        {
            Storage = storage ?? new MemoryFlashStorage();
            Outbox = new AlarmOutbox(Storage, 64);
            Raiser = new AlarmRaiser("gate-01", Outbox) { Boot = 3 };
            Raiser.Raised += (a, _) => Raised.Add(a);
        }

        public MemoryFlashStorage Storage { get; }

        public AlarmOutbox Outbox { get; }

        public AlarmRaiser Raiser { get; }

        public PoliceDeliveryWatch Watch { get; } = new(10_000);

        public List<Alarm> Raised { get; } = new();

        public LatchedAlarm New(string kind, int zone, string record) => new(new PanicButton(100), kind, zone, record, Storage, Raiser, Watch);
    }

    private static void Press(LatchedAlarm latch, long atMs, bool drill = false)
    {
        Assert.False(latch.Update(true, drill, atMs));
        Assert.True(latch.Update(true, drill, atMs + 100));
        Assert.False(latch.Update(false, drill, atMs + 200));
    }

    [Theory]
    [MemberData(nameof(Buttons))]
    public void Latch_EveryPress_IsItsOwnAlarmOfItsKindAndZoneFollowedToThePolice(string kind, int zone, string record)
    {
        var rig = new Rig();
        var latch = rig.New(kind, zone, record);

        Press(latch, 0);
        Press(latch, 1_000);

        Assert.Equal(2, rig.Raised.Count);
        Assert.All(rig.Raised, a => Assert.Equal((kind, zone, false), (a.Kind, a.Zone, a.Restore)));
        Assert.Equal(new[] { "gate-01.3.1", "gate-01.3.2" }, rig.Raised.Select(a => a.Id));
        Assert.True(latch.Latched);
        Assert.Equal(2, latch.PressCount);
        Assert.Equal("gate-01.3.2", latch.AlarmId);
        Assert.True(latch.HoldsRealAlarm);
        Assert.Equal("", rig.Watch.StageOf("gate-01.3.1"));
        Assert.Equal("", rig.Watch.StageOf("gate-01.3.2"));
        // The record follows the latest press.
        Assert.Equal("gate-01.3.2;2;0", rig.Storage.ReadText(record));
    }

    [Theory]
    [MemberData(nameof(Buttons))]
    public void Latch_SetInDrillMode_SendsDrillsUntilResetEvenAfterDrillModeEnds(string kind, int zone, string record)
    {
        var rig = new Rig();
        var latch = rig.New(kind, zone, record);

        Press(latch, 0, drill: true);
        Press(latch, 1_000, drill: false);

        Assert.Equal(new[] { AlarmKind.Drill, AlarmKind.Drill }, rig.Raised.Select(a => a.Kind));
        Assert.True(latch.IsDrill);
        Assert.False(latch.HoldsRealAlarm);
        Assert.Equal("gate-01.3.2;2;1", rig.Storage.ReadText(record));

        latch.Reset();
        Press(latch, 2_000, drill: false);
        Assert.Equal(kind, rig.Raised[^1].Kind);
    }

    [Theory]
    [MemberData(nameof(Buttons))]
    public void Latch_AfterReboot_RestoresFromItsRecordAndFollowsItsAlarmAgain(string kind, int zone, string record)
    {
        var before = new Rig();
        var first = before.New(kind, zone, record);
        Press(first, 0);
        Press(first, 1_000);
        // The server stored the first press; the second is still in the outbox.
        before.Outbox.Acknowledge("gate-01.3.1");

        var after = new Rig(before.Storage);
        after.Outbox.Load(out _);
        var restored = after.New(kind, zone, record);
        restored.Restore(after.Outbox, 50_000);

        Assert.True(restored.Latched);
        Assert.Equal(2, restored.PressCount);
        Assert.Equal("gate-01.3.2", restored.AlarmId);
        Assert.True(restored.HoldsRealAlarm);
        Assert.Equal("", after.Watch.StageOf("gate-01.3.2"));
        Assert.Empty(after.Raised);
    }

    [Theory]
    [MemberData(nameof(Buttons))]
    public void Latch_RestoredWhoseAlarmLeftTheOutbox_IsFollowedAsReceived(string kind, int zone, string record)
    {
        var before = new Rig();
        Press(before.New(kind, zone, record), 0);
        before.Outbox.Acknowledge("gate-01.3.1");

        var after = new Rig(before.Storage);
        after.Outbox.Load(out _);
        after.New(kind, zone, record).Restore(after.Outbox, 0);

        Assert.Equal(AckStage.Received, after.Watch.StageOf("gate-01.3.1"));
    }

    [Theory]
    [MemberData(nameof(Buttons))]
    public void Latch_Reset_EndsTheLatchForgetsTheRecordAndAHeldButtonDoesNotRetrigger(string kind, int zone, string record)
    {
        var rig = new Rig();
        var latch = rig.New(kind, zone, record);
        Assert.False(latch.Update(true, false, 0));
        Assert.True(latch.Update(true, false, 100));

        latch.Reset();

        Assert.False(latch.Latched);
        Assert.Null(latch.AlarmId);
        Assert.DoesNotContain(record, rig.Storage.Names);
        Assert.False(latch.Update(true, false, 5_000));
        Assert.Single(rig.Raised);
        Assert.False(new Rig(rig.Storage).New(kind, zone, record).Latched);
    }

    [Fact]
    public void Latch_FlashFails_LatchStillHoldsInMemory()
    {
        var rig = new Rig();
        var latch = rig.New(AlarmKind.Panic, Zones.Panic, LatchedAlarm.PanicRecord);
        rig.Storage.FailWrites = true;

        Press(latch, 0);

        Assert.True(latch.Latched);
        Assert.NotNull(latch.AlarmId);
    }

    [Fact]
    public void Latches_PanicAndDuress_KeepTheirOwnRecordsAndIds()
    {
        var rig = new Rig();
        var panic = rig.New(AlarmKind.Panic, Zones.Panic, LatchedAlarm.PanicRecord);
        var duress = rig.New(AlarmKind.Duress, Zones.Duress, LatchedAlarm.DuressRecord);

        Press(panic, 0);
        Press(duress, 1_000);
        panic.Reset();

        Assert.Null(panic.AlarmId);
        Assert.Equal("gate-01.3.2", duress.AlarmId);
        Assert.DoesNotContain(LatchedAlarm.PanicRecord, rig.Storage.Names);
        Assert.Equal("gate-01.3.2;1;0", rig.Storage.ReadText(LatchedAlarm.DuressRecord));
    }
}
