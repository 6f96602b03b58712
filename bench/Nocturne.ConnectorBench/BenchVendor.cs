using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Nocturne.ConnectorBench;

/// <summary>
/// The least of Dexcom Share a sync needs, fast: any account logs in, and every account has one
/// reading per five minutes, aligned to the clock. Counts the requests it serves.
/// </summary>
public sealed class BenchVendor : IAsyncDisposable
{
    private WebApplication? _app;
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public Uri BaseUrl { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            Interlocked.Increment(ref _requests);
            return next(context);
        });
        const string services = "/ShareWebServices/Services";
        _app.MapPost($"{services}/General/AuthenticatePublisherAccount", () => Results.Json(Guid.NewGuid().ToString()));
        _app.MapPost($"{services}/General/LoginPublisherAccountById", () => Results.Json(Guid.NewGuid().ToString()));
        _app.MapPost($"{services}/Publisher/ReadPublisherLatestGlucoseValues", (int minutes, int maxCount) =>
        {
            var step = 300_000L;
            var newest = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / step * step;
            var count = Math.Min(maxCount, minutes * 60_000 / step);
            return Results.Json(Enumerable.Range(0, (int)count).Select(i => new Dictionary<string, object>
            {
                ["WT"] = $"Date({newest - i * step})",
                ["ST"] = $"Date({newest - i * step})",
                ["DT"] = $"Date({newest - i * step}+0000)",
                ["Value"] = 100 + (int)((newest / step - i) % 50),
                ["Trend"] = "Flat",
            }));
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
