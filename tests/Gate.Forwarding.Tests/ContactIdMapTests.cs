using System.Runtime.CompilerServices;
using Gate.Contracts;

namespace Gate.Forwarding.Tests;

public class ContactIdMapTests
{
    [Theory]
    [InlineData("panic", 120)]
    [InlineData("duress", 121)]
    [InlineData("silent_panic", 122)]
    [InlineData("tamper", 137)]
    [InlineData("wiring_cut", 144)]
    [InlineData("wiring_short", 144)]
    [InlineData("power_loss", 301)]
    [InlineData("battery_low", 302)]
    [InlineData("communication_trouble", 350)]
    [InlineData("sensor_trouble", 380)]
    [InlineData("drill", 601)]
    [InlineData("periodic_test", 602)]
    public void Map_IssueTable_GivesTheAgreedCode(string kind, int code)
    {
        Assert.Equal(code, ContactIdMap.Lookup(kind).Code);
    }

    [Fact]
    public void Map_NewAndRestore_UseQualifiers1And3()
    {
        Assert.Equal("1120 01 001", ContactIdMap.ToEvent("panic", restore: false, zone: 1).ToString());
        Assert.Equal("3301 01 000", ContactIdMap.ToEvent("power_loss", restore: true, zone: 0).ToString());
    }

    [Fact]
    public void Map_EveryProtocolAlarmKind_HasItsOwnRow()
    {
        foreach (var kind in AlarmKind.All)
        {
            Assert.True(ContactIdMap.IsKnown(kind), $"alarm kind '{kind}' has no Contact ID mapping");
        }
    }

    [Fact]
    public void Map_UnknownKind_StillMapsToGeneralAlarm()
    {
        Assert.Equal(140, ContactIdMap.Lookup("something_new").Code);
    }

    [Fact]
    public void Map_OutOfRangeZone_IsClampedToThreeDigits()
    {
        Assert.Equal("1120 01 999", ContactIdMap.ToEvent("panic", false, 5000).ToString());
    }

    [Fact]
    public void Docs_ForwardingPage_ListsEveryMappingWithItsCode()
    {
        var docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "forwarding.md"));

        foreach (var mapping in ContactIdMap.Table)
        {
            Assert.Contains($"| `{mapping.Kind}` | {mapping.Code} |", docs, StringComparison.Ordinal);
        }
    }

    private static string RepoRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
}
