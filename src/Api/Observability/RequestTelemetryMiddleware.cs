using System.Collections;
using Microsoft.AspNetCore.WebUtilities;
using Nocturne.Api.Tenancy;
using Nocturne.Grains.Telemetry;

namespace Nocturne.Api.Observability;

/// <summary>
/// Outermost: every log line of a request carries its site and request ids (read when the line is
/// written, so the site resolved later in the pipeline is included), and every refused request
/// counts in <c>nocturne.requests.rejected</c> with its final status. The request path is never
/// part of the scope: Nightscout clients put access tokens in it.
/// </summary>
public sealed class RequestTelemetryMiddleware(RequestDelegate next, ILogger<RequestTelemetryMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using (logger.BeginScope(new RequestLogScope(context)))
        {
            try
            {
                await next(context);
            }
            finally
            {
                var status = context.Response.StatusCode;
                if (status >= 400)
                {
                    NocturneMetrics.RequestsRejected.Add(1,
                        new KeyValuePair<string, object?>("http.response.status_code", status),
                        new KeyValuePair<string, object?>("reason", ReasonPhrases.GetReasonPhrase(status)));
                }
            }
        }
    }

    private sealed class RequestLogScope(HttpContext context) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("SiteId", context.Features.Get<SiteFeature>()?.SiteId),
            1 => new("RequestId", context.TraceIdentifier),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"SiteId:{this[0].Value} RequestId:{context.TraceIdentifier}";
    }
}
