using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// Encrypts connector secrets (vendor passwords, tokens, sessions) with AES-256-GCM under a key
/// from configuration (<c>Connectors:CredentialKey</c>, 32 bytes in base64), so that PostgreSQL and
/// grain state only ever hold ciphertext. The connector's key is the associated data: a blob
/// copied to another site's connector does not decrypt there. The key never touches the database,
/// so a stolen dump alone reveals nothing.
/// </summary>
public sealed class CredentialProtector
{
    public const string ConfigurationKey = "Connectors:CredentialKey";
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[]? _key;

    public CredentialProtector(IConfiguration configuration)
    {
        if (configuration[ConfigurationKey] is { Length: > 0 } text)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)");
            }

            _key = key.Length == 32 ? key : throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes in base64, not {key.Length}");
        }
    }

    /// <summary>False when no key is configured: connectors then refuse to store credentials.</summary>
    public bool Available => _key is not null;

    public string Protect(string plaintext, string purpose)
    {
        var key = _key ?? throw new InvalidOperationException($"No {ConfigurationKey} configured");
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + clear.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, clear, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return Version + Convert.ToBase64String(output);
    }

    /// <summary>The clear text, or null when the blob is not ours, was made for another purpose, or the key changed.</summary>
    public string? Unprotect(string? protectedText, string purpose)
    {
        if (_key is null || protectedText is null || !protectedText.StartsWith(Version, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var input = Convert.FromBase64String(protectedText[Version.Length..]);
            if (input.Length < NonceSize + TagSize)
            {
                return null;
            }

            var clear = new byte[input.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), clear, Encoding.UTF8.GetBytes(purpose));
            return Encoding.UTF8.GetString(clear);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }
}
