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
/// and a salted hash of what was presented (never the credential itself). An entry is dropped:
/// <list type="bullet">
/// <item>at once, when the site's access grain in this process reports any change to the site
/// (secret, subjects, roles, settings, enabled, deleted; <see cref="SiteAccessNotices"/>), before
/// that change is answered, and when that activation ends;</item>
/// <item>after <see cref="Lifetime"/> when the grant came from an access grain on another node of a
/// cluster, which tells only its own process of a change;</item>
/// <item>after <see cref="LocalLifetime"/> when it came from this process's access grain, whose
/// notices cover every change: the bound for what notices cannot see (a duplicate activation while
/// the cluster's membership changes, or this node serving on after the cluster declared it dead);</item>
/// <item>when the JWT it came from expires.</item>
/// </list>
/// </summary>
public sealed class SiteGrantCache : IDisposable
{
    /// <summary>How long a grant from another node serves without asking the access grain again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    /// <summary>How long a grant from this process's access grain serves without asking again.</summary>
    public static readonly TimeSpan LocalLifetime = TimeSpan.FromSeconds(60);

    // Far above the credentials in use at once; past it everything is forgotten and refilled.
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, SiteEntries> _sites = new(StringComparer.Ordinal);
    private readonly byte[] _salt = RandomNumberGenerator.GetBytes(32);
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
        if (grant.Outcome is AccessOutcome.Authenticated or AccessOutcome.Anonymous && Until(grant, now) is var until && until > now)
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

    private DateTimeOffset Until(AccessGrant grant, DateTimeOffset now)
    {
        // Trusted to be told of changes only while the entries were taken before asking (Revoked is
        // checked before keeping): an activation that ended during the question revoked them.
        var until = now + (grant.IssuedBy == _notices.Process ? LocalLifetime : Lifetime);
        return grant.ExpiresAt is { } exp && DateTimeOffset.FromUnixTimeSeconds(exp) < until ? DateTimeOffset.FromUnixTimeSeconds(exp) : until;
    }

    // A salted SHA-256 of what was presented (the salt drawn per process), so that the credential
    // itself is never kept; one digest costs far less than a keyed HMAC's set-up on every request.
    private CredentialKey Fingerprint(Credentials credentials)
    {
        if (credentials.IsEmpty)
        {
            return default;
        }

        var text = string.Concat("b:", credentials.BearerJwt, "\0s:", credentials.ApiSecret, "\0t:", credentials.Token);
        var length = _salt.Length + Encoding.UTF8.GetByteCount(text);
        var rented = length <= 1024 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        var input = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        _salt.CopyTo(input);
        Encoding.UTF8.GetBytes(text, input[_salt.Length..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
        else
        {
            input.Clear();
        }

        return new CredentialKey(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]));
    }

    // Anonymous is the default (all zero): no digest is all zero in practice.
    private readonly record struct CredentialKey(ulong A, ulong B, ulong C, ulong D);

    private sealed class SiteEntries
    {
        public readonly ConcurrentDictionary<CredentialKey, Entry> ByCredential = new();

        public volatile bool Revoked;
    }

    private sealed record Entry(AccessGrant Grant, DateTimeOffset Since, DateTimeOffset Until);
}
