using System.Text;
using Gate.Contracts;

namespace Gate.Server.Wire;

/// <summary>How the server decoder checks one field. Mirrors the tables in docs/protocol.md.</summary>
internal enum WireFieldKind
{
    Version,
    Id,
    AlarmId,
    Word,
    Text,
    Integer,
    Bool,
    Time,
    TimeOrNull,
    Object,
}

/// <summary>One field of a message shape: its name, kind, limits and the slot its value lands in.</summary>
internal sealed class WireField
{
    private WireField(string name, WireFieldKind kind, bool required)
    {
        Name = name;
        Utf8Name = Encoding.UTF8.GetBytes(name);
        Kind = kind;
        Required = required;
        Path = name;
    }

    public string Name { get; }

    public byte[] Utf8Name { get; }

    public WireFieldKind Kind { get; }

    public bool Required { get; }

    /// <summary>"in.panic" for nested fields: what a rejection names.</summary>
    public string Path { get; private set; }

    public int Slot { get; private set; }

    public long Min { get; private init; }

    public long Max { get; private init; }

    public int MaxLength { get; private init; }

    public string[] Words { get; private init; } = [];

    public byte[][] Utf8Words { get; private init; } = [];

    public WireField[] Children { get; private init; } = [];

    public static WireField Version() => new("v", WireFieldKind.Version, true);

    public static WireField Id(string name) => new(name, WireFieldKind.Id, true);

    public static WireField AlarmId(string name) => new(name, WireFieldKind.AlarmId, true);

    public static WireField Word(string name, string[] words) =>
        new(name, WireFieldKind.Word, true) { Words = words, Utf8Words = words.Select(Encoding.UTF8.GetBytes).ToArray() };

    public static WireField Text(string name, int maxLength, bool required) =>
        new(name, WireFieldKind.Text, required) { MaxLength = maxLength };

    public static WireField Integer(string name, long min, long max, bool required = true) =>
        new(name, WireFieldKind.Integer, required) { Min = min, Max = max };

    public static WireField Bool(string name, bool required = true) => new(name, WireFieldKind.Bool, required);

    public static WireField Time(string name) => new(name, WireFieldKind.Time, true);

    public static WireField TimeOrNull(string name) => new(name, WireFieldKind.TimeOrNull, true);

    public static WireField Object(string name, params WireField[] children) =>
        new(name, WireFieldKind.Object, true) { Children = children };

    /// <summary>Numbers the slots depth-first (a parent before its children) and sets nested paths; returns the next free slot.</summary>
    public static int AssignSlots(WireField[] fields, string prefix, int next)
    {
        foreach (var field in fields)
        {
            field.Path = prefix + field.Name;
            field.Slot = next++;
            next = AssignSlots(field.Children, field.Path + ".", next);
        }

        return next;
    }
}

/// <summary>The fields of one message type in protocol-table order (which is also the order of checking).</summary>
internal sealed class WireShape
{
    /// <summary>Slots live in a stack buffer of this size; no shape may need more.</summary>
    public const int MaxSlots = 24;

    public WireShape(params WireField[] fields)
    {
        Fields = fields;
        SlotCount = WireField.AssignSlots(fields, string.Empty, 0);
        if (SlotCount > MaxSlots)
        {
            throw new InvalidOperationException("A wire shape needs more than " + MaxSlots + " slots.");
        }
    }

    public WireField[] Fields { get; }

    public int SlotCount { get; }

    public static readonly WireShape Heartbeat = new(
        WireField.Version(),
        WireField.Id("dev"),
        WireField.Integer("seq", 0, long.MaxValue),
        WireField.Integer("up", 0, long.MaxValue),
        WireField.TimeOrNull("ts"),
        WireField.Text("fw", Limits.MaxFirmwareLength, true),
        WireField.Integer("boot", 0, int.MaxValue),
        WireField.Word("reset", ResetReason.All),
        WireField.Object(
            "in",
            WireField.Word("panic", PanicLoop.All),
            WireField.Word("duress", DuressInput.All),
            WireField.Bool("tamper"),
            WireField.Word("bollard", BollardPosition.All),
            WireField.Word("barrier", BarrierPosition.All)),
        WireField.Bool("mains"),
        WireField.Integer("batt_mv", 0, int.MaxValue),
        WireField.Integer("outbox", 0, int.MaxValue),
        WireField.Integer("heap", 0, int.MaxValue),
        WireField.Integer("rssi", Limits.MinRssi, 0),
        WireField.Integer("int_s", Limits.MinHeartbeatSeconds, Limits.MaxHeartbeatSeconds),
        WireField.Bool("drill", required: false));

    public static readonly WireShape Alarm = new(
        WireField.Version(),
        WireField.AlarmId("id"),
        WireField.Id("dev"),
        WireField.Word("kind", AlarmKind.All),
        WireField.Integer("zone", 0, Limits.MaxZone),
        WireField.Integer("seq", 1, int.MaxValue),
        WireField.Integer("boot", 0, int.MaxValue),
        WireField.TimeOrNull("ts"),
        WireField.Integer("up", 0, long.MaxValue),
        WireField.Bool("restore"),
        WireField.Integer("count", 1, int.MaxValue, required: false),
        WireField.Text("detail", Limits.MaxStringLength, false));

    public static readonly WireShape Ack = new(
        WireField.Version(),
        WireField.AlarmId("id"),
        WireField.Word("stage", AckStage.All),
        WireField.Time("ts"),
        WireField.Text("path", Limits.MaxPathLength, false));

    public static readonly WireShape State = new(
        WireField.Version(),
        WireField.Id("dev"),
        WireField.Integer("seq", 0, long.MaxValue),
        WireField.TimeOrNull("ts"),
        WireField.Integer("up", 0, long.MaxValue),
        WireField.Word("bollard", BollardPosition.All),
        WireField.Word("barrier", BarrierPosition.All));

    public static readonly WireShape Command = new(
        WireField.Version(),
        WireField.Id("id"),
        WireField.Word("name", CommandName.All),
        WireField.Time("ts"),
        WireField.Integer("ttl_s", 1, Limits.MaxCommandTtlSeconds, required: false));

    public static readonly WireShape Result = new(
        WireField.Version(),
        WireField.Id("id"),
        WireField.Id("dev"),
        WireField.Word("result", CommandOutcome.All),
        WireField.Text("detail", Limits.MaxStringLength, false),
        WireField.TimeOrNull("ts"));
}
