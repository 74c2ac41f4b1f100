using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Xunit;

namespace Gate.Contracts.Tests;

/// <summary>
/// Random and mutated payloads: neither decoder ever throws, and both always reach the same verdict with the
/// same rejection word. (Agreement is the stronger claim: a crash-free decoder that disagrees would still split
/// the device from the server.)
/// </summary>
public class FuzzTests
{
    private static readonly TestVector[] Seeds = TestVector.Vectors.Values
        .Where(v => v.Message != "status" && v.Payload.Length <= Limits.MaxPayloadBytes)
        .OrderBy(v => v.Name, StringComparer.Ordinal)
        .ToArray();

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "null", "true", "false", "-", "0", "1e400", "1.5",
        "9223372036854775808", "\"v\":1", "\"v\":2", "\"dev\":", "\"ts\":null", " ", "\u0000", "门", "😀", "\"in\":{}", "\"\\u0065\"",
    ];

    [Property(MaxTest = 400)]
    public void Decoders_RandomBytes_NeverThrowAndAgree(byte[] payload, PositiveInt type)
    {
        AssertAgree(TestVector.MessageTypes[type.Get % TestVector.MessageTypes.Length], payload ?? []);
    }

    [Property(MaxTest = 1500)]
    public void Decoders_MutatedVector_NeverThrowAndAgree(PositiveInt seed, PositiveInt position, byte value, PositiveInt mutation)
    {
        var vector = Seeds[seed.Get % Seeds.Length];
        byte[] p = vector.Payload;
        int at = p.Length == 0 ? 0 : position.Get % p.Length;
        byte[] mutated = (mutation.Get % 5) switch
        {
            0 when p.Length > 0 => Replace(p, at, value),
            1 => p[..at],
            2 when p.Length > 0 => p[..at].Concat(p[(at + 1)..]).ToArray(),
            3 => p[..at].Concat(Encoding.UTF8.GetBytes(Tokens[value % Tokens.Length])).Concat(p[at..]).ToArray(),
            _ => p[..at].Concat(p[at..]).Concat(p[at..]).ToArray(),
        };
        AssertAgree(vector.Message, mutated);
    }

    [Property(MaxTest = 300)]
    public void Decoders_RandomJsonOfTokens_NeverThrowAndAgree(byte[] choices, PositiveInt type)
    {
        var sb = new StringBuilder("{\"v\":1,");
        foreach (byte b in choices ?? [])
        {
            sb.Append(Tokens[b % Tokens.Length]);
        }

        AssertAgree(TestVector.MessageTypes[type.Get % (TestVector.MessageTypes.Length - 1)], Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static readonly TestVector[] ValidSeeds = Seeds.Where(v => v.Valid).ToArray();

    private static readonly string[] FieldNames =
    [
        "v", "dev", "seq", "up", "ts", "fw", "boot", "reset", "in", "mains", "batt_mv", "outbox", "heap", "rssi", "int_s", "drill",
        "id", "kind", "zone", "restore", "count", "detail", "stage", "path", "bollard", "barrier", "name", "ttl_s", "result",
        "panic", "duress", "tamper", "x",
    ];

    // Single quotes stand for double quotes (readability); "a\\nb" is an escaped newline inside the JSON string.
    private static readonly string[] Values =
    [
        "1", "0", "-1", "2", "5", "42", "300", "999", "1000", "3600", "2147483648", "9223372036854775807", "9223372036854775808",
        "1.5", "42.0", "1e3", "-0", "true", "false", "null", "'gate-01'", "'gate-01.7.3'", "'GATE'", "''", "'panic'",
        "'received'", "'up'", "'open'", "'normal'", "'power_on'", "'raise_bollard'", "'ok'", "'none'",
        "'2026-11-23T07:16:41Z'", "'2026-11-23T07:16:41.5Z'", "'2026-02-30T00:00:00Z'", "'a\\nb'", "'门'", "'a+b'",
        "{'panic':'normal','duress':'none','tamper':false,'bollard':'up','barrier':'open'}",
        "{'panic':1}", "{}", "[]", "[1,{'a':1}]",
    ];

    /// <summary>
    /// Well-formed payloads close to valid ones (a valid vector with fields removed, retyped, re-valued or added),
    /// so that both decoders get past the JSON layer and must agree on field order, types and ranges.
    /// </summary>
    [Property(MaxTest = 3000)]
    public void Decoders_StructuredMutationOfValidPayload_Agree(PositiveInt seed, byte[] operations)
    {
        var vector = ValidSeeds[seed.Get % ValidSeeds.Length];
        var root = JsonNode.Parse(vector.Payload)!.AsObject();
        var ops = operations ?? [];
        for (int i = 0; i + 2 < ops.Length && i < 24; i += 3)
        {
            JsonObject target = root;
            if (ops[i] % 4 == 0 && root["in"] is JsonObject inputs)
            {
                target = inputs;
            }

            string name = FieldNames[ops[i + 1] % FieldNames.Length];
            if (ops[i] % 3 == 1)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = JsonNode.Parse(Values[ops[i + 2] % Values.Length].Replace('\'', '"'));
            }
        }

        AssertAgree(vector.Message, Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    [Property(MaxTest = 300)]
    public void JsonReader_RandomText_NeverThrows(string text)
    {
        bool ok = Json.JsonReader.TryParse(text ?? string.Empty, out object value, out string error);
        Assert.True(ok ? error is null : error is not null && value is null);
    }

    private static byte[] Replace(byte[] p, int at, byte value)
    {
        byte[] copy = (byte[])p.Clone();
        copy[at] = value;
        return copy;
    }

    private static void AssertAgree(string message, byte[] payload)
    {
        var portable = Codecs.Portable(message, payload);
        var server = Codecs.Server(message, payload);
        Assert.True(
            portable.Ok == server.Ok && portable.Error == server.Error,
            "portable " + portable + " vs server " + server + " for " + message + " " + Convert.ToBase64String(payload));
        Assert.Equal(Codecs.Flatten(portable.Message), Codecs.Flatten(server.Message));
        if (!portable.Ok)
        {
            Assert.False(string.IsNullOrEmpty(portable.Error));
        }
    }
}
