namespace Gate.Contracts.Tests;

/// <summary>
/// The portable code as compiled for the device (build/nanoFramework: nanoFramework's mscorlib plus the API stand-ins)
/// holds nothing the 1.x runtime cannot load; and the pipeline (that compile, then the IL check) is proven on bad code
/// compiled in memory against the very same references.
/// </summary>
public class NanoFrameworkIlTests
{
    /// <summary>The folder holding Gate.Portable.NanoFramework.dll and the nanoFramework references copied beside it.</summary>
    private static readonly string NanoOutput = Path.GetDirectoryName(typeof(NanoFrameworkIlTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NanoFrameworkPortableAssembly").Value!)!;

    private static string PortableAssembly => Path.Combine(NanoOutput, "Gate.Portable.NanoFramework.dll");

    private static readonly string[] NanoReferences =
        ["mscorlib.dll", "nanoFramework.System.Collections.dll", "nanoFramework.System.Text.dll"];

    private static IEnumerable<string> ReferencePaths => NanoReferences.Select(r => Path.Combine(NanoOutput, r));

    [Fact]
    public void PortableAssembly_CompiledAgainstNanoFramework_HasNothingTheRuntimeLacks()
    {
        var findings = NanoFrameworkIlCheck.Check(File.ReadAllBytes(PortableAssembly), ReferencePaths);
        Assert.True(findings.Count == 0, "nanoFramework 1.x cannot load these:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void PortableAssembly_ReferencesOnlyNanoFrameworkAssemblies_AndHoldsThePortableCode()
    {
        // Guards the test above: it must have read the real portable build, not an empty or net10.0 assembly.
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(PortableAssembly));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var referenced = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).Order().ToArray();
        Assert.Equal(["mscorlib", "nanoFramework.System.Collections", "nanoFramework.System.Text"], referenced);
        var types = md.TypeDefinitions.Select(h => md.GetString(md.GetTypeDefinition(h).Name)).ToHashSet();
        Assert.Contains("WireCodec", types);
        Assert.Contains("GateController", types);
        var mscorlib = md.AssemblyReferences.Select(md.GetAssemblyReference).Single(r => md.GetString(r.Name) == "mscorlib");
        Assert.Equal(new Version(1, 17, 11, 0), mscorlib.Version);
    }

    [Theory]
    [InlineData("Gate.Contracts.Json.JsonReader")]
    [InlineData("Gate.Contracts.Json.Utf8Text")]
    [InlineData("Gate.Contracts.WireFields")]
    public void Decoder_AsCompiledForTheDevice_BuildsStringsOnlyFromUtf8Bytes(string type)
    {
        // nanoFramework keeps strings as UTF-8: a string made of UTF-16 code units (new string(char[]), a
        // StringBuilder fed chars) that are the halves of a surrogate pair reads back wrong there, and a NUL in one
        // ends it. So the decoder may build a string only with Encoding.UTF8.GetString, over bytes it validated.
        var calls = NanoFrameworkIlCheck.CallsFrom(File.ReadAllBytes(PortableAssembly), type);
        Assert.NotEmpty(calls);
        string[] forbidden = ["System.String::.ctor", "System.String::Substring", "System.Text.StringBuilder::Append", "System.Text.StringBuilder::ToString",
            "System.Text.Encoding::GetChars", "System.String::ToCharArray"];
        Assert.Empty(calls.Intersect(forbidden));
        if (type != "Gate.Contracts.WireFields")
        {
            Assert.Contains("System.Text.Encoding::GetString", calls);
        }
    }

    [Theory]
    [InlineData("class C { int M() { System.Func<int, int> twice = x => x * 2; return twice(3); } }", "generic instantiation System.Func`2<Int32,Int32>")]
    [InlineData("class C { event System.EventHandler<System.EventArgs> Changed; }", "generic instantiation System.EventHandler`1<System.EventArgs>")]
    [InlineData("class Box<T> { }", "generic type definition")]
    [InlineData("class C { void M<T>() { } }", "generic method")]
    [InlineData("class C { int[,] grid = new int[2, 2]; }", "multi-dimensional array Int32[,]")]
    public void IlCheck_CodeThatCompilesAgainstNanoMscorlib_IsRefusedNamingTheMember(string member, string problem)
    {
        byte[] image = CompileAgainstNanoFramework("namespace Bad\n{\n" + member + "\n}\n", out var errors);
        Assert.Empty(errors); // nanoFramework's mscorlib declares these, so only the IL check can refuse them

        var findings = NanoFrameworkIlCheck.Check(image, ReferencePaths);
        Assert.Contains(findings, f => f.Problem.StartsWith(problem, StringComparison.Ordinal) && f.Member.StartsWith("Bad.", StringComparison.Ordinal));
    }

    [Fact]
    public void IlCheck_FuncUsedInAMethod_NamesThatMethod()
    {
        byte[] image = CompileAgainstNanoFramework(
            "namespace Bad\n{\nclass C { int Twice(int v) { System.Func<int, int> f = x => x * 2; return f(v); } }\n}\n", out var errors);
        Assert.Empty(errors);
        var findings = NanoFrameworkIlCheck.Check(image, ReferencePaths);
        Assert.Contains(findings, f => f.Member == "Bad.C.Twice" && f.Problem.Contains("System.Func`2<Int32,Int32>", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_MemberNanoMscorlibLacks_FailsWithFileAndLine()
    {
        // string.Replace exists on .NET but not in nanoFramework's mscorlib 1.17.11 (it has no string.Join either).
        CompileAgainstNanoFramework("namespace Bad\n{\nclass C\n{\nstring M(string s) { return s.Replace(\"a\", \"b\"); }\n}\n}\n", out var errors);
        var error = Assert.Single(errors);
        Assert.Equal("Bad.cs", error.Location.GetLineSpan().Path);
        Assert.Equal(5, error.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains("Replace", error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_TypeOnlyInTheDotNetBcl_FailsWithFileAndLine()
    {
        CompileAgainstNanoFramework("namespace Bad\n{\nclass C\n{\nSystem.Collections.Generic.List<int> items;\n}\n}\n", out var errors);
        Assert.Contains(errors, e => e.Location.GetLineSpan().Path == "Bad.cs" && e.Location.GetLineSpan().StartLinePosition.Line == 4);
    }

    [Fact]
    public void IlCheck_ReferenceOutsideNanoFramework_IsRefused()
    {
        // An assembly that is not one of the nanoFramework references (a desktop-only helper, say).
        var outside = CSharpCompilation.Create("Outside",
            [CSharpSyntaxTree.ParseText("namespace Outside { public class Helper { public static int Help() { return 1; } } }")],
            ReferencePaths.Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var outsideImage = new MemoryStream();
        Assert.True(outside.Emit(outsideImage).Success);

        byte[] image = CompileAgainstNanoFramework("namespace Bad\n{\nclass C { int M() { return Outside.Helper.Help(); } }\n}\n", out var errors,
            MetadataReference.CreateFromImage(outsideImage.ToArray()));
        Assert.Empty(errors);
        var findings = NanoFrameworkIlCheck.Check(image, ReferencePaths);
        Assert.Contains(findings, f => f.Member == "assembly reference Outside");
        Assert.Contains(findings, f => f.Member == "Bad.C.M" && f.Problem.Contains("Outside.Helper", StringComparison.Ordinal));
    }

    [Fact]
    public void IlCheck_MemberMissingFromTheReference_IsRefused()
    {
        // Compiled against a richer Hashtable than the device has; checked against the stand-in, which lacks it.
        var richer = CSharpCompilation.Create("nanoFramework.System.Collections",
            [CSharpSyntaxTree.ParseText("namespace System.Collections { public class Hashtable { public bool ContainsValue(object v) { return false; } } }")],
            [MetadataReference.CreateFromFile(Path.Combine(NanoOutput, "mscorlib.dll"))],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var richerImage = new MemoryStream();
        Assert.True(richer.Emit(richerImage).Success);

        var compilation = CSharpCompilation.Create("Bad",
            [CSharpSyntaxTree.ParseText("namespace Bad { class C { bool M(System.Collections.Hashtable t) { return t.ContainsValue(1); } } }", path: "Bad.cs")],
            [MetadataReference.CreateFromFile(Path.Combine(NanoOutput, "mscorlib.dll")), MetadataReference.CreateFromImage(richerImage.ToArray())],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Assert.True(compilation.Emit(image).Success);

        var findings = NanoFrameworkIlCheck.Check(image.ToArray(), ReferencePaths);
        Assert.Contains(findings, f => f.Member == "Bad.C.M" && f.Problem.StartsWith("member System.Collections.Hashtable.ContainsValue is not in nanoFramework.System.Collections 1.5.75", StringComparison.Ordinal));
    }

    /// <summary>Compiles as build/nanoFramework does: no .NET BCL, only nanoFramework's mscorlib and the stand-ins.</summary>
    private static byte[] CompileAgainstNanoFramework(string source, out IReadOnlyList<Diagnostic> errors, params MetadataReference[] extra)
    {
        var compilation = CSharpCompilation.Create("Bad",
            [CSharpSyntaxTree.ParseText(source, path: "Bad.cs")],
            ReferencePaths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).Concat(extra),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return image.ToArray();
    }
}
