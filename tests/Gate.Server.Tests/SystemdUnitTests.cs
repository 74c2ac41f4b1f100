using System.Runtime.CompilerServices;

namespace Gate.Server.Tests;

/// <summary>deploy/systemd/gate-server.service keeps its hardening, and the data folder it lets the server write is the one the server writes.</summary>
public sealed class SystemdUnitTests
{
    [Fact]
    public void Unit_IsHardenedAndItsOnlyWritablePathHoldsTheDatabase()
    {
        var unit = Settings(File.ReadAllLines(Path.Combine(RepoRoot(), "deploy", "systemd", "gate-server.service")));

        Assert.Equal("gate", unit["User"].Single());
        Assert.Equal("strict", unit["ProtectSystem"].Single());
        Assert.Equal("on-failure", unit["Restart"].Single());
        Assert.Equal("yes", unit["NoNewPrivileges"].Single());
        Assert.Equal("", unit["CapabilityBoundingSet"].Single());
        Assert.Equal("yes", unit["PrivateTmp"].Single());
        var writable = Assert.Single(unit["ReadWritePaths"]);
        Assert.Equal("/var/lib/gate", writable);
        Assert.Equal("/var/lib/" + unit["StateDirectory"].Single(), writable);
        var database = unit["Environment"].Single(e => e.StartsWith("Database__Path=", StringComparison.Ordinal))["Database__Path=".Length..];
        Assert.StartsWith(writable + "/", database, StringComparison.Ordinal);
        Assert.Contains("Logging__Console__FormatterName=json", unit["Environment"]);
    }

    [Fact]
    public void OperationsGuide_NamesThePublishCommandAndTheUnit()
    {
        var guide = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "operations.md"));

        Assert.Contains("dotnet publish gateway-server/Gate.Server -c Release -r linux-x64 --self-contained", guide);
        Assert.Contains("deploy/systemd/gate-server.service", guide);
        Assert.Contains("/opt/gate/Gate.Server", File.ReadAllText(Path.Combine(RepoRoot(), "deploy", "systemd", "gate-server.service")));
    }

    private static Dictionary<string, List<string>> Settings(IEnumerable<string> lines)
    {
        var settings = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not '#' and not '['))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = line[..equals];
            (settings.TryGetValue(key, out var values) ? values : settings[key] = []).Add(line[(equals + 1)..]);
        }

        return settings;
    }

    private static string RepoRoot([CallerFilePath] string thisFile = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
}
