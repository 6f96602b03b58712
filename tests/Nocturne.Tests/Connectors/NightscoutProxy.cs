using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// A pass-through in front of a <see cref="RemoteNightscout"/> that can cut the line part-way
/// through an import: after <see cref="FailAfter"/> requests whose path contains
/// <see cref="FailPath"/> it is <see cref="FakeVendorServer.Down"/> until the test brings it back.
/// </summary>
public sealed class NightscoutProxy(Uri target) : FakeVendorServer
{
    private static readonly HttpClient Client = new();
    private int _matching;

    public string FailPath { get; set; } = "\0";

    public int FailAfter { get; set; } = int.MaxValue;

    /// <summary>Requests forwarded to the source whose path contains <paramref name="path"/>.</summary>
    public int Forwarded(string path) => Forwards.Where(f => f.Contains(path, StringComparison.Ordinal)).Count();

    public System.Collections.Concurrent.ConcurrentQueue<string> Forwards { get; } = new();

    protected override void Map(WebApplication app) => app.Run(async context =>
    {
        var path = context.Request.Path.Value ?? "";
        if (path.Contains(FailPath, StringComparison.Ordinal) && Interlocked.Increment(ref _matching) > FailAfter)
        {
            Down = true;
            context.Response.StatusCode = 503;
            return;
        }

        Forwards.Enqueue(path + context.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(target, path.TrimStart('/') + context.Request.QueryString));
        foreach (var header in new[] { "api-secret", "Authorization", "Accept" })
        {
            if (context.Request.Headers.TryGetValue(header, out var value))
            {
                request.Headers.TryAddWithoutValidation(header, value.ToArray());
            }
        }

        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        }

        using var response = await Client.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    });

    /// <summary>Back up, with the count of matching requests started afresh.</summary>
    public void Restore()
    {
        FailAfter = int.MaxValue;
        _matching = 0;
        Down = false;
    }
}
