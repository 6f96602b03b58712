using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Nocturne.Grains.Authorization;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Authorization;

/// <summary>
/// Verified credentials of recent requests and the grant each earned, so that a follower polling
/// a site is not a call to the site's access grain on every request. Only successes are kept
/// (authenticated or anonymous; never a refusal, an unknown or a disabled site), keyed by the site
/// and a keyed hash of what was presented (never the credential itself). An entry is dropped:
/// <list type="bullet">
/// <item>at once, when the site's access grain in this process reports any change to the site
/// (secret, subjects, roles, settings, enabled, deleted; <see cref="SiteAccessNotices"/>), before
/// that change is answered;</item>
/// <item>after <see cref="Lifetime"/> in any case: the bound for a change made through another node
/// of a cluster, whose access grain tells only its own process;</item>
/// <item>when the JWT it came from expires.</item>
/// </list>
/// </summary>
public sealed class SiteGrantCache : IDisposable
{
    /// <summary>How long a grant serves without asking the access grain again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    // Far above the credentials in use at once; past it everything is forgotten and refilled.
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, SiteEntries> _sites = new(StringComparer.Ordinal);
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);
    private readonly SiteAccessNotices _notices;
    private readonly TimeProvider _time;
    private readonly Func<string, SiteEntries> _newSite;

    // Sites and credentials held (also a site probed without success: it counts towards the bound).
    private int _count;

    public SiteGrantCache(SiteAccessNotices notices, TimeProvider time)
    {
        _notices = notices;
        _time = time;
        _newSite = _ =>
        {
            Interlocked.Increment(ref _count);
            return new SiteEntries();
        };
        _notices.Changed += Forget;
    }

    public async ValueTask<AccessGrant> AuthenticateAsync(SiteGrains site, Credentials credentials)
    {
        var key = Fingerprint(credentials);
        // Taken before asking: a change reported while the question is out revokes these entries,
        // so an answer given before the change is never kept after it.
        if (Volatile.Read(ref _count) > MaxEntries)
        {
            _sites.Clear();
            Interlocked.Exchange(ref _count, 0);
        }

        var entries = _sites.GetOrAdd(site.SiteId, _newSite);
        var now = _time.GetUtcNow();
        if (entries.ByCredential.TryGetValue(key, out var cached) && !entries.Revoked && now < cached.Until && now >= cached.Since)
        {
            return cached.Grant;
        }

        var grant = await site.Access.AuthenticateAsync(credentials);
        if (grant.Outcome is AccessOutcome.Authenticated or AccessOutcome.Anonymous && Until(grant, now) is { } until && until > now)
        {
            if (!entries.Revoked)
            {
                var entry = new Entry(grant, now, until);
                if (entries.ByCredential.TryAdd(key, entry))
                {
                    Interlocked.Increment(ref _count);
                }
                else
                {
                    entries.ByCredential[key] = entry;
                }
            }
        }

        return grant;
    }

    /// <summary>Forgets every grant of <paramref name="siteId"/>, including any being filled now.</summary>
    public void Forget(string siteId)
    {
        if (_sites.TryRemove(siteId, out var entries))
        {
            entries.Revoked = true;
        }
    }

    public void Dispose() => _notices.Changed -= Forget;

    private static DateTimeOffset? Until(AccessGrant grant, DateTimeOffset now)
    {
        var until = now + Lifetime;
        return grant.ExpiresAt is { } exp && DateTimeOffset.FromUnixTimeSeconds(exp) < until ? DateTimeOffset.FromUnixTimeSeconds(exp) : until;
    }

    private string Fingerprint(Credentials credentials)
    {
        if (credentials.IsEmpty)
        {
            return "";
        }

        var text = string.Concat("b:", credentials.BearerJwt, "\0s:", credentials.ApiSecret, "\0t:", credentials.Token);
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToBase64String(HMACSHA256.HashData(_hashKey, bytes));
    }

    private sealed class SiteEntries
    {
        public readonly ConcurrentDictionary<string, Entry> ByCredential = new(StringComparer.Ordinal);

        public volatile bool Revoked;
    }

    private sealed record Entry(AccessGrant Grant, DateTimeOffset Since, DateTimeOffset Until);
}
