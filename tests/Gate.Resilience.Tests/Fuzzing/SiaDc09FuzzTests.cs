using FsCheck;
using FsCheck.Xunit;
using Gate.SiaDc09;

namespace Gate.Resilience.Tests.Fuzzing;

/// <summary>
/// The DC-09 frame parser reads what the police receiver sends back (and, in the simulator, what we send). It must
/// refuse every bad frame with a <see cref="SiaParseError"/>, never throw, never hang. Mutating whole frames mostly
/// trips the CRC, so a second run mutates bodies and re-wraps them with a correct CRC and length to reach the
/// header, data, timestamp and decryption paths.
/// </summary>
public sealed class SiaDc09FuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 20_000;
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
    private static readonly DateTimeOffset At = new(2026, 11, 23, 7, 16, 41, TimeSpan.Zero);

    private static SiaDc09Frame[] SeedFrames() =>
    [
        new() { Token = SiaToken.ContactId, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Data = "#410001|1120 01 001", Timestamp = At },
        new() { Token = SiaToken.SiaDcs, Sequence = 7, LinePrefix = "0", Account = "1234", Data = "#1234|NBA001", ExtendedData = ["Xgate-01", "V1"], Timestamp = At },
        new() { Token = SiaToken.ContactId, Encrypted = true, Sequence = 9999, Receiver = "ABC", LinePrefix = "1", Account = "410001", Data = "#410001|1602 00 000", Timestamp = At },
        new() { Token = SiaToken.Null, Sequence = 1, LinePrefix = "0", Account = "410001", Data = "", Timestamp = At },
        new() { Token = SiaToken.Ack, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Timestamp = At },
        new() { Token = SiaToken.Nak, Sequence = 0, LinePrefix = "0", NakAccountPlaceholder = true, Timestamp = At },
        new() { Token = SiaToken.Duh, Sequence = 42, LinePrefix = "0", Account = "410001" },
    ];

    private static byte[]? KeyFor(string? account) => account == "410001" ? Key : null;

    [Fact]
    public async Task Parse_MutatedFrames_NeverThrowsAndRefusesWithAReason()
    {
        var seeds = SeedFrames().Select(f => f.Encode(f.Encrypted ? Key : null)).ToList();
        var fuzzer = new MutationFuzzer(seed: 911, seeds);
        var outcomes = new Dictionary<SiaParseError, int>();
        await Task.Run(() =>
        {
            for (var i = 0; i < Inputs; i++)
            {
                var input = fuzzer.Next(3000);
                var result = Guard(input, () => SiaDc09Parser.Parse(input, KeyFor));
                Count(outcomes, result, input);
            }
        }).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine($"raw frames: {Inputs} mutated inputs; " + Describe(outcomes));
        Assert.True(outcomes.Keys.Count(k => k != SiaParseError.None) >= 3, "the mutations should reach several refusal paths");
    }

    [Fact]
    public async Task Parse_MutatedBodiesWithValidCrc_NeverThrowsAndReachesTheDeepPaths()
    {
        var seeds = SeedFrames().Select(f => Encoding.ASCII.GetBytes(f.BuildBody(f.Encrypted ? Key : null))).ToList();
        var fuzzer = new MutationFuzzer(seed: 110, seeds);
        var outcomes = new Dictionary<SiaParseError, int>();
        await Task.Run(() =>
        {
            for (var i = 0; i < Inputs; i++)
            {
                // Wrap() writes CRC and length for us; it accepts printable ASCII bodies up to 4095 characters.
                var body = new string(fuzzer.Next(2000).Select(b => b is >= 0x20 and <= 0x7E ? (char)b : (char)(0x20 + (b % 0x5F))).ToArray());
                var frame = SiaDc09Frame.Wrap(body);
                var result = Guard(frame, () => SiaDc09Parser.Parse(frame, KeyFor));
                Count(outcomes, result, frame);
            }
        }).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine($"re-wrapped bodies: {Inputs} mutated inputs; " + Describe(outcomes));
        Assert.True(outcomes.ContainsKey(SiaParseError.None), "some mutated bodies should still parse");
        Assert.True(outcomes.ContainsKey(SiaParseError.Format), "mutations should reach the header/content checks");
        Assert.True(outcomes.ContainsKey(SiaParseError.Decryption), "mutations should reach decryption");
    }

    [Fact]
    public async Task FrameReader_RandomStreamInRandomChunks_NeverThrowsAndNeverReturnsMoreThanOneFrameOfBytes()
    {
        var seeds = SeedFrames().Select(f => f.Encode(f.Encrypted ? Key : null)).ToList();
        var fuzzer = new MutationFuzzer(seed: 4242, seeds);
        var random = new Random(4242);
        var frames = 0;
        for (var round = 0; round < 300; round++)
        {
            var stream = new MemoryStream();
            for (var k = 0; k < 20; k++)
            {
                stream.Write(fuzzer.Next(3000));
            }

            stream.Position = 0;
            var reader = new SiaFrameReader(new ChunkedStream(stream, random));
            while (await reader.ReadFrameAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)) is { } frame)
            {
                frames++;
                Assert.InRange(frame.Length, 1, SiaDc09Frame.MaxFrameBytes + 1);
                _ = SiaDc09Parser.Parse(frame, KeyFor);
            }
        }

        output.WriteLine($"frame reader: 300 streams of 20 mutated frames, {frames} frames cut");
        Assert.True(frames > 300);
    }

    [Property(MaxTest = 2000)]
    public bool EncodeThenParse_AnyValidFrame_GivesTheSameFields(ushort sequence, uint account, NonNull<string> data, bool encrypted, byte hour)
    {
        var frame = new SiaDc09Frame
        {
            Token = SiaToken.ContactId,
            Encrypted = encrypted,
            Sequence = sequence % 10000,
            Receiver = (account % 0xFFFF).ToString("X", System.Globalization.CultureInfo.InvariantCulture),
            LinePrefix = "1",
            Account = (account % 0xFFFFFF).ToString("X6", System.Globalization.CultureInfo.InvariantCulture),
            // Printable ASCII without the brackets that delimit the data block.
            Data = new string(data.Get.Select(c => (char)(0x20 + (c % 0x5F))).Where(c => c is not '[' and not ']').Take(200).ToArray()),
            Timestamp = At.AddHours(hour),
        };
        var parsed = SiaDc09Parser.Parse(frame.Encode(encrypted ? Key : null), _ => Key);
        return parsed.Ok
            && parsed.Frame!.Sequence == frame.Sequence
            && parsed.Frame.Account == frame.Account
            && parsed.Frame.Data == frame.Data
            && parsed.Frame.Encrypted == encrypted
            && parsed.Frame.Timestamp == frame.Timestamp;
    }

    [Property(MaxTest = 3000)]
    public bool ParseBody_AnyString_NeverThrows(NonNull<string> body) =>
        SiaDc09Parser.ParseBody(body.Get, KeyFor) is { } r && (r.Ok || r.Detail.Length > 0);

    private static SiaDc09ParseResult Guard(byte[] input, Func<SiaDc09ParseResult> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"SiaDc09Parser threw {e.GetType().Name} on input (base64) {Convert.ToBase64String(input)}: {e.Message}");
        }
    }

    private static void Count(Dictionary<SiaParseError, int> outcomes, SiaDc09ParseResult result, byte[] input)
    {
        Assert.True(result.Ok == (result.Frame is not null), $"Ok and Frame disagree for {Convert.ToBase64String(input)}");
        Assert.True(result.Ok || result.Detail.Length > 0, $"a refusal without a reason for {Convert.ToBase64String(input)}");
        outcomes[result.Error] = outcomes.GetValueOrDefault(result.Error) + 1;
    }

    private static string Describe(Dictionary<SiaParseError, int> outcomes) =>
        string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"));

    /// <summary>Hands out the bytes in random small chunks, as TCP does.</summary>
    private sealed class ChunkedStream(Stream inner, Random random) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1 + random.Next(64)));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
