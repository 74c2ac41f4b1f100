using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Gate.Server.Wire;

namespace Gate.Benchmarks;

/// <summary>
/// The server's heartbeat and alarm decoders (every message at province scale goes through one) against two
/// references: System.Text.Json deserialising into a DTO with a source-generated context (what a plain ASP.NET
/// service would do, with no validation at all) and the portable firmware-side WireCodec on JsonReader.
/// </summary>
[MemoryDiagnoser]
public class WireDecodeBenchmarks
{
    private byte[] _heartbeat = [];
    private byte[] _alarm = [];

    [GlobalSetup]
    public void Setup()
    {
        _heartbeat = Payloads.HeartbeatBytes();
        _alarm = Payloads.AlarmBytes();
        if (!WireDecoder.TryDecodeHeartbeat(_heartbeat, out _, out var e1) || !WireDecoder.TryDecodeAlarm(_alarm, out _, out var e2))
        {
            throw new InvalidOperationException("benchmark payloads must be valid");
        }
    }

    [Benchmark(Baseline = true, Description = "heartbeat: STJ DTO (reference, no validation)")]
    public HeartbeatDto? HeartbeatStj() => JsonSerializer.Deserialize(_heartbeat, BenchJsonContext.Default.HeartbeatDto);

    [Benchmark(Description = "heartbeat: WireDecoder (server)")]
    public Heartbeat? HeartbeatServer() => WireDecoder.TryDecodeHeartbeat(_heartbeat, out var m, out _) ? m : null;

    [Benchmark(Description = "heartbeat: WireCodec (portable)")]
    public Heartbeat? HeartbeatPortable() => WireCodec.TryDecodeHeartbeat(_heartbeat, out var m, out _) ? m : null;

    [Benchmark(Description = "alarm: STJ DTO (reference, no validation)")]
    public AlarmDto? AlarmStj() => JsonSerializer.Deserialize(_alarm, BenchJsonContext.Default.AlarmDto);

    [Benchmark(Description = "alarm: WireDecoder (server)")]
    public Alarm? AlarmServer() => WireDecoder.TryDecodeAlarm(_alarm, out var m, out _) ? m : null;

    [Benchmark(Description = "alarm: WireCodec (portable)")]
    public Alarm? AlarmPortable() => WireCodec.TryDecodeAlarm(_alarm, out var m, out _) ? m : null;
}

/// <summary>Encoding, which the server does for every ack it sends (three per alarm) and the firmware for every message.</summary>
[MemoryDiagnoser]
public class WireEncodeBenchmarks
{
    private readonly Heartbeat _heartbeat = Payloads.Heartbeat();
    private readonly HeartbeatDto _heartbeatDto = JsonSerializer.Deserialize(Payloads.HeartbeatBytes(), BenchJsonContext.Default.HeartbeatDto)!;

    [Benchmark(Baseline = true, Description = "heartbeat: STJ DTO (reference)")]
    public byte[] HeartbeatStj() => JsonSerializer.SerializeToUtf8Bytes(_heartbeatDto, BenchJsonContext.Default.HeartbeatDto);

    [Benchmark(Description = "heartbeat: WireCodec (portable)")]
    public byte[] HeartbeatPortable() => WireCodec.EncodeHeartbeat(_heartbeat);
}

public sealed class HeartbeatDto
{
    [JsonPropertyName("v")] public int V { get; set; }
    [JsonPropertyName("dev")] public string? Dev { get; set; }
    [JsonPropertyName("seq")] public long Seq { get; set; }
    [JsonPropertyName("up")] public long Up { get; set; }
    [JsonPropertyName("ts")] public DateTime? Ts { get; set; }
    [JsonPropertyName("fw")] public string? Fw { get; set; }
    [JsonPropertyName("boot")] public int Boot { get; set; }
    [JsonPropertyName("reset")] public string? Reset { get; set; }
    [JsonPropertyName("in")] public InputsDto? In { get; set; }
    [JsonPropertyName("mains")] public bool Mains { get; set; }
    [JsonPropertyName("batt_mv")] public int BattMv { get; set; }
    [JsonPropertyName("outbox")] public int Outbox { get; set; }
    [JsonPropertyName("heap")] public int Heap { get; set; }
    [JsonPropertyName("rssi")] public int Rssi { get; set; }
    [JsonPropertyName("int_s")] public int IntS { get; set; }
    [JsonPropertyName("drill")] public bool Drill { get; set; }
}

public sealed class InputsDto
{
    [JsonPropertyName("panic")] public string? Panic { get; set; }
    [JsonPropertyName("duress")] public string? Duress { get; set; }
    [JsonPropertyName("tamper")] public bool Tamper { get; set; }
    [JsonPropertyName("bollard")] public string? Bollard { get; set; }
    [JsonPropertyName("barrier")] public string? Barrier { get; set; }
}

public sealed class AlarmDto
{
    [JsonPropertyName("v")] public int V { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("dev")] public string? Dev { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("zone")] public int Zone { get; set; }
    [JsonPropertyName("seq")] public int Seq { get; set; }
    [JsonPropertyName("boot")] public int Boot { get; set; }
    [JsonPropertyName("ts")] public DateTime? Ts { get; set; }
    [JsonPropertyName("up")] public long Up { get; set; }
    [JsonPropertyName("restore")] public bool Restore { get; set; }
    [JsonPropertyName("count")] public int Count { get; set; } = 1;
    [JsonPropertyName("detail")] public string? Detail { get; set; }
}

[JsonSerializable(typeof(HeartbeatDto))]
[JsonSerializable(typeof(AlarmDto))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
