namespace Gate.Forwarding.Tests;

public class SiaEncryptionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 7, 16, 41, TimeSpan.Zero);

    private static SiaDc09Frame EncryptedFrame(string account = "ABC123") => new()
    {
        Token = SiaToken.ContactId,
        Encrypted = true,
        Sequence = 7,
        Receiver = "1",
        LinePrefix = "1",
        Account = account,
        Data = $"#{account}|1120 01 001",
        ExtendedData = ["Ialarm gate-1.3.7 panic"],
        Timestamp = At,
    };

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Encrypt_EachKeySize_RoundTrips(int keyBytes)
    {
        var key = RandomNumberGenerator.GetBytes(keyBytes);

        var parsed = SiaDc09Parser.Parse(EncryptedFrame().Encode(key), _ => key);

        Assert.True(parsed.Ok, parsed.Detail);
        Assert.True(parsed.Frame!.Encrypted);
        Assert.Equal("#ABC123|1120 01 001", parsed.Frame.Data);
        Assert.Equal(["Ialarm gate-1.3.7 panic"], parsed.Frame.ExtendedData);
        Assert.Equal(At, parsed.Frame.Timestamp);
    }

    [Fact]
    public void Encrypt_SameMessageTwice_GivesDifferentCiphertext()
    {
        var key = RandomNumberGenerator.GetBytes(16);

        var first = Encoding.ASCII.GetString(EncryptedFrame().Encode(key));
        var second = Encoding.ASCII.GetString(EncryptedFrame().Encode(key));

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Encrypt_Plaintext_IsWholeBlocksOfPadBarContentWithZeroIvCbc()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        const string content = "#ABC123|1120 01 001]_07:16:41,11-23-2026";

        var hex = SiaEncryption.Encrypt(content, key);
        using var aes = Aes.Create();
        aes.Key = key;
        var plain = aes.DecryptCbc(Convert.FromHexString(hex), new byte[16], PaddingMode.None);
        var text = Encoding.ASCII.GetString(plain);
        var bar = text.IndexOf('|');

        Assert.Equal(0, plain.Length % 16);
        Assert.True(bar >= 1, "at least one pad character");
        Assert.Equal(content, text[(bar + 1)..]);
        Assert.DoesNotContain(text[..bar], c => c is '|' or '[' or ']' || c < 0x21 || c > 0x7E);
    }

    [Fact]
    public void Encode_EncryptedFrame_MarksTokenWithStarAndHidesContent()
    {
        var key = RandomNumberGenerator.GetBytes(16);

        var text = Encoding.ASCII.GetString(EncryptedFrame().Encode(key));

        Assert.Contains("\"*ADM-CID\"0007R1L1#ABC123[", text);
        Assert.DoesNotContain("1120 01 001", text);
        Assert.DoesNotContain("gate-1.3.7", text);
    }

    [Fact]
    public void Parse_WrongKey_ReportsDecryption()
    {
        var frame = EncryptedFrame().Encode(RandomNumberGenerator.GetBytes(16));

        var parsed = SiaDc09Parser.Parse(frame, _ => RandomNumberGenerator.GetBytes(16));

        Assert.Equal(SiaParseError.Decryption, parsed.Error);
    }

    [Fact]
    public void Parse_EncryptedWithoutKnownKey_ReportsNoKey()
    {
        var frame = EncryptedFrame().Encode(RandomNumberGenerator.GetBytes(16));

        Assert.Equal(SiaParseError.NoKey, SiaDc09Parser.Parse(frame, _ => null).Error);
    }

    [Fact]
    public void Encode_EncryptedWithoutTimestamp_IsRefused()
    {
        var frame = new SiaDc09Frame { Token = SiaToken.ContactId, Encrypted = true, Sequence = 1, Account = "123", Data = "#123|1120 01 001" };

        Assert.Throws<InvalidOperationException>(() => frame.Encode(RandomNumberGenerator.GetBytes(16)));
    }

    [Theory]
    [InlineData("00112233445566778899AABBCCDDEEFF", true)]
    [InlineData("00112233445566778899AABBCCDDEEFF0011223344556677", true)]
    [InlineData("00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", true)]
    [InlineData("00112233445566778899AABBCCDDEE", false)]
    [InlineData("not hex at all, not hex at all!!", false)]
    [InlineData("", false)]
    public void TryParseKey_AcceptsOnlyAes128_192_256InHex(string hex, bool valid)
    {
        Assert.Equal(valid, SiaEncryption.TryParseKey(hex, out _));
    }
}
