using System.Security.Cryptography;
using System.Text;

namespace Nocturne.Api.Authorization;

/// <summary>
/// The operator API's key. Configuration holds only its SHA-256 hex (<c>Operator__KeySha256</c>);
/// callers send the key in the <c>X-Operator-Key</c> header.
/// </summary>
public sealed class OperatorKey(IConfiguration configuration)
{
    public const string Header = "X-Operator-Key";

    private readonly byte[]? _expected = configuration["Operator:KeySha256"] is { Length: 64 } hex ? Convert.FromHexString(hex) : null;

    public bool Configured => _expected is not null;

    public bool Matches(string? presented) =>
        _expected is not null && !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
