using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nocturne.Tests.Infrastructure;

/// <summary>
/// The API in multi-site mode (base domain <c>ns.test</c>) with an operator key, plus helpers to
/// create sites through the operator API and call them the way clients do.
/// </summary>
public sealed class MultiSiteApi : IAsyncLifetime
{
    public const string OperatorKey = "operator-key-for-the-tests";
    public const string BaseDomain = "ns.test";

    public NocturneApiFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = Settings();
        foreach (var (key, value) in _extraSettings)
        {
            settings[key] = value;
        }

        Factory = new NocturneApiFactory(await TestServices.MigratedPostgresAsync(), settings, _services);
        Client = Factory.CreateClient();
    }

    private Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? _services;
    private Dictionary<string, string?> _extraSettings = [];

    /// <summary>With extra services (e.g. a capturing logger) and settings in the host.</summary>
    public static MultiSiteApi With(Action<Microsoft.Extensions.DependencyInjection.IServiceCollection> services, Dictionary<string, string?> settings) =>
        new() { _services = services, _extraSettings = settings };

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Tenancy:BaseDomain"] = BaseDomain,
        ["Operator:KeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OperatorKey))),
        ["AUTH_FAIL_DELAY"] = "0",
    };

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>Creates a site with a unique id and returns its id and API secret.</summary>
    public Task<(string Id, string Secret)> CreateSiteAsync(string prefix = "site", object? settings = null) => CreateSiteAsync(Client, prefix, settings);

    /// <summary>The same through any client of a multi-site host with this operator key.</summary>
    public static async Task<(string Id, string Secret)> CreateSiteAsync(HttpClient client, string prefix, object? settings)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)];
        var secret = $"secret-of-{id}";
        using var request = OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id, displayName = id, apiSecret = secret, settings });
        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (id, secret);
    }

    public static HttpRequestMessage OperatorRequest(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Operator-Key", OperatorKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    /// <summary>A request to a site through its path prefix, with optional api-secret header.</summary>
    public static HttpRequestMessage SiteRequest(string site, HttpMethod method, string path, string? apiSecret = null, object? body = null)
    {
        var request = new HttpRequestMessage(method, $"/t/{site}{path}");
        // API clients ask for JSON; without Accept the reference answers some routes as text or HTML.
        request.Headers.Accept.ParseAdd("application/json");
        if (apiSecret is not null)
        {
            request.Headers.Add("api-secret", apiSecret);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    /// <summary>A request to a site with its admin secret (SHA1 in api-secret), as an uploader sends it.</summary>
    public Task<(int Status, JsonElement Body)> SendAsAdminAsync(string site, string secret, HttpMethod method, string path, object? body = null) =>
        SendAsync(SiteRequest(site, method, path, Sha1(secret), body));

    /// <summary>A GET with the admin secret that must succeed; returns the body.</summary>
    public async Task<JsonElement> GetOkAsync(string site, string secret, string path)
    {
        var (status, body) = await SendAsAdminAsync(site, secret, HttpMethod.Get, path);
        Assert.Equal(200, status);
        return body;
    }

    /// <summary>Creates a subject with the given roles through the site's admin API and returns its access token.</summary>
    public async Task<string> CreateSubjectAsync(string site, string secret, string name, params string[] roles)
    {
        var (status, body) = await SendAsync(SiteRequest(site, HttpMethod.Post, "/api/v2/authorization/subjects", Sha1(secret), new { name, roles }));
        Assert.Equal(200, status);
        return body.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Exchanges an access token for a JWT.</summary>
    public async Task<string> JwtAsync(string site, string accessToken)
    {
        var (status, body) = await SendAsync(SiteRequest(site, HttpMethod.Get, $"/api/v2/authorization/request/{accessToken}"));
        Assert.Equal(200, status);
        return body.GetProperty("token").GetString()!;
    }

    public static string Sha1(string value) =>
#pragma warning disable CA5350 // Nightscout's wire format.
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5350
}
