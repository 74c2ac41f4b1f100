using System.Text.Json;

namespace Gate.Contracts.Tests;

/// <summary>One file of shared/test-vectors (format: shared/test-vectors/README.md).</summary>
public sealed class TestVector
{
    public required string Name { get; init; }

    public required string Message { get; init; }

    public required string Description { get; init; }

    public required byte[] Payload { get; init; }

    public required bool Valid { get; init; }

    public string? Reason { get; init; }

    public required IReadOnlyList<KeyValuePair<string, JsonElement>> Fields { get; init; }

    public bool Golden { get; init; }

    public override string ToString() => Name;

    public static readonly string[] MessageTypes = ["heartbeat", "alarm", "ack", "state", "command", "result", "status"];

    private static readonly HashSet<string> KnownKeys =
        ["description", "message", "payload", "payload_text", "payload_base64", "payload_parts", "expect", "reason", "fields", "golden"];

    private static readonly Lazy<IReadOnlyDictionary<string, TestVector>> All = new(LoadAll);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Folder => Path.Combine(RepoRoot, "shared", "test-vectors");

    public static IReadOnlyDictionary<string, TestVector> Vectors => All.Value;

    public static TestVector Get(string name) => All.Value[name];

    public static IEnumerable<object[]> Names() => All.Value.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => new object[] { k });

    public static IEnumerable<object[]> GoldenNames() => All.Value.Values.Where(v => v.Golden).Select(v => new object[] { v.Name });

    private static string FindRepoRoot()
    {
        string? embedded = typeof(TestVector).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (!string.IsNullOrEmpty(embedded) && Directory.Exists(Path.Combine(embedded, "shared", "test-vectors")))
        {
            return Path.GetFullPath(embedded);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gate.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Gate.sln).");
    }

    private static IReadOnlyDictionary<string, TestVector> LoadAll()
    {
        var result = new Dictionary<string, TestVector>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(Folder, "*.json", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(Folder, file).Replace('\\', '/')[..^".json".Length];
            result.Add(name, Load(name, File.ReadAllBytes(file)));
        }

        return result;
    }

    public static TestVector Load(string name, byte[] file)
    {
        using var doc = JsonDocument.Parse(file);
        var root = doc.RootElement;
        foreach (var p in root.EnumerateObject())
        {
            if (!KnownKeys.Contains(p.Name))
            {
                throw new InvalidDataException(name + ": unknown key " + p.Name);
            }
        }

        string message = root.GetProperty("message").GetString()!;
        string expect = root.GetProperty("expect").GetString()!;
        if (expect is not ("valid" or "rejected"))
        {
            throw new InvalidDataException(name + ": expect must be valid or rejected");
        }

        var fields = new List<KeyValuePair<string, JsonElement>>();
        if (root.TryGetProperty("fields", out var f))
        {
            foreach (var p in f.EnumerateObject())
            {
                fields.Add(new(p.Name, p.Value.Clone()));
            }
        }

        return new TestVector
        {
            Name = name,
            Message = message,
            Description = root.GetProperty("description").GetString()!,
            Payload = ReadPayload(name, root),
            Valid = expect == "valid",
            Reason = root.TryGetProperty("reason", out var r) ? r.GetString() : null,
            Fields = fields,
            Golden = root.TryGetProperty("golden", out var g) && g.GetBoolean(),
        };
    }

    private static byte[] ReadPayload(string name, JsonElement root)
    {
        var forms = new[] { "payload", "payload_text", "payload_base64", "payload_parts" }.Where(k => root.TryGetProperty(k, out _)).ToArray();
        if (forms.Length != 1)
        {
            throw new InvalidDataException(name + ": exactly one payload form is required, found " + string.Join(",", forms));
        }

        var value = root.GetProperty(forms[0]);
        switch (forms[0])
        {
            case "payload":
                // The exact bytes of the value as written in the file (whitespace included).
                return Encoding.UTF8.GetBytes(value.GetRawText());
            case "payload_text":
                return Encoding.UTF8.GetBytes(value.GetString()!);
            case "payload_base64":
                return Convert.FromBase64String(value.GetString()!);
            default:
                var sb = new StringBuilder();
                foreach (var part in value.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        sb.Append(part.GetString());
                    }
                    else
                    {
                        string unit = part.GetProperty("repeat").GetString()!;
                        int times = part.GetProperty("times").GetInt32();
                        for (int i = 0; i < times; i++)
                        {
                            sb.Append(unit);
                        }
                    }
                }

                return Encoding.UTF8.GetBytes(sb.ToString());
        }
    }
}
