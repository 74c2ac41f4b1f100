using System.Globalization;
using System.Text.Json;

namespace Gate.Contracts.Tests;

/// <summary>Every file in shared/test-vectors through the portable WireCodec and the server WireDecoder.</summary>
public class VectorTests
{
    [Theory]
    [MemberData(nameof(TestVector.Names), MemberType = typeof(TestVector))]
    public void PortableCodec_Vector_MatchesExpectation(string name)
    {
        var vector = TestVector.Get(name);
        AssertExpected(vector, Codecs.Portable(vector.Message, vector.Payload));
    }

    [Theory]
    [MemberData(nameof(TestVector.Names), MemberType = typeof(TestVector))]
    public void ServerDecoder_Vector_MatchesExpectation(string name)
    {
        var vector = TestVector.Get(name);
        AssertExpected(vector, Codecs.Server(vector.Message, vector.Payload));
    }

    [Theory]
    [MemberData(nameof(TestVector.Names), MemberType = typeof(TestVector))]
    public void BothDecoders_Vector_DecodeToIdenticalMessages(string name)
    {
        var vector = TestVector.Get(name);
        var portable = Codecs.Portable(vector.Message, vector.Payload);
        var server = Codecs.Server(vector.Message, vector.Payload);
        Assert.Equal(portable.Ok, server.Ok);
        Assert.Equal(portable.Error, server.Error);
        Assert.Equal(Codecs.Flatten(portable.Message), Codecs.Flatten(server.Message));
    }

    [Theory]
    [MemberData(nameof(TestVector.GoldenNames), MemberType = typeof(TestVector))]
    public void PortableEncoder_GoldenVector_ReproducesPayloadExactly(string name)
    {
        var vector = TestVector.Get(name);
        var decoded = Codecs.Portable(vector.Message, vector.Payload);
        Assert.True(decoded.Ok, decoded.Error);
        Assert.Equal(Utf8(vector.Payload), Utf8(Codecs.PortableEncode(decoded.Message!)));
    }

    [Theory]
    [MemberData(nameof(TestVector.GoldenNames), MemberType = typeof(TestVector))]
    public void ServerEncoder_GoldenVector_ReproducesPayloadExactly(string name)
    {
        var vector = TestVector.Get(name);
        var decoded = Codecs.Server(vector.Message, vector.Payload);
        Assert.True(decoded.Ok, decoded.Error);
        Assert.Equal(Utf8(vector.Payload), Utf8(Codecs.ServerEncode(decoded.Message!)));
    }

    [Fact]
    public void Vectors_EveryMessageType_HasGoldenValidAndRejectedVectors()
    {
        foreach (string type in TestVector.MessageTypes)
        {
            var ofType = TestVector.Vectors.Values.Where(v => v.Message == type).ToList();
            Assert.Contains(ofType, v => v.Valid);
            Assert.Contains(ofType, v => !v.Valid);
            if (type != "status")
            {
                Assert.Contains(ofType, v => v.Golden);
                Assert.Contains(ofType, v => v.Reason == RejectReason.UnsupportedVersion);
                Assert.Contains(ofType, v => v.Reason != null && v.Reason.StartsWith(RejectReason.MissingField + ":", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Vectors_EveryRejectionReason_IsExercised()
    {
        var reasons = TestVector.Vectors.Values.Where(v => !v.Valid).Select(v => v.Reason!.Split(':')[0]).ToHashSet();
        string[] all =
        [
            RejectReason.Empty, RejectReason.TooLarge, RejectReason.MalformedJson, RejectReason.UnsupportedVersion,
            RejectReason.MissingField, RejectReason.BadType, RejectReason.BadValue,
        ];
        Assert.All(all, r => Assert.Contains(r, reasons));
        Assert.Subset(all.ToHashSet(), reasons);
    }

    [Fact]
    public void Vectors_FieldRejections_AreWithinTheSizeLimit()
    {
        // A field-level verdict on a payload over 1024 bytes would be testing the wrong rule.
        foreach (var v in TestVector.Vectors.Values.Where(v => !v.Valid && v.Reason != RejectReason.TooLarge))
        {
            Assert.True(v.Payload.Length <= Limits.MaxPayloadBytes, v.Name + " is " + v.Payload.Length + " bytes");
        }
    }

    [Fact]
    public void Vectors_FolderMatchesMessageType()
    {
        foreach (var v in TestVector.Vectors.Values)
        {
            Assert.StartsWith(v.Message + "/", v.Name);
            Assert.Contains(v.Message, TestVector.MessageTypes);
            Assert.False(string.IsNullOrWhiteSpace(v.Description), v.Name);
        }
    }

    [Fact]
    public void VectorFile_TwoPayloadForms_IsRefused()
    {
        byte[] file = "{\"description\":\"d\",\"message\":\"ack\",\"payload_text\":\"x\",\"payload_base64\":\"eA==\",\"expect\":\"valid\"}"u8.ToArray();
        Assert.Throws<InvalidDataException>(() => TestVector.Load("ack/bad", file));
    }

    private static void AssertExpected(TestVector vector, Decoded decoded)
    {
        if (!vector.Valid)
        {
            Assert.False(decoded.Ok, vector.Name + ": expected rejection " + vector.Reason + ", but it decoded");
            Assert.Equal(vector.Reason, decoded.Error);
            Assert.Null(decoded.Message);
            return;
        }

        Assert.True(decoded.Ok, vector.Name + ": expected valid, got " + decoded.Error);
        Assert.Null(decoded.Error);
        var actual = Codecs.Flatten(decoded.Message);
        foreach (var (field, expected) in vector.Fields)
        {
            Assert.True(actual.ContainsKey(field), vector.Name + ": no field " + field);
            AssertField(vector.Name + " " + field, expected, decoded.Message!, field);
        }
    }

    private static void AssertField(string label, JsonElement expected, object message, string path)
    {
        Type type = typeof(string);
        object? actual = message is string s ? s : Read(message, path, out type);

        if (type == typeof(DateTime))
        {
            var t = (DateTime)actual!;
            if (expected.ValueKind == JsonValueKind.Null)
            {
                Assert.Equal(UtcTime.NotSet, t);
                return;
            }

            // A third, independent reading of the time: the BCL's own ISO 8601 parser.
            var want = DateTime.Parse(expected.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.True(want.Ticks == t.Ticks, label + ": " + want.ToString("o") + " != " + t.ToString("o"));
            Assert.Equal(DateTimeKind.Utc, t.Kind);
            return;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Null:
                Assert.True(actual is null, label + " should be null");
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual as string);
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                Assert.Equal(expected.GetBoolean(), Assert.IsType<bool>(actual));
                break;
            case JsonValueKind.Number:
                Assert.Equal(expected.GetInt64(), Convert.ToInt64(actual, CultureInfo.InvariantCulture));
                break;
            default:
                Assert.Fail(label + ": unsupported expectation " + expected.ValueKind);
                break;
        }
    }

    private static object? Read(object message, string path, out Type type)
    {
        object? current = message;
        type = message.GetType();
        foreach (string part in path.Split('.'))
        {
            var field = current!.GetType().GetField(part) ?? throw new InvalidOperationException("no field " + path);
            type = field.FieldType;
            current = field.GetValue(current);
        }

        return current;
    }

    private static string Utf8(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}
