using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Gate.Firmware.Core.Tests;

/// <summary>
/// The device project's nanoFramework packages are one consistent set, written once in nanoFramework.props: the
/// .nfproj's HintPaths read the versions from there, packages.config (which nuget.exe restores from) lists the same,
/// the set meets what nanoFramework.M2Mqtt's nuspec requires, and the compile of the portable code in
/// build/nanoFramework uses the same mscorlib and stand-in versions. Nothing here builds the .nfproj (that needs the
/// nanoFramework toolchain); this is what keeps it buildable.
/// </summary>
public class DevicePackageSetTests
{
    private static readonly string Root = VectorTests.RepoRoot();
    private static readonly string DeviceFolder = Path.Combine(Root, "firmware", "Gate.Firmware.Esp32");

    /// <summary>Minimum versions nanoFramework.M2Mqtt 5.1.22x requires of the packages it shares with us.</summary>
    private static readonly Dictionary<string, Version> M2MqttRequires = new()
    {
        ["nanoFramework.CoreLibrary"] = new Version(1, 17, 11),
        ["nanoFramework.Runtime.Events"] = new Version(1, 11, 37),
        ["nanoFramework.System.Collections"] = new Version(1, 5, 75),
        ["nanoFramework.System.Net"] = new Version(1, 11, 60),
    };

    private static Dictionary<string, string> PropsVersions()
    {
        var doc = XDocument.Load(Path.Combine(Root, "nanoFramework.props"));
        return doc.Descendants().Where(e => e.Name.LocalName.StartsWith("Nf", StringComparison.Ordinal) && e.Name.LocalName.EndsWith("Version", StringComparison.Ordinal))
            .ToDictionary(e => e.Name.LocalName, e => e.Value.Trim());
    }

    private static Dictionary<string, string> PackagesConfig() =>
        XDocument.Load(Path.Combine(DeviceFolder, "packages.config")).Descendants("package")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);

    /// <summary>Each HintPath as (package id, version property), from $(NfPackagesPath)ID.$(Property)\lib\...</summary>
    private static List<(string Include, string Package, string Property)> HintPaths()
    {
        var doc = XDocument.Load(Path.Combine(DeviceFolder, "Gate.Firmware.Esp32.nfproj"));
        var pattern = new Regex(@"^\$\(NfPackagesPath\)(?<id>[A-Za-z0-9.]+?)\.\$\((?<prop>Nf[A-Za-z0-9]+Version)\)\\lib\\[A-Za-z0-9.]+\.dll$");
        var result = new List<(string, string, string)>();
        foreach (var reference in doc.Descendants().Where(e => e.Name.LocalName == "Reference"))
        {
            string hint = reference.Elements().Single(e => e.Name.LocalName == "HintPath").Value.Trim();
            var match = pattern.Match(hint);
            Assert.True(match.Success, "HintPath must read its version from nanoFramework.props: " + hint);
            result.Add(((string)reference.Attribute("Include")!, match.Groups["id"].Value, match.Groups["prop"].Value));
        }

        return result;
    }

    [Fact]
    public void HintPaths_EveryVersionComesFromTheProps_AndMatchesPackagesConfig()
    {
        var props = PropsVersions();
        var config = PackagesConfig();
        var hints = HintPaths();
        Assert.True(hints.Count >= 15, "the .nfproj references were not found");
        foreach (var (include, package, property) in hints)
        {
            Assert.True(props.ContainsKey(property), include + " reads $(" + property + "), which nanoFramework.props does not define");
            Assert.True(config.TryGetValue(package, out var listed), package + " is referenced by the .nfproj but missing from packages.config");
            Assert.True(listed == props[property], package + ": packages.config says " + listed + ", nanoFramework.props says " + props[property]);
        }

        // And nothing restored that nothing references.
        Assert.Empty(config.Keys.Except(hints.Select(h => h.Package)));
    }

    [Fact]
    public void PackageSet_IncludesSntp_ForNetworkStarter()
    {
        Assert.Contains("Sntp.", File.ReadAllText(Path.Combine(DeviceFolder, "NetworkStarter.cs")), StringComparison.Ordinal);
        Assert.Contains(HintPaths(), h => h.Package == "nanoFramework.Networking.Sntp" && h.Include == "nanoFramework.Networking.Sntp");
    }

    [Fact]
    public void PackageSet_MeetsWhatM2MqttRequires()
    {
        var config = PackagesConfig();
        Assert.Equal(config["nanoFramework.M2Mqtt"], config["nanoFramework.M2Mqtt.Core"]);
        // 5.1.223 or later: Connect no longer hangs after a network loss (m2mqtt #445) and Publish no longer leaks (#471).
        Assert.True(Version.Parse(config["nanoFramework.M2Mqtt"]) >= new Version(5, 1, 223), "M2Mqtt " + config["nanoFramework.M2Mqtt"]);
        foreach (var (package, minimum) in M2MqttRequires)
        {
            Assert.True(Version.Parse(config[package]) >= minimum, package + " " + config[package] + " is below M2Mqtt's " + minimum);
        }
    }

    [Fact]
    public void PortableCompile_UsesTheDeviceVersions_OfMscorlibAndTheStandIns()
    {
        var props = PropsVersions();
        var central = XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string)e.Attribute("Include")! == "nanoFramework.CoreLibrary");
        Assert.Equal(props["NfCoreLibraryVersion"], (string)central.Attribute("Version")!);

        foreach (var (standIn, property) in new[] { ("nanoFramework.System.Collections", "NfCollectionsVersion"), ("nanoFramework.System.Text", "NfTextVersion") })
        {
            var project = XDocument.Load(Path.Combine(Root, "build", "nanoFramework", "ApiStandIns", standIn, standIn + ".csproj"));
            string assemblyVersion = project.Descendants("AssemblyVersion").Single().Value;
            Assert.Equal(props[property] + ".0", assemblyVersion);
            Assert.Contains(standIn + " " + props[property], File.ReadAllText(Path.Combine(Root, "build", "nanoFramework", "ApiStandIns", standIn, "StandIn.cs")), StringComparison.Ordinal);
        }
    }
}
