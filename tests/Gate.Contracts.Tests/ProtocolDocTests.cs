using System.Text.RegularExpressions;

namespace Gate.Contracts.Tests;

/// <summary>docs/protocol.md is the spec a person reads: it must name every topic and word the code knows, and its examples must decode.</summary>
public class ProtocolDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(TestVector.RepoRoot, "docs", "protocol.md"));

    [Fact]
    public void ProtocolDoc_DescribesEveryTopic()
    {
        string[] channels = [Topics.Status, Topics.Heartbeat, Topics.Alarm, Topics.State, Topics.Result, Topics.Ack, Topics.Command];
        Assert.All(channels, c => Assert.Contains("| `" + c + "` |", Doc, StringComparison.Ordinal));
        Assert.Contains("`" + Topics.Prefix + "{school}/{device}/`", Doc, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtocolDoc_NamesEveryWordOfEveryTable()
    {
        string[][] tables =
        [
            AlarmKind.All, AckStage.All, BollardPosition.All, BarrierPosition.All, PanicLoop.All, DuressInput.All,
            ResetReason.All, CommandName.All, CommandOutcome.All,
            [RejectReason.Empty, RejectReason.TooLarge, RejectReason.MalformedJson, RejectReason.UnsupportedVersion, RejectReason.MissingField, RejectReason.BadType, RejectReason.BadValue],
        ];
        Assert.All(tables.SelectMany(t => t), w => Assert.Contains("`" + w + "`", Doc, StringComparison.Ordinal));
    }

    [Fact]
    public void ProtocolDoc_Examples_DecodeInBothHalvesAndAreCanonical()
    {
        var examples = Regex.Matches(Doc, "Example \\(golden vector `([a-z]+)/[a-z0-9-]+`[^\\n]*\\n\\n```json\\n([^\\n]+)\\n```");
        Assert.Equal(6, examples.Count);
        foreach (Match m in examples)
        {
            string message = m.Groups[1].Value;
            byte[] payload = Encoding.UTF8.GetBytes(m.Groups[2].Value);
            var portable = Codecs.Portable(message, payload);
            var server = Codecs.Server(message, payload);
            Assert.True(portable.Ok && server.Ok, m.Value);
            Assert.Equal(m.Groups[2].Value, Encoding.UTF8.GetString(Codecs.PortableEncode(portable.Message!)));
        }
    }
}
