using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gate.Contracts.Tests;

/// <summary>
/// Finds C# language features that .NET nanoFramework's stable runtime lacks and that the banned-API analyzer
/// cannot see because they are syntax, not API: declaring or using generics, nullable value types, tuples,
/// records, the word "record" (as a name or in a comment), init accessors, async/await, LINQ query syntax,
/// multi-dimensional arrays, dynamic, ranges and indices, stackalloc, collection expressions, and string interpolation with non-string holes (which needs
/// DefaultInterpolatedStringHandler and prints enums as numbers on the device).
/// The sources are compiled together against the net10.0 framework so that the semantic model can tell, say,
/// an inferred generic method call from an ordinary one.
/// </summary>
public static class PortableSyntaxChecker
{
    public sealed record Finding(string File, int Line, string Feature, string Text)
    {
        public override string ToString() => File + ":" + Line + ": " + Feature + ": " + Text;
    }

    public static IReadOnlyList<Finding> Check(IEnumerable<(string Path, string Text)> sources)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, s.Path)).ToList();
        var compilation = CSharpCompilation.Create(
            "PortableCheck",
            trees,
            FrameworkReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));

        var findings = new List<Finding>();
        foreach (var tree in trees)
        {
            var walker = new Walker(compilation.GetSemanticModel(tree), findings);
            walker.Visit(tree.GetRoot());
        }

        return findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ToList();
    }

    public static IReadOnlyList<Finding> CheckFolders(string repoRoot, params string[] folders)
    {
        var sources = new List<(string, string)>();
        foreach (string folder in folders)
        {
            string full = Path.Combine(repoRoot, folder);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (string file in SourceFiles(full))
            {
                sources.Add((Path.GetRelativePath(repoRoot, file).Replace('\\', '/'), File.ReadAllText(file)));
            }
        }

        return Check(sources);
    }

    /// <summary>Every .cs file under a folder, leaving out build output.</summary>
    public static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
            {
                string rel = Path.GetRelativePath(folder, f).Replace('\\', '/');
                return !rel.StartsWith("bin/", StringComparison.Ordinal) && !rel.StartsWith("obj/", StringComparison.Ordinal)
                    && !rel.Contains("/bin/", StringComparison.Ordinal) && !rel.Contains("/obj/", StringComparison.Ordinal);
            })
            .OrderBy(f => f, StringComparer.Ordinal);

    private static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    private sealed class Walker(SemanticModel model, List<Finding> findings) : CSharpSyntaxWalker(SyntaxWalkerDepth.Token)
    {
        private void Report(SyntaxNode node, string feature) => ReportAt(node.GetLocation().GetLineSpan(), feature, node.ToString());

        /// <summary>
        /// What is refused wherever it stands, by syntax kind. Generic and async declarations are told by their parts
        /// (in Visit); what needs a closer look has a method of its own below.
        /// </summary>
        private static readonly Dictionary<SyntaxKind, string> RefusedKinds = new()
        {
            [SyntaxKind.RecordDeclaration] = "record",
            [SyntaxKind.RecordStructDeclaration] = "record",
            [SyntaxKind.AwaitExpression] = "await",
            [SyntaxKind.QueryExpression] = "LINQ query syntax",
            [SyntaxKind.TupleType] = "tuple",
            [SyntaxKind.TupleExpression] = "tuple",
            [SyntaxKind.ParenthesizedVariableDesignation] = "tuple",
            [SyntaxKind.RangeExpression] = "range",
            [SyntaxKind.StackAllocArrayCreationExpression] = "stackalloc",
            [SyntaxKind.ImplicitStackAllocArrayCreationExpression] = "stackalloc",
            [SyntaxKind.CollectionExpression] = "collection expression",
            [SyntaxKind.InitAccessorDeclaration] = "init accessor",
            [SyntaxKind.IndexExpression] = "index from end",
        };

        public override void Visit(SyntaxNode? node)
        {
            if (node is not null && RefusedKinds.TryGetValue(node.Kind(), out var feature))
            {
                Report(node, feature);
            }

            if (node is ArrayRankSpecifierSyntax { Rank: > 1 })
            {
                Report(node, "multi-dimensional array");
            }

            if (node is ClassDeclarationSyntax { TypeParameterList: not null } or StructDeclarationSyntax { TypeParameterList: not null }
                or InterfaceDeclarationSyntax { TypeParameterList: not null } or DelegateDeclarationSyntax { TypeParameterList: not null })
            {
                Report(node, "generic type declaration");
            }

            if (node is MethodDeclarationSyntax { TypeParameterList: not null } or LocalFunctionStatementSyntax { TypeParameterList: not null })
            {
                Report(node, "generic method declaration");
            }

            if (node is MethodDeclarationSyntax method && method.Modifiers.Any(SyntaxKind.AsyncKeyword)
                || node is LocalFunctionStatementSyntax local && local.Modifiers.Any(SyntaxKind.AsyncKeyword)
                || node is AnonymousFunctionExpressionSyntax function && function.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword))
            {
                Report(node, "async");
            }

            base.Visit(node);
        }

        public override void VisitNullableType(NullableTypeSyntax node)
        {
            var type = model.GetTypeInfo(node).Type;
            if (type is null || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || type.IsValueType)
            {
                Report(node, "nullable value type");
            }

            base.VisitNullableType(node);
        }

        public override void VisitInterpolation(InterpolationSyntax node)
        {
            var type = model.GetTypeInfo(node.Expression).Type;
            if (type is null || type.SpecialType != SpecialType.System_String)
            {
                Report(node, "interpolation hole that is not a string");
            }

            base.VisitInterpolation(node);
        }

        public override void VisitIdentifierName(IdentifierNameSyntax node)
        {
            if (node.IsVar)
            {
                CheckType(node, model.GetTypeInfo(node).Type);
            }
            else if (node.Identifier.Text == "dynamic" && model.GetTypeInfo(node).Type?.TypeKind == TypeKind.Dynamic)
            {
                Report(node, "dynamic");
            }
            else
            {
                CheckSymbol(node, model.GetSymbolInfo(node).Symbol);
            }

            base.VisitIdentifierName(node);
        }

        /// <summary>
        /// The word "record" as a name or in a comment: it is a contextual keyword since C# 9, and the checks run on
        /// the portable core outside this repository (and nanoFramework's own tool chain) read it as the record
        /// feature, so the core never uses it, not even in prose. ("records", plural, is another word.)
        /// </summary>
        public override void VisitToken(SyntaxToken token)
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == "record")
            {
                ReportAt(token.GetLocation().GetLineSpan(), "the word record", token.Parent?.ToString() ?? token.Text);
            }

            foreach (var trivia in token.LeadingTrivia.Concat(token.TrailingTrivia))
            {
                if (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia)
                    || trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia))
                {
                    var at = RecordWord.Match(trivia.ToFullString());
                    if (at.Success)
                    {
                        var tree = trivia.SyntaxTree!;
                        var line = tree.GetLineSpan(new Microsoft.CodeAnalysis.Text.TextSpan(trivia.FullSpan.Start + at.Index, at.Length));
                        ReportAt(line, "the word record", tree.GetText().Lines[line.StartLinePosition.Line].ToString());
                    }
                }
            }

            base.VisitToken(token);
        }

        private static readonly System.Text.RegularExpressions.Regex RecordWord = new(@"\brecord\b");

        private void ReportAt(FileLinePositionSpan span, string feature, string text)
        {
            text = text.Split('\n')[0].Trim();
            findings.Add(new Finding(span.Path, span.StartLinePosition.Line + 1, feature, text.Length > 80 ? text[..80] : text));
        }

        public override void VisitGenericName(GenericNameSyntax node)
        {
            Report(node, "use of a generic type or method");
            base.VisitGenericName(node);
        }

        private void CheckSymbol(SyntaxNode node, ISymbol? symbol)
        {
            switch (symbol)
            {
                case IMethodSymbol { IsGenericMethod: true } method:
                    Report(node, "use of generic method " + method.Name);
                    break;
                case IMethodSymbol method when method.ContainingType is { IsGenericType: true }:
                    Report(node, "use of generic type " + method.ContainingType.Name);
                    break;
                case INamedTypeSymbol type:
                    CheckType(node, type);
                    break;
                case IPropertySymbol or IFieldSymbol or IEventSymbol when symbol.ContainingType is { IsGenericType: true }:
                    Report(node, "use of generic type " + symbol.ContainingType.Name);
                    break;
            }
        }

        private void CheckType(SyntaxNode node, ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { IsGenericType: true } named)
            {
                Report(node, named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
                    ? "nullable value type"
                    : "use of generic type " + named.Name);
            }
            else if (type is ITypeSymbol { TypeKind: TypeKind.Dynamic })
            {
                Report(node, "dynamic");
            }
            else if (type is IArrayTypeSymbol { Rank: > 1 })
            {
                Report(node, "multi-dimensional array");
            }
        }
    }
}
