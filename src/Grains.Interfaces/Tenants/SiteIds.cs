using System.Text.RegularExpressions;

namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// Site ids are DNS labels (they become <c>{id}.base-domain</c>): lower-case letters, digits and
/// inner hyphens, at most 40 characters so that grain and reminder keys stay short.
/// </summary>
public static partial class SiteIds
{
    public const string Default = "default";

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "api", "admin", "www", "health", "openapi", "static", "assets", "t", "registry", "status", "mail", "root",
    };

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>Why an id cannot be used for a new site, or null when it can.</summary>
    public static string? Problem(string? id) =>
        !IsValid(id) ? "Site id must be 1-40 lower-case letters, digits or inner hyphens"
        : Reserved.Contains(id!) ? $"Site id '{id}' is reserved"
        : null;

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
