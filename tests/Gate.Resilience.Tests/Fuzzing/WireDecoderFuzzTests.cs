using Gate.Server.Wire;

namespace Gate.Resilience.Tests.Fuzzing;

/// <summary>
/// Differential fuzzing of the two v1 decoders: the server's WireDecoder (Utf8JsonReader) and the firmware's portable
/// WireCodec (JsonReader) are fed the same mutated payloads, seeded from the shared test vectors. Neither may throw,
/// and both must give the same verdict: a payload one half accepts and the other refuses would split the fleet.
/// </summary>
public sealed class WireDecoderFuzzTests(ITestOutputHelper output)
{
    private const int InputsPerMessage = 12_000;

    public delegate (bool Ok, string? Error) Decoder(byte[] payload);

    public static TheoryData<string> Messages => new() { "heartbeat", "alarm", "ack", "state", "command", "result", "status" };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Decoders_MutatedVectors_NeverThrowAndGiveTheSameVerdict(string message)
    {
        var (server, portable) = DecodersFor(message);
        var fuzzer = new MutationFuzzer(seed: 20261123 + message.Length, TestVectors.Payloads(message));
        var accepted = 0;
        var disagreements = new List<string>();

        // The whole run has a generous deadline: a decoder that loops forever on some input fails here instead of
        // hanging the suite.
        await Task.Run(() =>
        {
            for (var i = 0; i < InputsPerMessage; i++)
            {
                var input = fuzzer.Next(1400);
                var s = Guard(server, input, "WireDecoder");
                var p = Guard(portable, input, "WireCodec");
                if (s.Ok)
                {
                    accepted++;
                }

                if (s.Ok != p.Ok || Reason(s.Error) != Reason(p.Error))
                {
                    disagreements.Add($"server={(s.Ok ? "ok" : s.Error)} portable={(p.Ok ? "ok" : p.Error)} input(b64)={Convert.ToBase64String(input)}");
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine($"{message}: {InputsPerMessage} mutated inputs, {accepted} accepted, {disagreements.Count} verdict disagreements");
        foreach (var d in disagreements.Take(5))
        {
            output.WriteLine("  " + d);
        }

        // Accept/refuse must match exactly; the reason word (before ':') must match too, as the protocol promises.
        Assert.Empty(disagreements);
    }

    private static string? Reason(string? error) => error?.Split(':')[0];

    private static (bool Ok, string? Error) Guard(Decoder decoder, byte[] input, string name)
    {
        try
        {
            return decoder(input);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{name} threw {e.GetType().Name} on input (base64) {Convert.ToBase64String(input)}: {e.Message}");
        }
    }

    private static (Decoder Server, Decoder Portable) DecodersFor(string message) => message switch
    {
        "heartbeat" => (b => (WireDecoder.TryDecodeHeartbeat(b, out _, out var e), e), b => (WireCodec.TryDecodeHeartbeat(b, out _, out var e), e)),
        "alarm" => (b => (WireDecoder.TryDecodeAlarm(b, out _, out var e), e), b => (WireCodec.TryDecodeAlarm(b, out _, out var e), e)),
        "ack" => (b => (WireDecoder.TryDecodeAck(b, out _, out var e), e), b => (WireCodec.TryDecodeAck(b, out _, out var e), e)),
        "state" => (b => (WireDecoder.TryDecodeState(b, out _, out var e), e), b => (WireCodec.TryDecodeState(b, out _, out var e), e)),
        "command" => (b => (WireDecoder.TryDecodeCommand(b, out _, out var e), e), b => (WireCodec.TryDecodeCommand(b, out _, out var e), e)),
        "result" => (b => (WireDecoder.TryDecodeResult(b, out _, out var e), e), b => (WireCodec.TryDecodeResult(b, out _, out var e), e)),
        "status" => (b => (WireDecoder.TryDecodeStatus(b, out _, out var e), e), b => (WireCodec.TryDecodeStatus(b, out _, out var e), e)),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };
}
