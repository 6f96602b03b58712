namespace Nocturne.Api.Authorization;

/// <summary>How an endpoint is authorised. Every endpoint must carry exactly one of these (a test enforces it).</summary>
public abstract record EndpointAccess
{
    private EndpointAccess() { }

    /// <summary>
    /// Needs the site's permission, e.g. <c>api:entries:read</c> (and any further ones listed: all of
    /// them), or else <see cref="OrInstead"/> alone when set.
    /// </summary>
    public sealed record Permission(string Name, params string[] AlsoRequired) : EndpointAccess
    {
        public IEnumerable<string> All => AlsoRequired.Prepend(Name);

        /// <summary>A permission that suffices by itself (StateSpans read with <c>api:statespans:read</c> or <c>api:treatments:read</c>).</summary>
        public string? OrInstead { get; init; }
    }

    /// <summary>Belongs to a site but anyone may call it (e.g. <c>/api/v3/version</c>, <c>/verifyauth</c>).</summary>
    public sealed record PublicOnSite : EndpointAccess;

    /// <summary>Not about any site: health probes and the API description.</summary>
    public sealed record Infrastructure : EndpointAccess;

    /// <summary>The operator API; needs the operator key, never a site credential.</summary>
    public sealed record Operator : EndpointAccess;
}
