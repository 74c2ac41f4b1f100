namespace Gate.Provisioning.Tests;

/// <summary>The hardware docs say the same thing as the code and as each other.</summary>
public class HardwareDocsTests
{
    private static string Read(string name) => File.ReadAllText(Path.Combine(TestPaths.Hardware, name));

    [Fact]
    public void Bom_MarkdownTable_ListsEveryCsvRowWithTheSameQuantities()
    {
        var csv = File.ReadAllLines(Path.Combine(TestPaths.Hardware, "bom.csv")).Skip(1).Where(l => l.Length > 0).ToList();
        var markdown = Read("bom.md");

        Assert.NotEmpty(csv);
        foreach (var line in csv)
        {
            var cells = line.Split(',');
            Assert.Contains($"| {cells[0]} | {cells[1]} | {cells[2]} |", markdown);
        }

        Assert.Equal(csv.Count, markdown.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal)) - 1);
    }

    [Fact]
    public void Docs_NameEveryGateFunctionOfTheFirmware()
    {
        var docs = Read("README.md") + Read("wiring.md");

        Assert.All(GateFunction.All, f => Assert.Contains($"`{f}`", docs));
    }

    [Fact]
    public void WiringDoc_LoopBandsAreTheOnesTheBundleGivesTheFirmware()
    {
        var wiring = Read("wiring.md");

        Assert.Contains($"`shortBelowMv = {BoardProfile.LoopShortBelowMv}`", wiring);
        Assert.Contains($"`normalBelowMv = {BoardProfile.LoopNormalBelowMv}`", wiring);
        Assert.Contains($"`alarmBelowMv = {BoardProfile.LoopAlarmBelowMv}`", wiring);
    }

    [Fact]
    public void Docs_NanoffTargetsAreTheBoardFilesOnes()
    {
        var flashing = Read("flashing.md");

        foreach (var board in BoardCatalog.Load(TestPaths.Boards).Boards)
        {
            Assert.Contains($"--target {board.NanoffTarget} ", flashing);
        }
    }
}
