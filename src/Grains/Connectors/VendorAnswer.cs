using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Connectors;

/// <summary>A vendor's HTTP answer: status and the JSON body (null when empty or not JSON).</summary>
public sealed record VendorAnswer(HttpStatusCode Status, JsonNode? Body, string Text)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>The body as JSON of the expected kind, or a protocol error naming what was asked.</summary>
    public T Expect<T>(string what) where T : JsonNode =>
        Body as T ?? throw new VendorProtocolException($"Malformed answer to {what} (HTTP {(int)Status})");

    /// <summary>
    /// Sends one request through the connector's resilient client. A 429 that the pipeline did not
    /// absorb becomes <see cref="VendorRateLimitedException"/>; transport failures, timeouts and an
    /// open circuit propagate as they are (transient to the grain).
    /// </summary>
    public static async Task<VendorAnswer> SendAsync(ConnectorContext context, HttpRequestMessage request, CancellationToken cancellationToken, Action<HttpResponseMessage>? headers = null)
    {
        context.CountRequest();
        using var response = await context.Http.SendAsync(request, cancellationToken);
        headers?.Invoke(response);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new VendorRateLimitedException(ConnectorHttp.RetryAfter(response, context.Time.GetUtcNow()) ?? TimeSpan.FromMinutes(5));
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? body = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = null;
            }
        }

        return new VendorAnswer(response.StatusCode, body, text);
    }

    public static HttpRequestMessage Json(HttpMethod method, Uri uri, object? body)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }
}
