using System.Reflection;

namespace Gate.Provisioning.Tests;

internal static class TestPaths
{
    public static string RepoRoot { get; } = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "GateRepoRoot").Value!.TrimEnd('/', '\\');

    public static string Boards => Path.Combine(RepoRoot, "hardware", "boards");

    public static string Hardware => Path.Combine(RepoRoot, "hardware");

    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "gate-provisioning-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
