using System.Net.Http.Json;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>The REST calls the push tests make: sites through the operator API, subjects, uploads, acks.</summary>
public sealed class SiteApi(HttpClient client)
{
    public Task<(string Id, string Secret)> CreateSiteAsync(string prefix, object? settings = null) => MultiSiteApi.CreateSiteAsync(client, prefix, settings);

    public async Task<(string Id, string Token)> SubjectAsync(string site, string secret, string role)
    {
        var body = await SendOkAsync(site, secret, HttpMethod.Post, "/api/v2/authorization/subjects", new { name = $"f{Guid.NewGuid():N}"[..12], roles = new[] { role } });
        return (body.GetProperty("_id").GetString()!, body.GetProperty("accessToken").GetString()!);
    }

    public async Task<string> TokenAsync(string site, string secret, string role) => (await SubjectAsync(site, secret, role)).Token;

    public Task PostEntryAsync(string site, string secret, int sgv, long date) =>
        SendOkAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new[] { new { type = "sgv", sgv, date, direction = "Flat", device = "test" } });

    public async Task<JsonElement> SendOkAsync(string site, string secret, HttpMethod method, string path, object? body = null)
    {
        using var request = MultiSiteApi.SiteRequest(site, method, path, MultiSiteApi.Sha1(secret), body);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 || !text.TrimStart().StartsWith('{') && !text.TrimStart().StartsWith('[') ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The site's alarm state as <c>/api/v2/properties</c> shows it.</summary>
    public async Task<JsonElement> AlarmsAsync(string site, string secret) =>
        (await SendOkAsync(site, secret, HttpMethod.Get, "/api/v2/properties")).GetProperty("alarms");

    /// <summary>The alarm state once <paramref name="condition"/> holds (alarms are evaluated after the upload's answer), or after 30 s.</summary>
    public async Task<JsonElement> AlarmsWhenAsync(string site, string secret, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var alarms = await AlarmsAsync(site, secret);
            if (condition(alarms) || DateTime.UtcNow > deadline)
            {
                return alarms;
            }

            await Task.Delay(100);
        }
    }
}
