using Nocturne.Grains.Authorization;

namespace Nocturne.Grains.Import;

/// <summary>
/// The access token a reference Nightscout shows for a subject: the name's abbreviation, '-', and
/// the first 16 hex characters of SHA-1(SHA-1 hex of the site's API secret, then the subject's
/// <c>_id</c>) (lib/authorization/storage.js with lib/server/enclave.js). Nothing of it is stored
/// in MongoDB, so an import needs the source's API secret, or its SHA-1 hex, to carry tokens over.
/// </summary>
public static class SourceSubjectTokens
{
    /// <summary>The SHA-1 hex the derivation starts from: a 40-hex value is taken as that hash already, anything else as the secret itself.</summary>
    public static string SecretSha1(string apiSecretOrSha1) =>
        apiSecretOrSha1.Length == 40 && apiSecretOrSha1.All(char.IsAsciiHexDigit) ? apiSecretOrSha1.ToLowerInvariant() : SecretHashing.Sha1Hex(apiSecretOrSha1);

    public static string For(string secretSha1, string subjectId, string subjectName)
    {
        var digest = SecretHashing.Sha1Hex(secretSha1 + subjectId);
        return $"{AccessTokens.Abbreviation(subjectName)}-{digest[..AccessTokens.SuffixLength]}";
    }
}
