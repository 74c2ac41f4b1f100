using System;

namespace Gate.Contracts
{
    // Plain message classes: public fields, no generics, no records, so they compile on nanoFramework.
    // A DateTime field equal to DateTime.MinValue means "device clock not set" and travels as "ts": null.

    /// <summary>Inputs as the heartbeat reports them.</summary>
    public sealed class InputStates
    {
        public string Panic = PanicLoop.Normal;
        public string Duress = DuressInput.None;
        public bool Tamper;
        public string Bollard = BollardPosition.None;
        public string Barrier = BarrierPosition.None;
    }

    public sealed class Heartbeat
    {
        public string Device;
        public long Sequence;
        public long UptimeMs;
        public DateTime Timestamp;
        public string Firmware;
        public int BootCount;
        public string ResetReason = Gate.Contracts.ResetReason.Unknown;
        public InputStates Inputs = new InputStates();
        public bool Mains;
        public int BatteryMillivolts;
        public int OutboxDepth;
        public int FreeMemory;
        public int Rssi;
        public int IntervalSeconds = Limits.DefaultHeartbeatSeconds;
        public bool Drill;
    }

    public sealed class Alarm
    {
        public string Id;
        public string Device;
        public string Kind;
        public int Zone;
        public int Sequence;
        public int BootCount;
        public DateTime Timestamp;
        public long UptimeMs;
        public bool Restore;
        public int Count = 1;
        public string Detail;
    }

    public sealed class AlarmAck
    {
        public string Id;
        public string Stage;
        public DateTime Timestamp;
        public string Path;
    }

    public sealed class DeviceState
    {
        public string Device;
        public long Sequence;
        public DateTime Timestamp;
        public long UptimeMs;
        public string Bollard = BollardPosition.None;
        public string Barrier = BarrierPosition.None;
    }

    public sealed class Command
    {
        public string Id;
        public string Name;
        public DateTime Timestamp;
        public int TtlSeconds = Limits.DefaultCommandTtlSeconds;
    }

    public sealed class CommandResult
    {
        public string Id;
        public string Device;
        public string Result;
        public string Detail;
        public DateTime Timestamp;
    }
}
