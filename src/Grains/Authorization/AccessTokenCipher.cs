using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Nocturne.Grains.Authorization;

/// <summary>
/// Encrypts subjects' access tokens at rest with AES-256-GCM under the deployment's key
/// (<c>AccessTokens:EncryptionKey</c>, 32 bytes in base64), bound to their site and subject so a
/// ciphertext copied to another row does not decrypt. Without a key tokens are kept only hashed
/// and cannot be listed again.
/// </summary>
public sealed class AccessTokenCipher
{
    public const string ConfigurationKey = "AccessTokens:EncryptionKey";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[]? _key;

    public AccessTokenCipher(IConfiguration configuration)
    {
        if (configuration[ConfigurationKey] is not { Length: > 0 } text)
        {
            return;
        }

        try
        {
            _key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes in base64 (e.g. `head -c 32 /dev/urandom | base64`)");
        }

        if (_key.Length != 32)
        {
            throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes in base64 (got {_key.Length} bytes)");
        }
    }

    public bool Configured => _key is not null;

    public byte[]? Encrypt(string site, string subjectId, string token)
    {
        if (_key is null)
        {
            return null;
        }

        var plain = Encoding.UTF8.GetBytes(token);
        var sealedToken = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedToken.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedToken.AsSpan(NonceSize + TagSize), sealedToken.AsSpan(NonceSize, TagSize), Associated(site, subjectId));
        return sealedToken;
    }

    /// <summary>The token, or null without a key, without a ciphertext, or when it does not authenticate (another key or row).</summary>
    public string? Decrypt(string site, string subjectId, byte[]? sealedToken)
    {
        if (_key is null || sealedToken is null || sealedToken.Length < NonceSize + TagSize)
        {
            return null;
        }

        var plain = new byte[sealedToken.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedToken.AsSpan(0, NonceSize), sealedToken.AsSpan(NonceSize + TagSize), sealedToken.AsSpan(NonceSize, TagSize), plain, Associated(site, subjectId));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Associated(string site, string subjectId) => Encoding.UTF8.GetBytes($"{site}\n{subjectId}");
}
