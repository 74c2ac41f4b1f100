using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gate.Contracts;

namespace Gate.Server.Wire;

/// <summary>
/// Server-side encoder (Utf8JsonWriter) for the payloads the server sends (ack, cmd), and for the device
/// payloads too, so tests and simulators can speak as a device. Same field order, optional-field rule and time
/// form as the portable <see cref="WireCodec"/>, so for ASCII text both produce identical bytes. Non-ASCII text
/// is escaped here (\uXXXX) where the portable writer writes it raw; both decode to the same message.
/// </summary>
public static class WireEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Relaxed: the payload goes to MQTT, not into HTML, so '+', '<' or '&' in a detail stay readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] EncodeAck(AlarmAck ack) => Encode(ack, static (w, m) =>
    {
        w.WriteString("id", m.Id);
        w.WriteString("stage", m.Stage);
        WriteTime(w, m.Timestamp);
        if (!string.IsNullOrEmpty(m.Path))
        {
            w.WriteString("path", m.Path);
        }
    });

    public static byte[] EncodeCommand(Command command) => Encode(command, static (w, m) =>
    {
        w.WriteString("id", m.Id);
        w.WriteString("name", m.Name);
        WriteTime(w, m.Timestamp);
        if (m.TtlSeconds != Limits.DefaultCommandTtlSeconds)
        {
            w.WriteNumber("ttl_s", m.TtlSeconds);
        }
    });

    public static byte[] EncodeHeartbeat(Heartbeat heartbeat) => Encode(heartbeat, static (w, m) =>
    {
        w.WriteString("dev", m.Device);
        w.WriteNumber("seq", m.Sequence);
        w.WriteNumber("up", m.UptimeMs);
        WriteTime(w, m.Timestamp);
        w.WriteString("fw", m.Firmware);
        w.WriteNumber("boot", m.BootCount);
        w.WriteString("reset", m.ResetReason);
        var i = m.Inputs ?? new InputStates();
        w.WriteStartObject("in");
        w.WriteString("panic", i.Panic);
        w.WriteString("duress", i.Duress);
        w.WriteBoolean("tamper", i.Tamper);
        w.WriteString("bollard", i.Bollard);
        w.WriteString("barrier", i.Barrier);
        w.WriteEndObject();
        w.WriteBoolean("mains", m.Mains);
        w.WriteNumber("batt_mv", m.BatteryMillivolts);
        w.WriteNumber("outbox", m.OutboxDepth);
        w.WriteNumber("heap", m.FreeMemory);
        w.WriteNumber("rssi", m.Rssi);
        w.WriteNumber("int_s", m.IntervalSeconds);
        if (m.Drill)
        {
            w.WriteBoolean("drill", true);
        }
    });

    public static byte[] EncodeAlarm(Alarm alarm) => Encode(alarm, static (w, m) =>
    {
        w.WriteString("id", m.Id);
        w.WriteString("dev", m.Device);
        w.WriteString("kind", m.Kind);
        w.WriteNumber("zone", m.Zone);
        w.WriteNumber("seq", m.Sequence);
        w.WriteNumber("boot", m.BootCount);
        WriteTime(w, m.Timestamp);
        w.WriteNumber("up", m.UptimeMs);
        w.WriteBoolean("restore", m.Restore);
        if (m.Count != 1)
        {
            w.WriteNumber("count", m.Count);
        }

        if (!string.IsNullOrEmpty(m.Detail))
        {
            w.WriteString("detail", m.Detail);
        }
    });

    public static byte[] EncodeState(DeviceState state) => Encode(state, static (w, m) =>
    {
        w.WriteString("dev", m.Device);
        w.WriteNumber("seq", m.Sequence);
        WriteTime(w, m.Timestamp);
        w.WriteNumber("up", m.UptimeMs);
        w.WriteString("bollard", m.Bollard);
        w.WriteString("barrier", m.Barrier);
    });

    public static byte[] EncodeResult(CommandResult result) => Encode(result, static (w, m) =>
    {
        w.WriteString("id", m.Id);
        w.WriteString("dev", m.Device);
        w.WriteString("result", m.Result);
        if (!string.IsNullOrEmpty(m.Detail))
        {
            w.WriteString("detail", m.Detail);
        }

        WriteTime(w, m.Timestamp);
    });

    private static byte[] Encode<T>(T message, Action<Utf8JsonWriter, T> body)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteNumber("v", Limits.ProtocolVersion);
        body(writer, message);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTime(Utf8JsonWriter w, DateTime t)
    {
        if (UtcTime.IsSet(t))
        {
            w.WriteString("ts", WireTime.Format(t));
        }
        else
        {
            w.WriteNull("ts");
        }
    }
}
