using System.Text;
using System.Text.Json;
using Gate.SiaDc09;

namespace Gate.Fuzz;

/// <summary>
/// Writes the starting corpus of each target (checked in under tests/Gate.Fuzz/corpus/): the shared test vectors
/// for the wire and JSON targets, DC-09 frames of every token for the SIA targets, the device configuration
/// examples, and MQTT fixed headers around the size limit.
/// </summary>
public static class Seeds
{
    private static readonly string[] Kinds = ["heartbeat", "alarm", "ack", "state", "command", "result", "status"];
    private static readonly DateTimeOffset At = new(2026, 11, 23, 7, 16, 41, TimeSpan.Zero);

    public static int Write(string vectorsDir, string corpusDir)
    {
        var written = 0;
        void Put(string target, string name, byte[] bytes)
        {
            var dir = Path.Combine(corpusDir, target);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
            written++;
        }

        for (var k = 0; k < Kinds.Length; k++)
        {
            // Keep the corpus small (afl-fuzz wants few, short seeds): the valid vectors and a few refusals.
            var files = Directory.GetFiles(Path.Combine(vectorsDir, Kinds[k]), "*.json").Order(StringComparer.Ordinal).ToList();
            foreach (var file in files.Where(f => Path.GetFileName(f).StartsWith("valid", StringComparison.Ordinal)).Take(6)
                         .Concat(files.Where(f => !Path.GetFileName(f).StartsWith("valid", StringComparison.Ordinal)).Take(2)))
            {
                var payload = Payload(file);
                if (payload is null || payload.Length > 1024)
                {
                    continue;
                }

                var name = Kinds[k] + "-" + Path.GetFileNameWithoutExtension(file);
                Put("wire", name, [(byte)k, .. payload]);
                Put("json", name, payload);
            }
        }

        var key = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        SiaDc09Frame[] frames =
        [
            new() { Token = SiaToken.ContactId, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Data = "#410001|1120 01 001", Timestamp = At },
            new() { Token = SiaToken.SiaDcs, Sequence = 7, LinePrefix = "0", Account = "1234", Data = "#1234|NBA001", ExtendedData = ["Xgate-01"], Timestamp = At },
            new() { Token = SiaToken.ContactId, Encrypted = true, Sequence = 9999, Receiver = "ABC", LinePrefix = "1", Account = "410001", Data = "#410001|1602 00 000", Timestamp = At },
            new() { Token = SiaToken.Null, Sequence = 1, LinePrefix = "0", Account = "410001", Data = "", Timestamp = At },
            new() { Token = SiaToken.Ack, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Timestamp = At },
            new() { Token = SiaToken.Ack, Encrypted = true, Sequence = 42, Receiver = "1", LinePrefix = "1", Account = "410001", Timestamp = At },
            new() { Token = SiaToken.Nak, Sequence = 0, LinePrefix = "0", NakAccountPlaceholder = true, Timestamp = At },
            new() { Token = SiaToken.Duh, Sequence = 42, LinePrefix = "0", Account = "410001" },
        ];
        var all = new List<byte>();
        for (var i = 0; i < frames.Length; i++)
        {
            var bytes = frames[i].Encode(frames[i].Encrypted ? key : null);
            Put("sia", $"frame-{i}", bytes);
            Put("sia-body", $"body-{i}", Encoding.ASCII.GetBytes(frames[i].BuildBody(frames[i].Encrypted ? key : null)));
            all.AddRange(bytes);
        }

        Put("sia-stream", "answers", [.. all]);
        Put("sia-stream", "noise-then-ack", [.. "noise\r"u8.ToArray(), .. frames[4].Encode(null)]);

        Put("config", "minimal", Encoding.UTF8.GetBytes("""{"v":1,"device":"gate-01","school":"zz-school","credential":"s3cret","board":"esp32-devkitc","broker":{"host":"127.0.0.1","port":1883}}"""));
        Put("config", "wifi-panic", Encoding.UTF8.GetBytes("""{"v":1,"device":"gate-01","school":"zz-school","credential":"s3cret","board":"esp32-devkitc","broker":{"host":"gate.example","tls":true},"network":{"kind":"wifi","ssid":"school","password":"pw","ntp":"ntp.example"},"heartbeat_s":30,"police_wait_s":10,"panic":{"hold_ms":500,"loop":{"short_below_mv":300,"normal_below_mv":1300,"alarm_below_mv":2400,"settle_ms":200}}}"""));
        Put("config", "ethernet-pins", Encoding.UTF8.GetBytes("""{"v":1,"device":"gate-02","school":"zz-school","credential":"x","board":"esp32-devkitc","broker":{"host":"10.0.0.1"},"network":{"kind":"ethernet"},"bollard":{"travel_ms":15000},"pins":{"panic":4,"tamper":-1},"filters":{"tamper":["invert","delayed_on:200"]},"active_low":{"panic":true}}"""));

        // First byte: the chunk size the target cuts the stream into; then MQTT packets.
        Put("mqtt-framing", "connect", [3, 0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00]);
        Put("mqtt-framing", "publish-then-ping", [5, 0x30, 0x05, 0x00, 0x01, (byte)'t', (byte)'x', (byte)'y', 0xC0, 0x00]);
        Put("mqtt-framing", "announces-64mib", [1, 0x10, 0x80, 0x80, 0x80, 0x20]);
        Put("mqtt-framing", "at-the-limit", [7, 0x30, 0xFE, 0x1F]);
        return written;
    }

    private static byte[]? Payload(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement;
        if (root.TryGetProperty("payload_base64", out var b64))
        {
            return Convert.FromBase64String(b64.GetString()!);
        }

        if (root.TryGetProperty("payload_text", out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        return root.TryGetProperty("payload", out var payload) ? Encoding.UTF8.GetBytes(payload.GetRawText()) : null;
    }
}
