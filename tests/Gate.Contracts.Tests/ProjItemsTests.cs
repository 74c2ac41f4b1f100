using System.Xml.Linq;

namespace Gate.Contracts.Tests;

/// <summary>
/// The .nfproj does not glob: a .cs file missing from a shared project's .projitems builds on net10.0 and is
/// silently absent on the device. Every file in the folder must be listed, and every listed file must exist.
/// </summary>
public class ProjItemsTests
{
    public static IEnumerable<object[]> SharedProjects() =>
        Directory.EnumerateFiles(TestVector.RepoRoot, "*.projitems", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
            .Select(p => new object[] { Path.GetRelativePath(TestVector.RepoRoot, p).Replace('\\', '/') });

    [Theory]
    [MemberData(nameof(SharedProjects))]
    public void ProjItems_ListsExactlyTheSourceFilesOfItsFolder(string projItems)
    {
        string path = Path.Combine(TestVector.RepoRoot, projItems);
        string folder = Path.GetDirectoryName(path)!;
        var listed = XDocument.Load(path).Descendants()
            .Where(e => e.Name.LocalName == "Compile")
            .Select(e => e.Attribute("Include")!.Value.Replace("$(MSBuildThisFileDirectory)", string.Empty).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);
        var present = PortableSyntaxChecker.SourceFiles(folder)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);

        var notListed = present.Except(listed).Order(StringComparer.Ordinal).ToList();
        var missing = listed.Except(present).Order(StringComparer.Ordinal).ToList();
        Assert.True(notListed.Count == 0, projItems + " does not list: " + string.Join(", ", notListed));
        Assert.True(missing.Count == 0, projItems + " lists files that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void SharedProjects_IncludeTheContract()
    {
        Assert.Contains(SharedProjects(), p => (string)p[0] == "shared/Gate.Contracts/Gate.Contracts.projitems");
    }
}
