using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Nocturne.Grains.Authorization;

/// <summary>
/// Access tokens look like Nightscout's: <c>{abbrev}-{16 hex}</c>, where abbrev is the subject
/// name lower-cased, stripped of non-word characters and cut to 10. The 16 hex characters are
/// random here (the reference derives them from the API secret, which we do not keep).
/// </summary>
public static partial class AccessTokens
{
    public const int SuffixLength = 16;

    public static string Abbreviation(string subjectName)
    {
        var cleaned = NonWord().Replace(subjectName.ToLowerInvariant(), "");
        return cleaned.Length > 10 ? cleaned[..10] : cleaned;
    }

    public static string New(string subjectName) =>
        $"{Abbreviation(subjectName)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SuffixLength / 2))}";

    /// <summary>The secret part after the last '-', lower-cased, or null when the value cannot be a token.</summary>
    public static string? Suffix(string token)
    {
        var dash = token.LastIndexOf('-');
        var suffix = (dash >= 0 ? token[(dash + 1)..] : token).ToLowerInvariant();
        return suffix.Length == SuffixLength && suffix.All(char.IsAsciiHexDigitLower) ? suffix : null;
    }

    /// <summary>The part before the secret, safe to show again after creation.</summary>
    public static string Prefix(string token) => token[..(token.LastIndexOf('-') + 1)];

    // JavaScript's \W is ASCII-only; so is this.
    [GeneratedRegex("[^a-z0-9_]", RegexOptions.CultureInvariant)]
    private static partial Regex NonWord();
}
