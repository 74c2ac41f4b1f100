namespace Gate.Resilience.Tests.Fuzzing;

/// <summary>The shared test vectors (shared/test-vectors/{message}/*.json) as raw payload bytes, the fuzzers' seeds.</summary>
public static class TestVectors
{
    public static IReadOnlyList<byte[]> Payloads(string message)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "test-vectors", message);
        var result = new List<byte[]>();
        foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            if (root.TryGetProperty("payload_base64", out var b64))
            {
                result.Add(Convert.FromBase64String(b64.GetString()!));
            }
            else if (root.TryGetProperty("payload_text", out var text))
            {
                result.Add(Encoding.UTF8.GetBytes(text.GetString()!));
            }
            else if (root.TryGetProperty("payload", out var payload))
            {
                result.Add(Encoding.UTF8.GetBytes(payload.GetRawText()));
            }
        }

        return result.Count > 0 ? result : throw new InvalidOperationException($"no test vectors found in {dir}");
    }
}
