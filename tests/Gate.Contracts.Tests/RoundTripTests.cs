namespace Gate.Contracts.Tests;

/// <summary>What one half encodes, the other half decodes to the same message.</summary>
public class RoundTripTests
{
    private static readonly DateTime T = new(2026, 11, 23, 7, 16, 41, 250, DateTimeKind.Utc);

    public static IEnumerable<object[]> Messages()
    {
        yield return [new Heartbeat
        {
            Device = "gate-01", Sequence = long.MaxValue, UptimeMs = 1, Timestamp = T, Firmware = "大门 1.0 🚧", BootCount = int.MaxValue,
            ResetReason = ResetReason.Watchdog, Inputs = new InputStates { Panic = PanicLoop.Latched, Duress = DuressInput.Active, Tamper = true, Bollard = BollardPosition.Moving, Barrier = BarrierPosition.Open },
            Mains = false, BatteryMillivolts = 11900, OutboxDepth = 3, FreeMemory = 1, Rssi = -127, IntervalSeconds = 300, Drill = true,
        }];
        yield return [new Heartbeat { Device = "a", Firmware = "1", Timestamp = UtcTime.NotSet, ResetReason = ResetReason.PowerOn }];
        yield return [new Alarm
        {
            Id = "gate-01.7.3", Device = "gate-01", Kind = AlarmKind.SilentPanic, Zone = 999, Sequence = 3, BootCount = 7, Timestamp = T,
            UptimeMs = 5, Restore = true, Count = 12, Detail = "quote \" backslash \\ slash / 门",
        }];
        yield return [new Alarm { Id = "d.0.1", Device = "d", Kind = AlarmKind.Panic, Sequence = 1, Timestamp = UtcTime.NotSet }];
        yield return [new AlarmAck { Id = "gate-01.7.3", Stage = AckStage.OperatorAck, Timestamp = T, Path = "webhook" }];
        yield return [new AlarmAck { Id = "gate-01.7.3", Stage = AckStage.Received, Timestamp = T }];
        yield return [new DeviceState { Device = "gate-01", Sequence = 9, Timestamp = T, UptimeMs = 77, Bollard = BollardPosition.Fault, Barrier = BarrierPosition.Unknown }];
        yield return [new Command { Id = "cmd-1", Name = CommandName.ReloadConfig, Timestamp = T, TtlSeconds = 1 }];
        yield return [new Command { Id = "cmd-2", Name = CommandName.ResetLatch, Timestamp = T }];
        yield return [new CommandResult { Id = "cmd-1", Device = "gate-01", Result = CommandOutcome.Expired, Detail = "clock 5 s ahead", Timestamp = UtcTime.NotSet }];
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void PortableEncode_ServerDecode_GivesTheSameMessage(object message) =>
        AssertDecodesToTheSame(message, Codecs.PortableEncode(message), (name, payload) => Codecs.Server(name, payload));

    [Theory]
    [MemberData(nameof(Messages))]
    public void ServerEncode_PortableDecode_GivesTheSameMessage(object message) =>
        AssertDecodesToTheSame(message, Codecs.ServerEncode(message), Codecs.Portable);

    private static void AssertDecodesToTheSame(object message, byte[] payload, Func<string, byte[], Decoded> decode)
    {
        var decoded = decode(Codecs.MessageName(message), payload);
        Assert.True(decoded.Ok, decoded.Error + " for " + Encoding.UTF8.GetString(payload));
        Assert.Equal(Normalised(message), Codecs.Flatten(decoded.Message));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void BothEncoders_AsciiMessage_ProduceIdenticalBytes(object message)
    {
        string portable = Encoding.UTF8.GetString(Codecs.PortableEncode(message));
        if (portable.Any(c => c > 127))
        {
            // Non-ASCII is written raw by the portable writer and \u-escaped by Utf8JsonWriter: same text, other bytes.
            return;
        }

        Assert.Equal(portable, Encoding.UTF8.GetString(Codecs.ServerEncode(message)));
    }

    [Fact]
    public void Encoders_LargestPossibleHeartbeat_FitsThePayloadLimit()
    {
        var m = new Heartbeat
        {
            Device = new string('d', Limits.MaxIdentifierLength), Sequence = long.MinValue + 1, UptimeMs = long.MaxValue, Timestamp = T,
            Firmware = new string('门', Limits.MaxFirmwareLength), BootCount = int.MaxValue, ResetReason = ResetReason.DeepSleep,
            Inputs = new InputStates { Panic = PanicLoop.Latched, Duress = DuressInput.Normal, Tamper = true, Bollard = BollardPosition.Unknown, Barrier = BarrierPosition.Unknown },
            BatteryMillivolts = int.MaxValue, OutboxDepth = int.MaxValue, FreeMemory = int.MaxValue, Rssi = -127, IntervalSeconds = 300, Drill = true,
        };
        Assert.InRange(WireCodec.EncodeHeartbeat(m).Length, 1, Limits.MaxPayloadBytes);
        Assert.InRange(WireEncoder.EncodeHeartbeat(m).Length, 1, Limits.MaxPayloadBytes);
    }

    [Fact]
    public void Encoders_LargestPossibleAlarm_FitsThePayloadLimit()
    {
        var m = new Alarm
        {
            Id = new string('d', 32) + ".4294967295.2147483647", Device = new string('d', 32), Kind = AlarmKind.BarrierForced, Zone = 999,
            Sequence = int.MaxValue, BootCount = int.MaxValue, Timestamp = T, UptimeMs = long.MaxValue, Restore = true, Count = int.MaxValue,
            Detail = new string('"', Limits.MaxStringLength),
        };
        Assert.True(Identifier.IsValidAlarmId(m.Id));
        Assert.InRange(WireCodec.EncodeAlarm(m).Length, 1, Limits.MaxPayloadBytes);
        Assert.InRange(WireEncoder.EncodeAlarm(m).Length, 1, Limits.MaxPayloadBytes);
        Assert.True(WireDecoder.TryDecodeAlarm(WireCodec.EncodeAlarm(m), out var back, out var error), error);
        Assert.Equal(m.Detail, back.Detail);
    }

    [Fact]
    public void PortableEncode_TimeBefore1970_TravelsAsNull()
    {
        var m = new DeviceState { Device = "d", Timestamp = new DateTime(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc) };
        Assert.Contains("\"ts\":null", Encoding.UTF8.GetString(WireCodec.EncodeState(m)), StringComparison.Ordinal);
    }

    [Fact]
    public void PortableEncode_LoneSurrogateInText_BecomesReplacementCharacter()
    {
        var m = new CommandResult { Id = "c", Device = "d", Result = CommandOutcome.Failed, Detail = "x\ud800y", Timestamp = T };
        byte[] payload = WireCodec.EncodeResult(m);
        Assert.True(WireDecoder.TryDecodeResult(payload, out var back, out var error), error);
        Assert.Equal("x\ufffdy", back.Detail);
    }

    [Fact]
    public void StatusPayloads_RoundTrip()
    {
        Assert.True(WireDecoder.TryDecodeStatus(WireCodec.EncodeStatus(true), out var online, out _));
        Assert.Equal(Topics.Online, online);
        Assert.True(WireCodec.TryDecodeStatus(WireCodec.EncodeStatus(false), out var offline, out _));
        Assert.Equal(Topics.Offline, offline);
    }

    /// <summary>What a message looks like after a trip over the wire: sub-milliseconds dropped, unset clocks as NotSet.</summary>
    private static SortedDictionary<string, object?> Normalised(object message)
    {
        var flat = Codecs.Flatten(message);
        foreach (var f in message.GetType().GetFields().Where(f => f.FieldType == typeof(DateTime)))
        {
            var t = (DateTime)f.GetValue(message)!;
            flat[f.Name] = UtcTime.IsSet(t)
                ? (t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond)) + "Z"
                : UtcTime.NotSet.Ticks + "?";
        }

        return flat;
    }
}
