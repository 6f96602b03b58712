namespace Nocturne.Grains.Authorization;

/// <summary>
/// Shiro-style permission matching as Nightscout uses it (shiro-trie): parts separated by
/// <c>:</c>, <c>*</c> matches any one part, <c>a,b</c> lists alternatives, and a granted
/// permission with fewer parts implies everything below it (<c>api:entries</c> grants
/// <c>api:entries:read</c>). A <c>*</c> in the requested permission is literal: only a granted
/// <c>*</c> matches it, so <c>*:*:read</c> asks "may read everything".
/// </summary>
public static class ShiroPermission
{
    public static bool Implies(string granted, string requested)
    {
        var grantedParts = granted.Split(':');
        var requestedParts = requested.Split(':');
        for (var i = 0; i < requestedParts.Length; i++)
        {
            if (i >= grantedParts.Length)
            {
                // "api:entries" implies "api:entries:read"; an empty grant implies nothing.
                return i > 0;
            }

            var options = grantedParts[i].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (options.Length == 0)
            {
                return false;
            }

            if (!options.Contains("*") && !options.Contains(requestedParts[i], StringComparer.Ordinal))
            {
                return false;
            }
        }

        // A longer grant ("api:entries:read:x") does not imply the shorter request unless its rest is all wildcards.
        return grantedParts.Skip(requestedParts.Length).All(p => p == "*");
    }

    public static bool AnyImplies(IEnumerable<string> granted, string requested) => granted.Any(g => Implies(g, requested));

    /// <summary>A permission string is well formed: non-empty parts of letters, digits, '-', '_', '*' and ','.</summary>
    public static bool IsWellFormed(string permission) =>
        permission.Length is > 0 and <= 200
        && permission.Split(':').All(part => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '*' or ','));
}
