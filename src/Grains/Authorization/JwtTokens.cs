using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nocturne.Grains.Authorization;

/// <summary>
/// HS256 JWTs carrying <c>accessToken</c>, as the reference issues them, signed with a key of
/// the site's own so that one site's JWT never validates on another.
/// </summary>
public static class JwtTokens
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static byte[] NewSigningKey() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public static string Issue(byte[] signingKey, string accessToken, DateTimeOffset issuedAt, DateTimeOffset expires) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["accessToken"] = accessToken,
                ["iat"] = issuedAt.ToUnixTimeSeconds(),
                ["exp"] = expires.ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
        });

    /// <summary>The access token inside a valid, unexpired JWT signed with this key; null otherwise.</summary>
    public static async Task<(string AccessToken, long Iat, long Exp)?> ValidateAsync(byte[] signingKey, string jwt, DateTimeOffset now)
    {
        if (jwt.Length > 4096 || !Handler.CanReadToken(jwt))
        {
            return null;
        }

        var result = await Handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = new SymmetricSecurityKey(signingKey),
            LifetimeValidator = (_, expires, _, _) => expires is { } e && e > now.UtcDateTime,
        });
        if (!result.IsValid || !result.Claims.TryGetValue("accessToken", out var token) || token is not string accessToken)
        {
            return null;
        }

        var jsonToken = (JsonWebToken)result.SecurityToken;
        return (accessToken, jsonToken.TryGetPayloadValue<long>("iat", out var iat) ? iat : 0, jsonToken.TryGetPayloadValue<long>("exp", out var exp) ? exp : 0);
    }

}
