namespace Gate.Benchmarks;

/// <summary>Realistic v1 payloads, encoded by the firmware-side codec exactly as a device sends them.</summary>
public static class Payloads
{
    public static Heartbeat Heartbeat() => new()
    {
        Device = "zz-gate-01",
        Sequence = 123456,
        UptimeMs = 987654321,
        Timestamp = new DateTime(2026, 11, 23, 7, 16, 41, DateTimeKind.Utc),
        Firmware = "1.4.2",
        BootCount = 17,
        ResetReason = ResetReason.PowerOn,
        Inputs = new InputStates { Panic = PanicLoop.Normal, Duress = DuressInput.None, Tamper = false, Bollard = BollardPosition.Down, Barrier = BarrierPosition.Closed },
        Mains = true,
        BatteryMillivolts = 13200,
        OutboxDepth = 0,
        FreeMemory = 81234,
        Rssi = -61,
        IntervalSeconds = 30,
    };

    public static Alarm Alarm() => new()
    {
        Id = "zz-gate-01.17.3",
        Device = "zz-gate-01",
        Kind = AlarmKind.Panic,
        Zone = 1,
        Sequence = 3,
        BootCount = 17,
        Timestamp = new DateTime(2026, 11, 23, 7, 16, 41, 250, DateTimeKind.Utc),
        UptimeMs = 987654321,
        Restore = false,
    };

    public static byte[] HeartbeatBytes() => WireCodec.EncodeHeartbeat(Heartbeat());

    public static byte[] AlarmBytes() => WireCodec.EncodeAlarm(Alarm());
}
