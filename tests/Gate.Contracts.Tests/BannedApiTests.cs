using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Gate.Contracts.Tests;

/// <summary>
/// Proves that build/BannedSymbols.nanoFramework.txt bites: the same analyzer the portable projects run at build
/// (Microsoft.CodeAnalysis.BannedApiAnalyzers, from the restored package) reports RS0030 on portable-looking code
/// that uses a banned API, and nothing on code that stays inside the subset. Warnings are errors in the build, so
/// RS0030 fails it.
/// </summary>
public class BannedApiTests
{
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> Analyzers = new(LoadAnalyzers);

    [Theory]
    [InlineData("using System.Linq; class C { int M(int[] a) { return a.Count(); } }", "System.Linq")]
    [InlineData("class C { System.Collections.Generic.List<int> items = new System.Collections.Generic.List<int>(); }", "System.Collections.Generic")]
    [InlineData("class C { void M() { System.Threading.Tasks.Task.Delay(1); } }", "System.Threading.Tasks")]
    [InlineData("class C { object M() { return System.Text.Json.JsonSerializer.Serialize(1); } }", "System.Text.Json")]
    [InlineData("class C { System.DateTime M() { return System.DateTime.Now; } }", "DateTime.Now")]
    [InlineData("class C { string M(System.DayOfWeek d) { return System.Enum.GetName(d); } }", "System.Enum")]
    [InlineData("class C { void M() { System.Threading.Thread.Sleep(10); } }", "Thread.Sleep")]
    [InlineData("class C { void M() { System.Console.WriteLine(1); } }", "System.Console")]
    [InlineData("class C { object M() { return System.Guid.NewGuid(); } }", "System.Guid")]
    public async Task BannedApi_InPortableCode_IsReportedAsRS0030(string source, string banned)
    {
        var diagnostics = await AnalyzeAsync(source);
        Assert.Contains(diagnostics, d => d.Id == "RS0030");
        Assert.True(diagnostics.Any(d => d.Id == "RS0030"), banned + " was not reported");
    }

    [Fact]
    public async Task PortableCode_WithinSubset_HasNoRS0030()
    {
        string source = "using System.Collections; using System.Text; class C { string M(Hashtable t) { var sb = new StringBuilder(); sb.Append(t.Count); return sb.ToString() + System.DateTime.UtcNow.Ticks; } }";
        var diagnostics = await AnalyzeAsync(source);
        Assert.DoesNotContain(diagnostics, d => d.Id == "RS0030");
    }

    [Fact]
    public void PortableProjects_RunTheBannedApiAnalyzer()
    {
        // The wiring that makes RS0030 fail the build of every GatePortable project.
        string targets = File.ReadAllText(Path.Combine(TestVector.RepoRoot, "Directory.Build.targets"));
        Assert.Contains("Microsoft.CodeAnalysis.BannedApiAnalyzers", targets, StringComparison.Ordinal);
        Assert.Contains("build/BannedSymbols.nanoFramework.txt", targets, StringComparison.Ordinal);
        string project = File.ReadAllText(Path.Combine(TestVector.RepoRoot, "shared", "Gate.Contracts.Net", "Gate.Contracts.Net.csproj"));
        Assert.Contains("<GatePortable>true</GatePortable>", project, StringComparison.Ordinal);
        string props = File.ReadAllText(Path.Combine(TestVector.RepoRoot, "Directory.Build.props"));
        Assert.Contains("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>", props, StringComparison.Ordinal);
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), "Portable.cs");
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Portable", [tree], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        string bannedFile = Path.Combine(TestVector.RepoRoot, "build", "BannedSymbols.nanoFramework.txt");
        var options = new AnalyzerOptions([new FileText(Path.Combine(Path.GetDirectoryName(bannedFile)!, "BannedSymbols.txt"), File.ReadAllText(bannedFile))]);
        var withAnalyzers = compilation.WithAnalyzers(Analyzers.Value, options);
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }

    private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers()
    {
        string? packageDir = typeof(BannedApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BannedApiAnalyzersPath")?.Value;
        Assert.False(string.IsNullOrEmpty(packageDir), "the BannedApiAnalyzers package path was not embedded at build");
        string dir = Path.Combine(packageDir, "analyzers", "dotnet", "cs");
        var analyzers = ImmutableArray.CreateBuilder<DiagnosticAnalyzer>();
        foreach (string dll in Directory.EnumerateFiles(dir, "*.dll"))
        {
            var assembly = Assembly.LoadFrom(dll);
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                // The package's code-fix providers need Roslyn Workspaces, which a test does not load; the analyzers do not.
                types = e.Types.Where(t => t is not null).ToArray()!;
            }

            foreach (var type in types.Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)))
            {
                var attribute = type.GetCustomAttribute<DiagnosticAnalyzerAttribute>();
                if (attribute is not null && attribute.Languages.Contains(LanguageNames.CSharp))
                {
                    analyzers.Add((DiagnosticAnalyzer)Activator.CreateInstance(type)!);
                }
            }
        }

        Assert.NotEmpty(analyzers);
        return analyzers.ToImmutable();
    }

    /// <summary>The banned-symbols file handed to the analyzer as an additional file named BannedSymbols.txt, as the build links it.</summary>
    private sealed class FileText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text, Encoding.UTF8);
    }
}
