using System.Security.Cryptography;
using System.Text;

namespace Nocturne.Grains.Authorization;

/// <summary>
/// Secrets are kept only as salted SHA-256 hashes. Nightscout clients never send the API
/// secret itself but its SHA1 or SHA512 hex, so those are what gets hashed and compared.
/// </summary>
public static class SecretHashing
{
    public const int MinimumApiSecretLength = 12;

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    // SHA1 is the wire format of Nightscout's api-secret header, not our protection: what we
    // store is a salted SHA-256 of it.
#pragma warning disable CA5350
    public static string Sha1Hex(string value) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5350

    public static string Sha512Hex(string value) => Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(value)));

    public static byte[] Hash(byte[] salt, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var input = new byte[salt.Length + bytes.Length];
        salt.CopyTo(input, 0);
        bytes.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }

    public static bool Matches(byte[]? expectedHash, byte[] salt, string presented) =>
        expectedHash is not null && CryptographicOperations.FixedTimeEquals(expectedHash, Hash(salt, presented));

    /// <summary>A random secret of URL-safe characters, for new sites.</summary>
    public static string NewApiSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'k').Replace('/', 'm').TrimEnd('=');
}
