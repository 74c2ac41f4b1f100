namespace Gate.Contracts.Tests;

/// <summary>The outcome of one decoder on one payload.</summary>
public sealed record Decoded(bool Ok, string? Error, object? Message)
{
    public override string ToString() => Ok ? "valid" : "rejected " + Error;
}

/// <summary>Runs a payload through the portable WireCodec or the server WireDecoder by message type name.</summary>
public static class Codecs
{
    public static Decoded Portable(string message, byte[] payload)
    {
        bool ok;
        string error;
        object? m;
        switch (message)
        {
            case "heartbeat": ok = WireCodec.TryDecodeHeartbeat(payload, out var h, out error); m = h; break;
            case "alarm": ok = WireCodec.TryDecodeAlarm(payload, out var a, out error); m = a; break;
            case "ack": ok = WireCodec.TryDecodeAck(payload, out var k, out error); m = k; break;
            case "state": ok = WireCodec.TryDecodeState(payload, out var s, out error); m = s; break;
            case "command": ok = WireCodec.TryDecodeCommand(payload, out var c, out error); m = c; break;
            case "result": ok = WireCodec.TryDecodeResult(payload, out var r, out error); m = r; break;
            case "status": ok = WireCodec.TryDecodeStatus(payload, out var t, out error); m = t; break;
            default: throw new ArgumentOutOfRangeException(nameof(message), message, null);
        }

        return new Decoded(ok, error, m);
    }

    public static Decoded Server(string message, ReadOnlySpan<byte> payload)
    {
        bool ok;
        string? error;
        object? m;
        switch (message)
        {
            case "heartbeat": ok = WireDecoder.TryDecodeHeartbeat(payload, out var h, out error); m = h; break;
            case "alarm": ok = WireDecoder.TryDecodeAlarm(payload, out var a, out error); m = a; break;
            case "ack": ok = WireDecoder.TryDecodeAck(payload, out var k, out error); m = k; break;
            case "state": ok = WireDecoder.TryDecodeState(payload, out var s, out error); m = s; break;
            case "command": ok = WireDecoder.TryDecodeCommand(payload, out var c, out error); m = c; break;
            case "result": ok = WireDecoder.TryDecodeResult(payload, out var r, out error); m = r; break;
            case "status": ok = WireDecoder.TryDecodeStatus(payload, out var t, out error); m = t; break;
            default: throw new ArgumentOutOfRangeException(nameof(message), message, null);
        }

        return new Decoded(ok, error, m);
    }

    public static byte[] PortableEncode(object message) => message switch
    {
        Heartbeat m => WireCodec.EncodeHeartbeat(m),
        Alarm m => WireCodec.EncodeAlarm(m),
        AlarmAck m => WireCodec.EncodeAck(m),
        DeviceState m => WireCodec.EncodeState(m),
        Command m => WireCodec.EncodeCommand(m),
        CommandResult m => WireCodec.EncodeResult(m),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };

    public static byte[] ServerEncode(object message) => message switch
    {
        Heartbeat m => WireEncoder.EncodeHeartbeat(m),
        Alarm m => WireEncoder.EncodeAlarm(m),
        AlarmAck m => WireEncoder.EncodeAck(m),
        DeviceState m => WireEncoder.EncodeState(m),
        Command m => WireEncoder.EncodeCommand(m),
        CommandResult m => WireEncoder.EncodeResult(m),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };

    public static string MessageName(object message) => message switch
    {
        Heartbeat => "heartbeat",
        Alarm => "alarm",
        AlarmAck => "ack",
        DeviceState => "state",
        Command => "command",
        CommandResult => "result",
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };

    /// <summary>Every public field, nested "Inputs.Panic" style, with its value: for comparing two decoded messages.</summary>
    public static SortedDictionary<string, object?> Flatten(object? message)
    {
        var result = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        if (message is string s)
        {
            result["Status"] = s;
            return result;
        }

        Flatten(message, string.Empty, result);
        return result;
    }

    private static void Flatten(object? o, string prefix, SortedDictionary<string, object?> into)
    {
        if (o is null)
        {
            return;
        }

        foreach (var f in o.GetType().GetFields())
        {
            object? v = f.GetValue(o);
            if (f.FieldType == typeof(InputStates))
            {
                Flatten(v, prefix + f.Name + ".", into);
            }
            else
            {
                into[prefix + f.Name] = v is DateTime t ? t.Ticks + (t.Kind == DateTimeKind.Utc ? "Z" : "?") : v;
            }
        }
    }
}
