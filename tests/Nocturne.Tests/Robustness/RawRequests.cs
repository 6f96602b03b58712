using System.Net.Http.Headers;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Robustness;

/// <summary>Requests with bodies and queries exactly as given, bytes included, so that malformed input reaches the server unaltered.</summary>
public static class RawRequests
{
    public static async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(
        MultiSiteApi api, string site, HttpMethod method, string pathAndQuery, byte[]? body = null, string? apiSecret = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, $"/t/{site}{pathAndQuery}");
        if (apiSecret is not null)
        {
            request.Headers.Add("api-secret", MultiSiteApi.Sha1(apiSecret));
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var response = await api.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public static byte[] Utf8(string json) => System.Text.Encoding.UTF8.GetBytes(json);
}
