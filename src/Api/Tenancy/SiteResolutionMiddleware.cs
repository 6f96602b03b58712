using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Tenancy;

/// <summary>
/// Decides which site a request belongs to, before routing. A <c>/t/{site}</c> prefix is moved
/// into PathBase so that every route exists unchanged under it.
/// </summary>
public sealed class SiteResolutionMiddleware(RequestDelegate next, IOptions<TenancyOptions> options)
{
    private static readonly PathString Prefix = new("/t");

    public Task InvokeAsync(HttpContext context)
    {
        var tenancy = options.Value;
        if (!tenancy.MultiTenant)
        {
            context.Features.Set(new SiteFeature(SiteIds.Default));
            return next(context);
        }

        var site = FromHost(context.Request.Host.Host, tenancy.BaseDomain!.Trim().TrimStart('.').ToLowerInvariant());
        if (site is null && context.Request.Path.StartsWithSegments(Prefix, out var rest) && rest.HasValue)
        {
            var value = rest.Value!;
            var slash = value.IndexOf('/', 1);
            var candidate = slash < 0 ? value[1..] : value[1..slash];
            if (SiteIds.IsValid(candidate))
            {
                site = candidate;
                context.Request.PathBase = context.Request.PathBase.Add(Prefix).Add("/" + candidate);
                context.Request.Path = slash < 0 ? PathString.Empty : new PathString(value[slash..]);
            }
        }

        context.Features.Set(new SiteFeature(site));
        return next(context);
    }

    private static string? FromHost(string host, string baseDomain)
    {
        host = host.ToLowerInvariant();
        if (!host.EndsWith("." + baseDomain, StringComparison.Ordinal))
        {
            return null;
        }

        var label = host[..^(baseDomain.Length + 1)];
        return SiteIds.IsValid(label) ? label : null;
    }
}
