using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using Gate.Contracts;

namespace Gate.Server.Wire;

/// <summary>
/// The server-side decoder of every v1 payload, built on Utf8JsonReader so that ingesting heartbeats at
/// province scale costs one pass over the bytes and no intermediate document. It is written independently of
/// the portable <see cref="WireCodec"/> on purpose: the shared test vectors run through both, so a rule that
/// drifts in one of them fails a test instead of splitting the fleet.
/// <para>
/// The rules (docs/protocol.md): empty → "empty"; over 1024 bytes → "too_large"; anything that is not one
/// well-formed JSON object (also invalid UTF-8, lone surrogates, nesting deeper than 8, a duplicate key in any
/// object, a number beyond double range) → "malformed_json"; "v" not the integer 1 → "unsupported_version";
/// then each field in table order → "missing_field:f", "bad_type:f" or "bad_value:f". The whole payload is
/// read before any field is judged, so a syntax error late in the payload always wins.
/// </para>
/// Never throws.
/// </summary>
public static class WireDecoder
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = Limits.MaxJsonDepth };

    public static bool TryDecodeHeartbeat(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Heartbeat? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        WireSlots buffer = default;
        Span<WireSlot> slots = buffer;
        if (!Read(payload, WireShape.Heartbeat, slots, out error))
        {
            return false;
        }

        var c = new SlotCursor(slots);
        var m = new Heartbeat
        {
            Device = c.Text(),
            Sequence = c.Integer(),
            UptimeMs = c.Integer(),
            Timestamp = c.Time(),
            Firmware = c.Text(),
            BootCount = (int)c.Integer(),
            ResetReason = c.Text(),
        };
        c.Skip(); // "in" itself
        m.Inputs.Panic = c.Text();
        m.Inputs.Duress = c.Text();
        m.Inputs.Tamper = c.Bool(false);
        m.Inputs.Bollard = c.Text();
        m.Inputs.Barrier = c.Text();
        m.Mains = c.Bool(false);
        m.BatteryMillivolts = (int)c.Integer();
        m.OutboxDepth = (int)c.Integer();
        m.FreeMemory = (int)c.Integer();
        m.Rssi = (int)c.Integer();
        m.IntervalSeconds = (int)c.Integer();
        m.Drill = c.Bool(false);
        message = m;
        return true;
    }

    public static bool TryDecodeAlarm(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Alarm? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        WireSlots buffer = default;
        Span<WireSlot> slots = buffer;
        if (!Read(payload, WireShape.Alarm, slots, out error))
        {
            return false;
        }

        var c = new SlotCursor(slots);
        message = new Alarm
        {
            Id = c.Text(),
            Device = c.Text(),
            Kind = c.Text(),
            Zone = (int)c.Integer(),
            Sequence = (int)c.Integer(),
            BootCount = (int)c.Integer(),
            Timestamp = c.Time(),
            UptimeMs = c.Integer(),
            Restore = c.Bool(false),
            Count = (int)c.Integer(1),
            Detail = c.TextOrNull(),
        };
        return true;
    }

    public static bool TryDecodeAck(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out AlarmAck? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        WireSlots buffer = default;
        Span<WireSlot> slots = buffer;
        if (!Read(payload, WireShape.Ack, slots, out error))
        {
            return false;
        }

        var c = new SlotCursor(slots);
        message = new AlarmAck
        {
            Id = c.Text(),
            Stage = c.Text(),
            Timestamp = c.Time(),
            Path = c.TextOrNull(),
        };
        return true;
    }

    public static bool TryDecodeState(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out DeviceState? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        WireSlots buffer = default;
        Span<WireSlot> slots = buffer;
        if (!Read(payload, WireShape.State, slots, out error))
        {
            return false;
        }

        var c = new SlotCursor(slots);
        message = new DeviceState
        {
            Device = c.Text(),
            Sequence = c.Integer(),
            Timestamp = c.Time(),
            UptimeMs = c.Integer(),
            Bollard = c.Text(),
            Barrier = c.Text(),
        };
        return true;
    }

    public static bool TryDecodeCommand(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Command? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        WireSlots buffer = default;
        Span<WireSlot> slots = buffer;
        if (!Read(payload, WireShape.Command, slots, out error))
        {
            return false;
        }

        var c = new SlotCursor(slots);
        message = new Command
        {
            Id = c.Text(),
            Name = c.Text(),
            Timestamp = c.Time(),
            TtlSeconds = (int)c.Integer(Limits.DefaultCommandTtlSeconds),
        };
        return true;
    }

    public static bool TryDecodeResult(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out CommandResult? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        WireSlots buffer = default;
        Span<WireSlot> slots = buffer;
        if (!Read(payload, WireShape.Result, slots, out error))
        {
            return false;
        }

        var c = new SlotCursor(slots);
        message = new CommandResult
        {
            Id = c.Text(),
            Device = c.Text(),
            Result = c.Text(),
            Detail = c.TextOrNull(),
            Timestamp = c.Time(),
        };
        return true;
    }

    /// <summary>The availability payload: exactly "online" or "offline" (returned as the Topics constants).</summary>
    public static bool TryDecodeStatus(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out string? status, [NotNullWhen(false)] out string? error)
    {
        status = null;
        error = null;
        if (payload.IsEmpty)
        {
            error = RejectReason.Empty;
            return false;
        }

        if (payload.SequenceEqual("online"u8))
        {
            status = Topics.Online;
            return true;
        }

        if (payload.SequenceEqual("offline"u8))
        {
            status = Topics.Offline;
            return true;
        }

        error = RejectReason.BadValue + ":" + Topics.Status;
        return false;
    }

    // ---- the engine: read everything into slots, then judge the fields in table order ----

    private static bool Read(ReadOnlySpan<byte> payload, WireShape shape, Span<WireSlot> slots, [NotNullWhen(false)] out string? error)
    {
        if (payload.IsEmpty)
        {
            error = RejectReason.Empty;
            return false;
        }

        if (payload.Length > Limits.MaxPayloadBytes)
        {
            error = RejectReason.TooLarge;
            return false;
        }

        bool wellFormed;
        try
        {
            wellFormed = Scan(payload, shape, slots);
        }
        catch (JsonException)
        {
            wellFormed = false;
        }
        catch (InvalidOperationException)
        {
            // GetString/CopyString on text that does not transcode: invalid UTF-8 or a lone surrogate.
            wellFormed = false;
        }

        if (!wellFormed)
        {
            error = RejectReason.MalformedJson;
            return false;
        }

        ref WireSlot version = ref slots[0];
        if (version.State != SlotState.Present || version.Integer != Limits.ProtocolVersion)
        {
            error = RejectReason.UnsupportedVersion;
            return false;
        }

        error = Judge(shape.Fields, slots);
        return error is null;
    }

    private static bool Scan(ReadOnlySpan<byte> payload, WireShape shape, Span<WireSlot> slots)
    {
        var reader = new Utf8JsonReader(payload, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            // Valid JSON that is not an object is still "not a JSON object"; invalid JSON throws on the way.
            return false;
        }

        if (!ScanObject(ref reader, shape.Fields, slots))
        {
            return false;
        }

        // Read() throws on trailing data; a second value or garbage after the object must not pass.
        return !reader.Read();
    }

    /// <summary>Reads one object (reader on its StartObject) into slots; false on a duplicate key or invalid text.</summary>
    private static bool ScanObject(ref Utf8JsonReader reader, WireField[] fields, Span<WireSlot> slots)
    {
        HashSet<string>? unknownNames = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            if (!IsValidText(ref reader))
            {
                return false;
            }

            WireField? field = Find(ref reader, fields);
            if (field is null)
            {
                unknownNames ??= new HashSet<string>(StringComparer.Ordinal);
                if (!unknownNames.Add(reader.GetString()!))
                {
                    return false;
                }

                reader.Read();
                if (!SkipValue(ref reader))
                {
                    return false;
                }

                continue;
            }

            ref WireSlot slot = ref slots[field.Slot];
            if (slot.State != SlotState.Missing)
            {
                return false;
            }

            reader.Read();
            if (!ReadValue(ref reader, field, ref slot, slots))
            {
                return false;
            }
        }

        return false;
    }

    private static WireField? Find(ref Utf8JsonReader reader, WireField[] fields)
    {
        if (!reader.ValueIsEscaped)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            foreach (var field in fields)
            {
                if (name.SequenceEqual(field.Utf8Name))
                {
                    return field;
                }
            }

            return null;
        }

        foreach (var field in fields)
        {
            if (reader.ValueTextEquals(field.Utf8Name))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>Classifies the value under the reader into the field's slot; false only if the payload is malformed.</summary>
    private static bool ReadValue(ref Utf8JsonReader reader, WireField field, ref WireSlot slot, Span<WireSlot> slots)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when field.Kind == WireFieldKind.Object:
                slot.State = SlotState.Present;
                return ScanObject(ref reader, field.Children, slots);

            case JsonTokenType.String:
                if (!IsValidText(ref reader))
                {
                    return false;
                }

                ReadString(ref reader, field, ref slot);
                return true;

            case JsonTokenType.Number:
                bool isInteger = reader.TryGetInt64(out long n);
                if (!isInteger && !(reader.TryGetDouble(out double d) && double.IsFinite(d)))
                {
                    return false;
                }

                if (field.Kind == WireFieldKind.Version)
                {
                    slot.State = isInteger ? SlotState.Present : SlotState.BadType;
                    slot.Integer = isInteger ? n : 0;
                }
                else if (field.Kind != WireFieldKind.Integer || !isInteger)
                {
                    slot.State = SlotState.BadType;
                }
                else
                {
                    slot.State = n >= field.Min && n <= field.Max ? SlotState.Present : SlotState.BadValue;
                    slot.Integer = n;
                }

                return true;

            case JsonTokenType.True:
            case JsonTokenType.False:
                slot.State = field.Kind == WireFieldKind.Bool ? SlotState.Present : SlotState.BadType;
                slot.Flag = reader.TokenType == JsonTokenType.True;
                return true;

            case JsonTokenType.Null:
                slot.State = field.Kind == WireFieldKind.TimeOrNull ? SlotState.Null : SlotState.BadType;
                return true;

            default:
                // An object where something else is due, or an array: the wrong type, but it must still be
                // well-formed (no duplicate keys, valid text) for the verdict to be bad_type.
                slot.State = SlotState.BadType;
                return SkipValue(ref reader);
        }
    }

    private static void ReadString(ref Utf8JsonReader reader, WireField field, ref WireSlot slot)
    {
        switch (field.Kind)
        {
            case WireFieldKind.Id:
            case WireFieldKind.AlarmId:
            {
                string s = reader.GetString()!;
                bool ok = field.Kind == WireFieldKind.Id ? Identifier.IsValid(s) : Identifier.IsValidAlarmId(s);
                slot.State = ok ? SlotState.Present : SlotState.BadValue;
                slot.Text = s;
                return;
            }

            case WireFieldKind.Word:
                slot.State = SlotState.BadValue;
                for (int i = 0; i < field.Words.Length; i++)
                {
                    bool match = reader.ValueIsEscaped
                        ? reader.ValueTextEquals(field.Utf8Words[i])
                        : reader.ValueSpan.SequenceEqual(field.Utf8Words[i]);
                    if (match)
                    {
                        // The word table's own string: no allocation per message.
                        slot.State = SlotState.Present;
                        slot.Text = field.Words[i];
                        return;
                    }
                }

                return;

            case WireFieldKind.Text:
            {
                string s = reader.GetString()!;
                slot.State = IsValidFreeText(s, field.MaxLength) ? SlotState.Present : SlotState.BadValue;
                slot.Text = s;
                return;
            }

            case WireFieldKind.Time:
            case WireFieldKind.TimeOrNull:
            {
                // 24 characters at most once unescaped; each character takes at most 6 bytes escaped.
                if (reader.ValueSpan.Length > 6 * 24)
                {
                    slot.State = SlotState.BadValue;
                    return;
                }

                Span<char> text = stackalloc char[6 * 24];
                int length = reader.CopyString(text);
                slot.State = WireTime.TryParse(text[..length], out DateTime t) ? SlotState.Present : SlotState.BadValue;
                slot.Time = t;
                return;
            }

            default:
                slot.State = SlotState.BadType;
                return;
        }
    }

    /// <summary>Skips a value nobody asked for, still holding it to the rules that make a payload well-formed.</summary>
    private static bool SkipValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return IsValidText(ref reader);

            case JsonTokenType.Number:
                return reader.TryGetInt64(out _) || (reader.TryGetDouble(out double d) && double.IsFinite(d));

            case JsonTokenType.StartObject:
            {
                HashSet<string>? names = null;
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        return true;
                    }

                    if (!IsValidText(ref reader))
                    {
                        return false;
                    }

                    names ??= new HashSet<string>(StringComparer.Ordinal);
                    if (!names.Add(reader.GetString()!))
                    {
                        return false;
                    }

                    reader.Read();
                    if (!SkipValue(ref reader))
                    {
                        return false;
                    }
                }

                return false;
            }

            case JsonTokenType.StartArray:
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        return true;
                    }

                    if (!SkipValue(ref reader))
                    {
                        return false;
                    }
                }

                return false;

            default:
                return true;
        }
    }

    /// <summary>
    /// Utf8JsonReader does not validate UTF-8 or surrogate escapes while reading; a string or property name
    /// must transcode to valid UTF-16 for the payload to be well-formed, exactly as the portable reader requires.
    /// </summary>
    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(reader.ValueSpan);
        }

        // Rare (escapes): unescaping throws InvalidOperationException on a lone surrogate or invalid UTF-8.
        _ = reader.GetString();
        return true;
    }

    private static bool IsValidFreeText(string s, int maxLength)
    {
        if (s.Length < 1 || s.Length > maxLength)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (c < ' ')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first rejection among the fields, in table order, or null.</summary>
    private static string? Judge(WireField[] fields, Span<WireSlot> slots)
    {
        foreach (var field in fields)
        {
            if (field.Kind == WireFieldKind.Version)
            {
                continue;
            }

            ref WireSlot slot = ref slots[field.Slot];
            switch (slot.State)
            {
                case SlotState.Missing when field.Required:
                    return RejectReason.MissingField + ":" + field.Path;
                case SlotState.BadType:
                    return RejectReason.BadType + ":" + field.Path;
                case SlotState.BadValue:
                    return RejectReason.BadValue + ":" + field.Path;
                case SlotState.Present when field.Kind == WireFieldKind.Object:
                    string? nested = Judge(field.Children, slots);
                    if (nested is not null)
                    {
                        return nested;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>Hands out slot values in slot order (after "v"), which is the order the shapes list the fields.</summary>
    private ref struct SlotCursor
    {
        private readonly Span<WireSlot> _slots;
        private int _next;

        public SlotCursor(Span<WireSlot> slots)
        {
            _slots = slots;
            _next = 1;
        }

        public void Skip() => _next++;

        public string Text() => _slots[_next++].Text!;

        public string? TextOrNull() => _slots[_next++].Text;

        public long Integer(long fallback = 0)
        {
            ref WireSlot s = ref _slots[_next++];
            return s.State == SlotState.Present ? s.Integer : fallback;
        }

        public bool Bool(bool fallback)
        {
            ref WireSlot s = ref _slots[_next++];
            return s.State == SlotState.Present ? s.Flag : fallback;
        }

        public DateTime Time()
        {
            ref WireSlot s = ref _slots[_next++];
            return s.State == SlotState.Present ? s.Time : UtcTime.NotSet;
        }
    }
}

internal enum SlotState : byte
{
    Missing,
    Present,
    Null,
    BadType,
    BadValue,
}

internal struct WireSlot
{
    public SlotState State;
    public long Integer;
    public bool Flag;
    public string? Text;
    public DateTime Time;
}

[InlineArray(WireShape.MaxSlots)]
internal struct WireSlots
{
    private WireSlot _first;
}
