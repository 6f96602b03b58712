namespace Nocturne.Api.Authorization;

public static class HttpContextSiteExtensions
{
    /// <summary>The authorised site of a site endpoint. The middleware guarantees it exists there.</summary>
    public static SiteAccess Site(this HttpContext context) =>
        context.Features.Get<SiteAccess>() ?? throw new InvalidOperationException("Site endpoint reached without site authorisation");
}
