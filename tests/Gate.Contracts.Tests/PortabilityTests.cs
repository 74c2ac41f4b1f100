namespace Gate.Contracts.Tests;

/// <summary>The portable folders stay inside nanoFramework's language subset; the checker itself is proven on bad code.</summary>
public class PortabilityTests
{
    public static readonly string[] PortableFolders = ["shared/Gate.Contracts", "firmware/Gate.Firmware.Core"];

    [Fact]
    public void PortableSources_UseNoFeatureNanoFrameworkLacks()
    {
        var findings = PortableSyntaxChecker.CheckFolders(TestVector.RepoRoot, PortableFolders);
        Assert.True(findings.Count == 0, "nanoFramework cannot run these:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void PortableSources_AreFound()
    {
        // Guards the test above against passing because it scanned nothing.
        var files = PortableSyntaxChecker.SourceFiles(Path.Combine(TestVector.RepoRoot, "shared", "Gate.Contracts")).ToList();
        Assert.Contains(files, f => f.EndsWith("WireCodec.cs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("class Box<T> { }", "generic type declaration")]
    [InlineData("interface IBox<T> { }", "generic type declaration")]
    [InlineData("struct Pair<T> { }", "generic type declaration")]
    [InlineData("delegate void Handler<T>(T value);", "generic type declaration")]
    [InlineData("class C { void M<T>(T value) { } }", "generic method declaration")]
    [InlineData("class C { void M() { void L<T>() { } } }", "generic method declaration")]
    [InlineData("class C { System.Collections.Generic.List<int> items; }", "use of a generic type or method")]
    [InlineData("class C { object M() { return System.Array.Empty<int>(); } }", "use of a generic type or method")]
    [InlineData("class C { int M(int[] a) { return System.Array.IndexOf(a, 3); } }", "use of generic method IndexOf")]
    [InlineData("class C { int? count; }", "nullable value type")]
    [InlineData("class C { void M() { var t = (1, 2); } }", "tuple")]
    [InlineData("class C { (int, int) M() { return default; } }", "tuple")]
    [InlineData("record Point(int X, int Y);", "record")]
    [InlineData("class C { void M(string record) { } }", "the word record")]
    [InlineData("class C { int record; }", "the word record")]
    [InlineData("class C { } // keeps the latch record", "the word record")]
    [InlineData("/// <param name=\"record\">the flash file</param>", "the word record")]
    [InlineData("class C { public int X { get; init; } }", "init accessor")]
    [InlineData("class C { async void M() { } }", "async")]
    [InlineData("class C { void M() { System.Action a = async () => { }; } }", "async")]
    [InlineData("class C { int[] M(int[] a) { return (from x in a select x).ToArray(); } }", "LINQ query syntax")]
    [InlineData("class C { int[,] grid = new int[2, 2]; }", "multi-dimensional array")]
    [InlineData("class C { dynamic d; }", "dynamic")]
    [InlineData("class C { string M(int n) { return $\"n={n}\"; } }", "interpolation hole that is not a string")]
    [InlineData("class C { string M(string s) { return s[1..]; } }", "range")]
    [InlineData("class C { char M(string s) { return s[^1]; } }", "index from end")]
    [InlineData("class C { int[] a = [1, 2]; }", "collection expression")]
    [InlineData("class C { void M() { System.Span<int> s = stackalloc int[4]; } }", "stackalloc")]
    public void Checker_BadSnippet_IsReportedWithFileAndLine(string member, string feature)
    {
        string source = "using System.Linq;\nnamespace Bad\n{\n" + member + "\n}\n";
        var findings = PortableSyntaxChecker.Check([("Bad.cs", source)]);
        Assert.Contains(findings, f => f.Feature == feature && f.File == "Bad.cs" && f.Line == 4);
        Assert.Contains("Bad.cs:4: " + feature, string.Join("\n", findings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("class C { string M(string s) { return $\"s={s}\"; } }")]
    [InlineData("class C { System.Collections.ArrayList items = new System.Collections.ArrayList(); }")]
    [InlineData("class C { System.Collections.Hashtable t = new System.Collections.Hashtable(); object M() { return t[\"a\"]; } }")]
    [InlineData("delegate void Pressed(long nowMs); class C { event Pressed OnPressed; }")]
    [InlineData("class C { int[][] jagged = new int[2][]; string[] words = { \"a\" }; }")]
    [InlineData("interface IStorage { byte[] Read(string name); } class C { long M(object o) { return o is long n ? n : 0; } }")]
    public void Checker_PortableSnippet_IsNotReported(string member)
    {
        var findings = PortableSyntaxChecker.Check([("Good.cs", "namespace Good\n{\n" + member + "\n}\n")]);
        Assert.Empty(findings);
    }
}
