namespace Gate.Resilience.Tests.Fuzzing;

/// <summary>
/// A small deterministic mutation fuzzer in the style of AFL's havoc stage: it starts from valid seeds and stacks
/// one to eight mutations (bit flips, interesting bytes, deletions, duplications, insertions, splices with another
/// seed, truncation). A fixed seed makes a failure reproducible from the test output alone.
/// </summary>
public sealed class MutationFuzzer
{
    // Bytes that steer JSON and DC-09 parsers into their edge paths.
    private static readonly byte[] Interesting =
        "{}[]\",:\\/-+.0123456789eE \t\r\nntfu#|*LRA\x00\x7f"u8.ToArray().Concat(new byte[] { 0x80, 0xC0, 0xE2, 0xED, 0xF0, 0xFF }).ToArray();

    private static readonly string[] InterestingTokens =
    [
        "null", "true", "false", "-0", "1e309", "9223372036854775808", "-9223372036854775809", "2147483648", "0.5",
        "\"\\u0000\"", "\"\\ud800\"", "{}", "[]", "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}",
        "\"2026-02-30T25:61:61Z\"", "\"\"", "\"x\"", new string('9', 40), "\"v\":1", "\"v\":2",
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _seeds;

    public MutationFuzzer(int seed, IReadOnlyList<byte[]> seeds)
    {
        if (seeds.Count == 0)
        {
            throw new ArgumentException("at least one seed input is needed", nameof(seeds));
        }

        _random = new Random(seed);
        _seeds = seeds;
    }

    public byte[] Next(int maxLength = 4096)
    {
        var data = new List<byte>(_seeds[_random.Next(_seeds.Count)]);
        var rounds = 1 + _random.Next(8);
        for (var r = 0; r < rounds; r++)
        {
            Mutate(data);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(9))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 3 when data.Count > 0:
                var len = Math.Min(data.Count - at, 1 + _random.Next(32));
                data.InsertRange(_random.Next(data.Count + 1), data.GetRange(at, len));
                break;
            case 4:
                data.Insert(at, Interesting[_random.Next(Interesting.Length)]);
                break;
            case 5:
                data.InsertRange(at, System.Text.Encoding.UTF8.GetBytes(InterestingTokens[_random.Next(InterestingTokens.Length)]));
                break;
            case 6:
                var other = _seeds[_random.Next(_seeds.Count)];
                if (other.Length > 0)
                {
                    var from = _random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(1 + _random.Next(other.Length - from)));
                }

                break;
            case 7 when data.Count > 1:
                data.RemoveRange(at, data.Count - at);
                break;
            default:
                var bytes = new byte[1 + _random.Next(8)];
                _random.NextBytes(bytes);
                data.InsertRange(at, bytes);
                break;
        }
    }
}
