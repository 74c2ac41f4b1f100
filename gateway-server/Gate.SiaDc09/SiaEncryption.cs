using System.Security.Cryptography;
using System.Text;

namespace Gate.SiaDc09;

/// <summary>
/// DC-09 encryption: AES (128, 192 or 256-bit key) in CBC mode with an all-zero IV and no cipher padding. What makes
/// two messages with the same content encrypt differently is the standard's own pad: pseudo-random printable
/// characters placed before the content, ending in '|', sized so the plaintext fills whole 16-byte blocks.
/// The pad never contains '|', '[' or ']' so the receiver finds the content at the first '|'.
/// </summary>
public static class SiaEncryption
{
    private static readonly byte[] ZeroIv = new byte[16];

    // Printable ASCII without the three characters that delimit the content.
    private static readonly byte[] PadAlphabet = Enumerable.Range(0x21, 0x7E - 0x21 + 1)
        .Select(c => (byte)c)
        .Where(c => c != (byte)'|' && c != (byte)'[' && c != (byte)']')
        .ToArray();

    public static bool IsValidKeyLength(int bytes) => bytes is 16 or 24 or 32;

    /// <summary>Parses a key written as 32, 48 or 64 hex digits.</summary>
    public static bool TryParseKey(string? hex, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(hex))
        {
            return false;
        }

        try
        {
            key = Convert.FromHexString(hex.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return IsValidKeyLength(key.Length);
    }

    /// <summary>Pads <paramref name="content"/> with a fresh random pad and returns the ciphertext as upper-case hex.</summary>
    public static string Encrypt(string content, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(content);
        EnsureKey(key);
        var body = Encoding.ASCII.GetBytes(content);

        // At least one pad character so every message differs, even one that already fills its blocks.
        var padLength = 16 - ((body.Length + 1) % 16);
        if (padLength == 0)
        {
            padLength = 16;
        }

        var plain = new byte[padLength + 1 + body.Length];
        Span<byte> random = stackalloc byte[padLength];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < padLength; i++)
        {
            plain[i] = PadAlphabet[random[i] % PadAlphabet.Length];
        }

        plain[padLength] = (byte)'|';
        body.CopyTo(plain, padLength + 1);

        using var aes = Aes.Create();
        aes.Key = key;
        var cipher = aes.EncryptCbc(plain, ZeroIv, PaddingMode.None);
        return Convert.ToHexString(cipher);
    }

    /// <summary>Decrypts hex ciphertext and strips the pad (everything up to and including the first '|').</summary>
    public static bool TryDecrypt(ReadOnlySpan<char> hex, byte[] key, out string content)
    {
        content = string.Empty;
        if (!IsValidKeyLength(key.Length) || hex.Length == 0 || hex.Length % 32 != 0)
        {
            return false;
        }

        byte[] cipher;
        try
        {
            cipher = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return false;
        }

        using var aes = Aes.Create();
        aes.Key = key;
        var plain = aes.DecryptCbc(cipher, ZeroIv, PaddingMode.None);

        var bar = Array.IndexOf(plain, (byte)'|');
        if (bar < 0)
        {
            return false;
        }

        // A wrong key yields bytes outside printable ASCII; refuse them rather than hand on noise.
        for (var i = bar + 1; i < plain.Length; i++)
        {
            if (plain[i] < 0x20 || plain[i] > 0x7E)
            {
                return false;
            }
        }

        content = Encoding.ASCII.GetString(plain, bar + 1, plain.Length - bar - 1);
        return true;
    }

    private static void EnsureKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidKeyLength(key.Length))
        {
            throw new ArgumentException("A DC-09 key is 16, 24 or 32 bytes (AES-128/192/256).", nameof(key));
        }
    }
}
