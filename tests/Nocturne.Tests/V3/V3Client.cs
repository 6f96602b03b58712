using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V3;

/// <summary>Calls a site's API v3 as AAPS does: with a bearer JWT obtained for an access token.</summary>
public sealed class V3Client(MultiSiteApi api, string site, string jwt)
{
    public static async Task<(V3Client Client, string Site, string Secret)> CreateAsync(MultiSiteApi api, params string[] roles)
    {
        // Default roles are added to every token's roles; "denied" keeps each test's roles exact.
        var (site, secret) = await api.CreateSiteAsync("v3", new { authDefaultRoles = new[] { "denied" } });
        var token = await api.CreateSubjectAsync(site, secret, "aaps", roles.Length == 0 ? ["admin"] : roles);
        return (new V3Client(api, site, await api.JwtAsync(site, token)), site, secret);
    }

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, $"/t/{site}/api/v3{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        configure?.Invoke(request);
        var response = await api.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement json = default;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }

        return ((int)response.StatusCode, json, response);
    }
}
