using System.Security.Cryptography;
using System.Text;

namespace Gate.Server.Security;

/// <summary>
/// Hashes for machine secrets (device credentials, API keys). These are random and high-entropy, so a fast salted hash
/// is enough; a slow password hash would make a reconnect storm of 15,000 devices cost minutes of CPU.
/// Device credentials use Mosquitto's "$6$" format (SHA-512 of secret then salt) so the registry can emit a Mosquitto
/// password file directly.
/// </summary>
public static class SecretHasher
{
    private const string DevicePrefix = "$6$";

    /// <summary>A new random secret: 24 bytes, URL-safe base64 (32 characters).</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(24));

    public static string HashDeviceSecret(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(12);
        return DevicePrefix + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(DeviceDigest(secret, salt));
    }

    public static bool VerifyDeviceSecret(string? secret, string? stored)
    {
        if (string.IsNullOrEmpty(secret) || stored is null || !stored.StartsWith(DevicePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = stored.Substring(DevicePrefix.Length).Split('$');
        if (parts.Length != 2)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[0]);
            var expected = Convert.FromBase64String(parts[1]);
            return CryptographicOperations.FixedTimeEquals(DeviceDigest(secret, salt), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>API keys are looked up by hash, so the hash is unsalted (the key itself is 192 random bits).</summary>
    public static string HashApiKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static byte[] DeviceDigest(string secret, byte[] salt)
    {
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var buffer = new byte[secretBytes.Length + salt.Length];
        secretBytes.CopyTo(buffer, 0);
        salt.CopyTo(buffer, secretBytes.Length);
        return SHA512.HashData(buffer);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
