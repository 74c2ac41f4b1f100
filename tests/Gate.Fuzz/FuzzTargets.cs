using System.Text;
using Gate.Contracts;
using Gate.Firmware.Config;
using Gate.Server.Mqtt;
using Gate.Server.Wire;
using Gate.SiaDc09;

namespace Gate.Fuzz;

/// <summary>
/// Every parser that reads outside input, as a fuzz target. A target throws only for a finding: a parser that threw
/// instead of refusing, or two parsers of the same bytes that disagree. Refusals are the expected outcome.
/// </summary>
public static class FuzzTargets
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");

    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["wire"] = Wire,
        ["json"] = PortableJson,
        ["sia"] = SiaFrame,
        ["sia-body"] = SiaBody,
        ["sia-stream"] = SiaStream,
        ["config"] = Config,
        ["mqtt-framing"] = MqttFraming,
    };

    /// <summary>
    /// The first byte picks the message kind; the rest is the payload, decoded by the server's WireDecoder and by
    /// the portable WireCodec the device runs. Both must refuse or accept alike (the shared vectors' rule).
    /// </summary>
    public static void Wire(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var payload = input[1..];
        var (kind, server, portable) = (input[0] % 7) switch
        {
            0 => ("heartbeat", WireDecoder.TryDecodeHeartbeat(payload, out _, out _), WireCodec.TryDecodeHeartbeat(payload, out _, out _)),
            1 => ("alarm", WireDecoder.TryDecodeAlarm(payload, out _, out _), WireCodec.TryDecodeAlarm(payload, out _, out _)),
            2 => ("ack", WireDecoder.TryDecodeAck(payload, out _, out _), WireCodec.TryDecodeAck(payload, out _, out _)),
            3 => ("state", WireDecoder.TryDecodeState(payload, out _, out _), WireCodec.TryDecodeState(payload, out _, out _)),
            4 => ("command", WireDecoder.TryDecodeCommand(payload, out _, out _), WireCodec.TryDecodeCommand(payload, out _, out _)),
            5 => ("result", WireDecoder.TryDecodeResult(payload, out _, out _), WireCodec.TryDecodeResult(payload, out _, out _)),
            _ => ("status", WireDecoder.TryDecodeStatus(payload, out _, out _), WireCodec.TryDecodeStatus(payload, out _, out _)),
        };
        if (server != portable)
        {
            throw new FuzzFinding($"{kind}: the server {(server ? "accepts" : "refuses")} what the device {(portable ? "accepts" : "refuses")}");
        }
    }

    /// <summary>The portable JSON reader under the device's decoder: refuses with a reason, never throws.</summary>
    public static void PortableJson(byte[] input)
    {
        if (!Gate.Contracts.Json.JsonReader.TryParseUtf8(input, 0, input.Length, 16, out _, out var error) && string.IsNullOrEmpty(error))
        {
            throw new FuzzFinding("JsonReader refused without saying why");
        }
    }

    /// <summary>One DC-09 frame as the police receiver would send it (plain or AES-128 for account 410001).</summary>
    public static void SiaFrame(byte[] input)
    {
        var result = SiaDc09Parser.Parse(input, account => account == "410001" ? Key : null);
        if (result.Ok != (result.Frame is not null) || (!result.Ok && string.IsNullOrEmpty(result.Detail)))
        {
            throw new FuzzFinding($"SiaDc09Parser: ok {result.Ok} with frame {result.Frame is not null}, detail '{result.Detail}'");
        }
    }

    /// <summary>
    /// A DC-09 body wrapped with a correct CRC and length, so the fuzzer reaches the header, data, timestamp and
    /// decryption checks behind the CRC (which whole-frame mutation almost never passes).
    /// </summary>
    public static void SiaBody(byte[] input)
    {
        if (input.Length > 4095)
        {
            return;
        }

        var body = new string(input.Select(b => b is >= 0x20 and <= 0x7E ? (char)b : (char)(0x20 + (b % 0x5F))).ToArray());
        SiaFrame(SiaDc09Frame.Wrap(body));
    }

    /// <summary>A TCP byte stream cut into frames, each parsed, as the forwarder reads a receiver's answers.</summary>
    public static void SiaStream(byte[] input)
    {
        using var stream = new MemoryStream(input);
        var reader = new SiaFrameReader(stream);
        var frames = 0;
        while (reader.ReadFrameAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } frame)
        {
            if (frame.Length > SiaDc09Frame.MaxFrameBytes + 1 || ++frames > input.Length)
            {
                throw new FuzzFinding($"SiaFrameReader returned a frame of {frame.Length} bytes (limit {SiaDc09Frame.MaxFrameBytes}) or more frames than bytes");
            }

            SiaDc09Parser.Parse(frame, _ => Key);
        }
    }

    /// <summary>The device's configuration file (gate.json from a bundle, or pushed by the server).</summary>
    public static void Config(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (DeviceConfig.TryParse(text, out var config, out var error) ? config is null : string.IsNullOrEmpty(error))
        {
            throw new FuzzFinding("DeviceConfig.TryParse gave no config and no reason");
        }
    }

    /// <summary>
    /// The embedded broker's MQTT framing guard, which sees every byte before MQTTnet: the verdict must not depend on
    /// how TCP cut the stream (all at once, or in chunks whose sizes the first byte picks).
    /// </summary>
    public static void MqttFraming(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var whole = new PacketSizeLimit(4096);
        var wholeVerdict = whole.Accept(input.AsSpan(1));
        var chunked = new PacketSizeLimit(4096);
        var chunkedVerdict = true;
        var chunk = 1 + (input[0] % 13);
        for (var i = 1; i < input.Length && chunkedVerdict; i += chunk)
        {
            chunkedVerdict = chunked.Accept(input.AsSpan(i, Math.Min(chunk, input.Length - i)));
        }

        if (wholeVerdict != chunkedVerdict || (!wholeVerdict && whole.RefusedSize != chunked.RefusedSize))
        {
            throw new FuzzFinding($"PacketSizeLimit: {wholeVerdict}/{whole.RefusedSize} at once but {chunkedVerdict}/{chunked.RefusedSize} in chunks of {chunk}");
        }
    }
}

/// <summary>A property a target checks was broken: afl-fuzz records the input as a crash.</summary>
public sealed class FuzzFinding(string message) : Exception(message);
