using System.Collections;
using Gate.Contracts.Json;

namespace Gate.Contracts.Tests;

public class JsonTests
{
    [Fact]
    public void Reader_Object_GivesHashtableArrayListStringLongDoubleBoolAndNull()
    {
        Assert.True(JsonReader.TryParse("{\"s\":\"x\",\"i\":-42,\"d\":2.5,\"b\":true,\"n\":null,\"a\":[1,{}],\"o\":{\"k\":false}}", out object value, out string error), error);
        var o = Assert.IsType<Hashtable>(value);
        Assert.Equal("x", o["s"]);
        Assert.Equal(-42L, o["i"]);
        Assert.Equal(2.5, o["d"]);
        Assert.Equal(true, o["b"]);
        Assert.Same(JsonReader.Null, o["n"]);
        Assert.True(JsonReader.IsNull(o["n"]));
        Assert.Null(o["missing"]);
        var a = Assert.IsType<ArrayList>(o["a"]);
        Assert.Equal(1L, a[0]);
        Assert.IsType<Hashtable>(a[1]);
        Assert.Equal(false, Assert.IsType<Hashtable>(o["o"])["k"]);
    }

    [Theory]
    [InlineData("9223372036854775807", 9223372036854775807L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    public void Reader_Integers_AreLongs(string text, long expected)
    {
        Assert.True(JsonReader.TryParse(text, out object value, out _));
        Assert.Equal(expected, Assert.IsType<long>(value));
    }

    [Theory]
    [InlineData("9223372036854775808", 9223372036854775808.0)]
    [InlineData("1.0", 1.0)]
    [InlineData("1e3", 1000.0)]
    [InlineData("0.1", 0.1)]
    [InlineData("-2.5E-3", -0.0025)]
    [InlineData("123.456", 123.456)]
    [InlineData("1e-400", 0.0)]
    [InlineData("1e300", 1e300)]
    [InlineData("1.5e308", 1.5e308)]
    [InlineData("123456789e300", 1.23456789e308)]
    [InlineData("2.5e-310", 2.5e-310)]
    [InlineData("0.000001234", 1.234e-6)]
    public void Reader_OtherNumbers_AreDoubles(string text, double expected)
    {
        Assert.True(JsonReader.TryParse(text, out object value, out _));
        double actual = Assert.IsType<double>(value);
        // Subnormals keep fewer significant bits, hence the absolute floor.
        Assert.True(Math.Abs(actual - expected) <= Math.Max(Math.Abs(expected) * 1e-15, 1e-320), actual.ToString("R") + " != " + expected.ToString("R"));
    }

    [Theory]
    [InlineData("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\b\f\n\r\t")]
    [InlineData("\"\\u00e9\\u4E2D\"", "é中")]
    [InlineData("\"\\ud83d\\ude00\"", "😀")]
    [InlineData("\"😀门\"", "😀门")]
    public void Reader_Strings_AreUnescaped(string text, string expected)
    {
        Assert.True(JsonReader.TryParse(text, out object value, out string error), error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("", "unexpected end")]
    [InlineData("{", "expected a property name")]
    [InlineData("{\"a\":1,}", "expected a property name")]
    [InlineData("[1,]", "unexpected character")]
    [InlineData("{\"a\":1,\"a\":2}", "duplicate key")]
    [InlineData("\"\\ud800\"", "lone surrogate")]
    [InlineData("\"\\udc00\"", "lone surrogate")]
    [InlineData("\"a\tb\"", "control character")]
    [InlineData("\"\\x\"", "bad escape")]
    [InlineData("\"\\u12G4\"", "bad \\u escape")]
    [InlineData("01", "leading zero")]
    [InlineData("1.", "bad number")]
    [InlineData("-", "bad number")]
    [InlineData("1e", "bad number")]
    [InlineData("1e400", "number out of range")]
    [InlineData("{} {}", "unexpected data after the value")]
    [InlineData("tru", "unexpected character")]
    [InlineData("\"abc", "unterminated string")]
    [InlineData("[[[[[[[[[1]]]]]]]]]", "nesting deeper than 8")]
    public void Reader_BadJson_IsRefusedWithAReason(string text, string reason)
    {
        Assert.False(JsonReader.TryParse(text, out object value, out string error));
        Assert.Null(value);
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_RawLoneSurrogate_IsRefused()
    {
        // Not an InlineData: attribute strings with lone surrogates do not survive test discovery.
        Assert.False(JsonReader.TryParse("\"\ud800\"", out _, out string high));
        Assert.StartsWith("lone surrogate", high, StringComparison.Ordinal);
        Assert.False(JsonReader.TryParse("\"a\udc00\"", out _, out string low));
        Assert.StartsWith("lone surrogate", low, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_DepthLimit_IsConfigurableForConfigurationFiles()
    {
        string deep = new string('[', 20) + new string(']', 20);
        Assert.False(JsonReader.TryParse(deep, out _, out _));
        Assert.True(JsonReader.TryParse(deep, 20, out _, out _));
        Assert.False(JsonReader.TryParse(deep, 19, out _, out _));
        Assert.False(JsonReader.TryParse(deep, JsonReader.MaxAllowedDepth + 1, out _, out string error));
        Assert.Equal("depth limit out of range", error);
    }

    [Fact]
    public void Reader_NullText_IsRefused()
    {
        Assert.False(JsonReader.TryParse(null!, out _, out string error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Reader_Utf8_RejectsInvalidBytes()
    {
        byte[] bytes = "{\"a\":\"门\"}"u8.ToArray();
        Assert.True(JsonReader.TryParseUtf8(bytes, 0, bytes.Length, 8, out object value, out _));
        Assert.Equal("门", ((Hashtable)value)["a"]);
        Assert.False(JsonReader.TryParseUtf8([(byte)'"', 0xFF, (byte)'"'], 0, 3, 8, out _, out string error));
        Assert.StartsWith("invalid UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_WritesCompactJsonWithCommasAndEscapes()
    {
        var w = new JsonWriter();
        w.BeginObject()
            .Name("s").String("q\"b\\n\n\u0001\u001f/é😀")
            .Name("n").Number(-5L)
            .Name("d").Number(2.5)
            .Name("i").Number(3.0)
            .Name("nan").Number(double.NaN)
            .Name("a").BeginArray().Bool(true).Null().String(null).BeginObject().EndObject().EndArray()
            .Name("t").Time(new DateTime(2026, 11, 23, 7, 16, 41, DateTimeKind.Utc))
            .EndObject();
        Assert.Equal(
            "{\"s\":\"q\\\"b\\\\n\\n\\u0001\\u001F/é😀\",\"n\":-5,\"d\":2.5,\"i\":3,\"nan\":null,\"a\":[true,null,null,{}],\"t\":\"2026-11-23T07:16:41Z\"}",
            w.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(w.ToString()), w.ToUtf8());
    }

    [Fact]
    public void Writer_DeepNesting_GrowsBeyondInitialCapacity()
    {
        var w = new JsonWriter();
        for (int i = 0; i < 40; i++)
        {
            w.BeginArray().Number(i);
        }

        for (int i = 0; i < 40; i++)
        {
            w.EndArray();
        }

        Assert.True(JsonReader.TryParse(w.ToString(), 40, out _, out string error), error);
        Assert.StartsWith("[0,[1,[2,", w.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_OutputParsesBackToTheSameStrings()
    {
        string tricky = "\"\\/\b\f\n\r\t\u0001\u007f\u2028门😀";
        var w = new JsonWriter().BeginObject().Name(tricky).String(tricky).EndObject();
        Assert.True(JsonReader.TryParse(w.ToString(), out object value, out _));
        Assert.Equal(tricky, ((Hashtable)value)[tricky]);
        Assert.True(System.Text.Json.JsonDocument.Parse(w.ToUtf8()).RootElement.GetProperty(tricky).GetString() == tricky);
    }

    [Fact]
    public void Reader_EscapedNul_GivesNulTextNeverAString()
    {
        // A nanoFramework string ends at the first NUL: "a\u0000b" built as a string would be "a" on the device.
        var w = new JsonWriter().BeginObject().Name("k\u0000").String("a\u0000b").Name("k").String("a").EndObject();
        Assert.True(JsonReader.TryParse(w.ToString(), out object value, out string error), error);
        var table = (Hashtable)value;
        Assert.Equal(2, table.Count);
        Assert.Equal("a", table["k"]);
        var key = Assert.IsType<JsonNulText>(table.Keys.Cast<object>().Single(k => k is not string));
        var text = Assert.IsType<JsonNulText>(table[key]);
        Assert.Equal(3, text.Length);
        Assert.DoesNotContain(table.Values.Cast<object>(), v => v is string s && s.Contains('\0', StringComparison.Ordinal));
    }

    [Fact]
    public void Reader_EveryMixOfSurrogateEscapes_NeverBuildsAStringWithALoneSurrogate()
    {
        // Every sequence of up to four pieces: escaped halves in both orders, a BMP escape, raw 2-, 3- and 4-byte
        // UTF-8, ASCII. Whatever is accepted must be well-formed text (a strict encoder throws on a lone surrogate)
        // whose UTF-8 is the input's meaning; a lone or reversed half must be refused.
        string[] pieces = ["\\ud83d", "\\ude00", "\\uD83D", "\\u0041", "é", "门", "😀", "x"];
        var strict = new UTF8Encoding(false, true);
        int accepted = 0;
        int refused = 0;
        foreach (var parts in Sequences(pieces, 4))
        {
            string json = "\"" + string.Concat(parts) + "\"";
            if (JsonReader.TryParse(json, out object value, out _))
            {
                accepted++;
                string s = Assert.IsType<string>(value);
                byte[] utf8 = strict.GetBytes(s);
                Assert.Equal(s, strict.GetString(utf8));
                Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string>(json), s);
            }
            else
            {
                refused++;
                Assert.ThrowsAny<Exception>(() => strict.GetBytes(System.Text.Json.JsonSerializer.Deserialize<string>(json)!));
            }
        }

        Assert.True(accepted > 100 && refused > 100, accepted + " accepted, " + refused + " refused");
    }

    private static IEnumerable<string[]> Sequences(string[] pieces, int maxLength)
    {
        IEnumerable<string[]> current = [[]];
        for (int length = 1; length <= maxLength; length++)
        {
            current = current.SelectMany(prefix => pieces.Select(p => prefix.Append(p).ToArray())).ToList();
            foreach (var sequence in current)
            {
                yield return sequence;
            }
        }
    }

    [Fact]
    public void Reader_DuplicateKeysHoldingNul_AreDuplicates()
    {
        Assert.False(JsonReader.TryParse("{\"a\\u0000\":1,\"a\\u0000\":2}", out _, out string error));
        Assert.StartsWith("duplicate key", error, StringComparison.Ordinal);
        Assert.True(JsonReader.TryParse("{\"a\\u0000\":1,\"a\\u0000b\":2}", out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x00, 0x22 }, "control character in string")]
    [InlineData(new byte[] { 0x22, 0x61, 0x22, 0x00 }, "unexpected data after the value")]
    [InlineData(new byte[] { 0x00, 0x22, 0x61, 0x22 }, "unexpected character")]
    public void Reader_RawNul_IsRefused(byte[] bytes, string reason)
    {
        Assert.False(JsonReader.TryParseUtf8(bytes, 0, bytes.Length, 8, out _, out string error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"\\u00e9\"", new byte[] { 0xC3, 0xA9 })]
    [InlineData("\"\\u95e8\"", new byte[] { 0xE9, 0x97, 0xA8 })]
    [InlineData("\"\\ud83d\\ude00\"", new byte[] { 0xF0, 0x9F, 0x98, 0x80 })]
    [InlineData("\"\\uDBFF\\uDFFF\"", new byte[] { 0xF4, 0x8F, 0xBF, 0xBF })]
    [InlineData("\"x\\ud83d\\ude00y\"", new byte[] { 0x78, 0xF0, 0x9F, 0x98, 0x80, 0x79 })]
    public void Reader_EscapedCodePoints_DecodeToTheirUtf8(string json, byte[] utf8)
    {
        Assert.True(JsonReader.TryParse(json, out object value, out string error), error);
        Assert.Equal(utf8, System.Text.Encoding.UTF8.GetBytes((string)value));
    }

    [Theory]
    [InlineData(new byte[] { 0x41 }, "A")]
    [InlineData(new byte[] { 0xC3, 0xA9 }, "é")]
    [InlineData(new byte[] { 0xE9, 0x97, 0xA8 }, "门")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, "😀")]
    [InlineData(new byte[] { 0xF4, 0x8F, 0xBF, 0xBF }, "\udbff\udfff")]
    public void Utf8Text_ValidSequences_Decode(byte[] bytes, string expected)
    {
        Assert.True(Utf8Text.TryDecode(bytes, 0, bytes.Length, out string text));
        Assert.Equal(expected, text);
        Assert.Equal(bytes, Utf8Text.Encode(expected));
        Assert.Equal(bytes.Length, Utf8Text.ByteCount(expected));
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xC1, 0xBF })]
    [InlineData(new byte[] { 0xE0, 0x80, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF0, 0x80, 0x80, 0xAF })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xF5, 0x80, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xE9, 0x97 })]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    public void Utf8Text_InvalidSequences_AreRefused(byte[] bytes)
    {
        Assert.False(Utf8Text.TryDecode(bytes, 0, bytes.Length, out string text));
        Assert.Null(text);
        Assert.False(System.Text.Unicode.Utf8.IsValid(bytes));
    }

    [Fact]
    public void Utf8Text_BadRange_IsRefusedNotThrown()
    {
        Assert.False(Utf8Text.TryDecode(new byte[4], 2, 3, out _));
        Assert.False(Utf8Text.TryDecode(null!, 0, 0, out _));
        Assert.False(Utf8Text.TryDecode(new byte[4], -1, 1, out _));
    }

    [Fact]
    public void Utf8Text_LoneSurrogates_EncodeAsReplacementCharacter()
    {
        Assert.Equal("x\ufffdy\ufffd"u8.ToArray(), Utf8Text.Encode("x\udc00y\ud800"));
    }

    [Fact]
    public void Utf8Text_StringAndStringBuilder_EncodeAsDotNetsUtf8DoesIncludingPairsAndLoneSurrogates()
    {
        // Built in code: attribute strings with lone surrogates do not survive test discovery.
        foreach (var text in new[] { "", "a", "é校门", "gate \U0001F6A8 panic", "x\udc00y\ud800", "\ud800", "\ud83d\ud83d\ude80", "end\ud83d" })
        {
            var expected = System.Text.Encoding.UTF8.GetBytes(text);
            Assert.Equal(expected, Utf8Text.Encode(text));
            Assert.Equal(expected, Utf8Text.Encode(new System.Text.StringBuilder(text)));
            Assert.Equal(expected.Length, Utf8Text.ByteCount(text));
        }
    }
}
