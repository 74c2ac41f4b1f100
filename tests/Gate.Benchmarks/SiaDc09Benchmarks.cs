using System.Text;
using BenchmarkDotNet.Attributes;
using Gate.SiaDc09;

namespace Gate.Benchmarks;

/// <summary>
/// DC-09 work per forwarded alarm: the CRC (table-driven, against the naive bitwise loop of the standard's
/// description), building a frame (plain and AES-128), and parsing the receiver's ACK.
/// </summary>
[MemoryDiagnoser]
public class SiaDc09Benchmarks
{
    private readonly byte[] _key = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
    private byte[] _body = [];
    private SiaDc09Frame _event = null!;
    private SiaDc09Frame _encrypted = null!;
    private byte[] _ack = [];

    [GlobalSetup]
    public void Setup()
    {
        var at = new DateTimeOffset(2026, 11, 23, 7, 16, 41, TimeSpan.Zero);
        _event = new SiaDc09Frame { Token = SiaToken.ContactId, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Data = "#410001|1120 01 001", Timestamp = at };
        _encrypted = new SiaDc09Frame { Token = SiaToken.ContactId, Encrypted = true, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Data = "#410001|1120 01 001", Timestamp = at };
        _body = Encoding.ASCII.GetBytes(_event.BuildBody());
        _ack = new SiaDc09Frame { Token = SiaToken.Ack, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Timestamp = at }.Encode();
        if (NaiveCrc(_body) != SiaCrc.Compute(_body) || !SiaDc09Parser.Parse(_ack).Ok)
        {
            throw new InvalidOperationException("reference CRC disagrees or the ACK does not parse");
        }
    }

    [Benchmark(Baseline = true, Description = "CRC-16/ARC bitwise (reference)")]
    public ushort CrcNaive() => NaiveCrc(_body);

    [Benchmark(Description = "CRC-16/ARC SiaCrc (table)")]
    public ushort CrcTable() => SiaCrc.Compute(_body);

    [Benchmark(Description = "frame encode, plain")]
    public byte[] EncodePlain() => _event.Encode();

    [Benchmark(Description = "frame encode, AES-128")]
    public byte[] EncodeAes() => _encrypted.Encode(_key);

    [Benchmark(Description = "parse ACK frame")]
    public bool ParseAck() => SiaDc09Parser.Parse(_ack).Ok;

    /// <summary>Bit by bit, as the standard describes it: the reference the table must match and beat.</summary>
    private static ushort NaiveCrc(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }
        }

        return crc;
    }
}
