using System.Net.Http.Json;
using System.Text.Json;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>
/// The OpenAPI document is what a provincial platform team generates its client from: every operation says what it
/// does and declares the refusals it can give, each as ProblemDetails.
/// </summary>
public sealed class OpenApiDocumentTests
{
    /// <summary>
    /// Endpoints with a path parameter that never answer 404: PUT creates the school it names; every valid month has a
    /// return (an invalid or future month is a 400 naming it).
    /// </summary>
    private static readonly HashSet<string> NoNotFound =
    [
        "PUT /api/schools/{id}",
        "GET /api/returns/{month}",
        "GET /api/returns/{month}/export.xlsx",
        "GET /api/returns/{month}/export.csv",
        "POST /api/returns/{month}/close",
    ];

    [Fact]
    public async Task OpenApi_EveryOperation_HasSummaryAndDeclaresItsErrorResponses()
    {
        using var server = new GateServerFactory();
        var document = await server.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var problems = new List<string>();
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var op = operation.Value;
                var responses = op.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);

                if (!op.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
                {
                    problems.Add(name + ": no summary");
                }

                if (!responses.Keys.Any(k => k.StartsWith('2')))
                {
                    problems.Add(name + ": no success response");
                }

                var anonymous = path.Name is "/health" or "/api/auth/login" or "/api/auth/logout";
                if (!anonymous && !responses.ContainsKey("401"))
                {
                    problems.Add(name + ": 401 not declared");
                }

                if (path.Name.Contains('{', StringComparison.Ordinal) && !NoNotFound.Contains(name) && !responses.ContainsKey("404"))
                {
                    problems.Add(name + ": 404 not declared");
                }

                var takesInput = op.TryGetProperty("requestBody", out _)
                    || (op.TryGetProperty("parameters", out var parameters) && parameters.EnumerateArray().Any(p => p.GetProperty("in").GetString() == "query"));
                if (takesInput && !responses.ContainsKey("400"))
                {
                    problems.Add(name + ": takes input but 400 not declared");
                }

                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5' && r.Key != "503"))
                {
                    if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        problems.Add($"{name}: {status} is not declared as application/problem+json");
                    }
                }
            }
        }

        Assert.True(operations > 40, $"only {operations} operations in the document");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>docs/operations.md's HTTP API table names every path the server serves (the table is what operators read).</summary>
    [Fact]
    public async Task OperationsGuide_HttpApiTable_NamesEveryPath()
    {
        using var server = new GateServerFactory();
        var document = await server.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var guide = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "operations.md"));
        var start = guide.IndexOf("## HTTP API", StringComparison.Ordinal);
        var table = guide[start..guide.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Concat(["/health/live", "/health/ready", "/metrics"]);
        var missing = paths.Where(p => !table.Contains(p, StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "not in the HTTP API table of docs/operations.md: " + string.Join(", ", missing));
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));

    [Theory]
    [InlineData("/api/schools/{id}", "put", "403")]
    [InlineData("/api/alarms/{id}/resolve", "post", "403")]
    [InlineData("/api/users", "post", "409")]
    [InlineData("/api/auth/login", "post", "429")]
    [InlineData("/api/alarms/{id}/delivery/retry", "post", "409")]
    public async Task OpenApi_RoleAndHandlerRefusals_AreDeclaredWhereTheyHappen(string path, string method, string status)
    {
        using var server = new GateServerFactory();
        var document = await server.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var responses = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        Assert.True(responses.TryGetProperty(status, out _), $"{method} {path} does not declare {status}: {responses}");
    }
}
