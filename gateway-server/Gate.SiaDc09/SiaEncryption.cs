using System.Security.Cryptography;
using System.Text;

namespace Gate.SiaDc09;

/// <summary>
/// DC-09 encryption: AES (128, 192 or 256-bit key) in CBC mode with an all-zero IV and no cipher padding. What makes
/// two messages with the same content encrypt differently is the standard's own pad: pseudo-random printable
/// characters placed before the content, ending in '|', sized so the plaintext fills whole 16-byte blocks.
/// The pad never contains '|', '[' or ']' so the receiver finds the content at the first '|'.
/// </summary>
/// <summary>How a DC-09 AES key is written in configuration.</summary>
public enum SiaKeyFormat
{
    /// <summary>32, 48 or 64 hex digits: the key's bytes.</summary>
    Hex,

    /// <summary>16, 24 or 32 printable ASCII characters: their bytes are the key.</summary>
    Ascii,
}

public static class SiaEncryption
{
    private static readonly byte[] ZeroIv = new byte[16];

    // Printable ASCII without the three characters that delimit the content.
    private static readonly byte[] PadAlphabet = Enumerable.Range(0x21, 0x7E - 0x21 + 1)
        .Select(c => (byte)c)
        .Where(c => c != (byte)'|' && c != (byte)'[' && c != (byte)']')
        .ToArray();

    public static bool IsValidKeyLength(int bytes) => bytes is 16 or 24 or 32;

    /// <summary>
    /// Parses a key in the form the receiver's operator wrote it down: <see cref="SiaKeyFormat.Hex"/> is 32, 48 or 64
    /// hex digits; <see cref="SiaKeyFormat.Ascii"/> is a 16, 24 or 32-character string whose ASCII bytes are the key
    /// (how pysiaalarm and several panel makers take it). The form is always said, never guessed: a 32-character hex
    /// string is a valid key in both forms, and the two give different keys.
    /// </summary>
    public static bool TryParseKey(string? text, SiaKeyFormat format, out byte[] key)
    {
        if (format == SiaKeyFormat.Hex)
        {
            return TryParseKey(text, out key);
        }

        key = [];
        if (string.IsNullOrEmpty(text) || text.Any(c => c is < (char)0x21 or > (char)0x7E))
        {
            return false;
        }

        key = Encoding.ASCII.GetBytes(text);
        return IsValidKeyLength(key.Length);
    }

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

    /// <summary>
    /// Encrypts the way pysiaalarm encrypts its answers: '0's before the content up to the next whole block (a full
    /// block when it already fits), no '|'. Only the strict receiver simulator uses it, to answer as that receiver does.
    /// </summary>
    public static string EncryptZeroPadded(string content, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(content);
        EnsureKey(key);
        var fill = content.Length + 16 - (content.Length % 16);
        var plain = Encoding.ASCII.GetBytes(content.PadLeft(fill, '0'));
        using var aes = Aes.Create();
        aes.Key = key;
        return Convert.ToHexString(aes.EncryptCbc(plain, ZeroIv, PaddingMode.None));
    }

    /// <summary>Decrypts hex ciphertext and strips the pad (everything up to and including the first '|').</summary>
    public static bool TryDecrypt(ReadOnlySpan<char> hex, byte[] key, out string content) =>
        TryDecrypt(hex, key, out content, out var delimited) && delimited;

    /// <summary>
    /// Decrypts hex ciphertext and strips the pad. The standard ends the pad with '|'. Receivers answer an empty ACK
    /// differently: pysiaalarm and at least one other implementation pad <c>]timestamp</c> with '0's and no '|'
    /// (<c>00000000000]_05:38:23,12-07-2026</c>). That form is accepted only where the data is empty (the first ']'
    /// ends a pad of printable characters without '['); <paramref name="padDelimited"/> says which form it was, so the
    /// caller can allow the short form for answers only and refuse it for events, whose data it could not separate.
    /// </summary>
    public static bool TryDecrypt(ReadOnlySpan<char> hex, byte[] key, out string content, out bool padDelimited)
    {
        content = string.Empty;
        padDelimited = false;
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
        padDelimited = bar >= 0;
        if (bar < 0)
        {
            // The pad-without-'|' form: the content starts at the first ']' (empty data); the pad before it must be
            // printable and free of '[' or it is not a pad but a wrong key's noise.
            var close = Array.IndexOf(plain, (byte)']');
            if (close < 0)
            {
                return false;
            }

            for (var i = 0; i < close; i++)
            {
                if (plain[i] < 0x20 || plain[i] > 0x7E || plain[i] == (byte)'[')
                {
                    return false;
                }
            }

            bar = close - 1;
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
