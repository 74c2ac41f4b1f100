using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Gate.Firmware.Core.Tests;

/// <summary>
/// The shared wire vectors (shared/test-vectors) for the messages the device receives, fed to a running
/// controller: a valid ack moves its alarm on, a valid command is answered, and nothing invalid crashes it
/// or acts.
/// </summary>
public class VectorTests
{
    public static string RepoRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    public static IEnumerable<object[]> Vectors(string folder) =>
        Directory.GetFiles(Path.Combine(RepoRoot(), "shared", "test-vectors", folder), "*.json").Order().Select(f => new object[] { folder + "/" + Path.GetFileNameWithoutExtension(f) });

    public static IEnumerable<object[]> AckVectors() => Vectors("ack");

    public static IEnumerable<object[]> CommandVectors() => Vectors("command");

    private static (byte[] Payload, bool Valid, string? Reason, JsonElement Root) Load(string name)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), "shared", "test-vectors", name + ".json"));
        var root = JsonDocument.Parse(text).RootElement.Clone();
        byte[] payload;
        if (root.TryGetProperty("payload", out var p)) { payload = Encoding.UTF8.GetBytes(p.GetRawText()); }
        else if (root.TryGetProperty("payload_text", out var t)) { payload = Encoding.UTF8.GetBytes(t.GetString()!); }
        else if (root.TryGetProperty("payload_base64", out var b)) { payload = Convert.FromBase64String(b.GetString()!); }
        else
        {
            var sb = new StringBuilder();
            foreach (var part in root.GetProperty("payload_parts").EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.String) { sb.Append(part.GetString()); }
                else { sb.Insert(sb.Length, part.GetProperty("repeat").GetString()!, part.GetProperty("times").GetInt32()); }
            }

            payload = Encoding.UTF8.GetBytes(sb.ToString());
        }

        bool valid = root.GetProperty("expect").GetString() == "valid";
        return (payload, valid, root.TryGetProperty("reason", out var r) ? r.GetString() : null, root);
    }

    [Theory]
    [MemberData(nameof(AckVectors))]
    public void AckVector_DeliveredToController_ValidMovesAlarmOnInvalidIgnored(string name)
    {
        var (payload, valid, _, root) = Load(name);
        var rig = new ControllerRig();
        var acks = new List<(string Id, string Stage)>();
        rig.Controller.AckReceived += (id, stage, _) => acks.Add((id, stage));
        rig.Advance(100);
        rig.Transport.Deliver(rig.Controller.Topic(Topics.Ack), payload);
        rig.Advance(100);
        if (valid)
        {
            Assert.True(WireCodec.TryDecodeAck(payload, out var expected, out _));
            Assert.Equal((expected.Id, expected.Stage), acks.Single());
        }
        else
        {
            Assert.Empty(acks);
        }
    }

    [Theory]
    [MemberData(nameof(CommandVectors))]
    public void CommandVector_DeliveredToController_ValidAnsweredInvalidNeverActs(string name)
    {
        var (payload, valid, reason, root) = Load(name);
        var rig = new ControllerRig();
        rig.Advance(100);
        rig.Transport.Deliver(rig.Controller.Topic(Topics.Command), payload);
        rig.Advance(2000);
        var results = rig.Results();
        if (valid)
        {
            var r = results.Single();
            Assert.True(WireCodec.TryDecodeCommand(payload, out var expected, out _));
            Assert.Equal(expected.Id, r.Id);
            Assert.NotEqual(CommandOutcome.UnknownCommand, r.Result);
        }
        else
        {
            Assert.Equal(PendingAction.None, rig.Controller.Action);
            Assert.All(results, r => Assert.Contains(r.Result, new[] { CommandOutcome.Rejected, CommandOutcome.UnknownCommand }));
            if (reason == "bad_value:name")
            {
                Assert.Equal(CommandOutcome.UnknownCommand, results.Single().Result);
            }
        }
    }
}
