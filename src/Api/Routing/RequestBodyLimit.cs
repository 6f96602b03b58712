using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Nocturne.Api.Documents;

namespace Nocturne.Api.Routing;

/// <summary>
/// The body size limit of an endpoint: 50 MB for entries, treatments and activity uploads as the
/// reference documents, 1 MB for any endpoint that declares none. Applied to the connection after
/// routing (so the server's own default never answers first) and, through
/// <see cref="IRequestSizeLimitMetadata"/>, to the inflated size of a gzip body.
/// </summary>
public sealed record RequestBodyLimit(long Bytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => Bytes;

    public static Task ApplyAfterRouting(HttpContext context, RequestDelegate next)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? RequestBody.SmallLimit;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}

public static class RequestBodyLimitExtensions
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(bytes));
}
