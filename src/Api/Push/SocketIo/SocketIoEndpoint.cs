using System.Text;
using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Api.Tenancy;

namespace Nocturne.Api.Push.SocketIo;

/// <summary>
/// <c>/socket.io/</c> for legacy Nightscout clients: Engine.IO 4 over WebSocket or HTTP long-polling
/// (the reference's web client connects with <c>transports: ["polling"]</c>; no upgrade between the
/// two is offered). Engine.IO 3 and unknown transports or sessions are answered with Engine.IO's own
/// errors so that a client reports why. Authentication happens in the protocol (<c>authorize</c>,
/// <c>subscribe</c>).
/// </summary>
public static class SocketIoEndpoint
{
    private const string TextPlain = "text/plain; charset=UTF-8";

    public static void MapSocketIo(this IEndpointRouteBuilder app)
    {
        app.MapGet(PushRoutes.SocketIo + "/", HandleGetAsync).PublicOnSite().ExcludeFromDescription();
        app.MapPost(PushRoutes.SocketIo + "/", HandlePostAsync).PublicOnSite().ExcludeFromDescription();
    }

    private static async Task HandleGetAsync(HttpContext context, IGrainFactory grains, Nocturne.Grains.Documents.DocumentQueries queries, SitePushRelay relay, SocketIoPollingSessions polling, TimeProvider time, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        if (query["EIO"].ToString() != "4")
        {
            await WriteEngineErrorAsync(context, 5, "Unsupported protocol version");
            return;
        }

        var site = context.Features.Get<SiteAccess>()!.SiteId;
        var sid = query["sid"].ToString();
        switch (query["transport"].ToString())
        {
            case "websocket" when context.WebSockets.IsWebSocketRequest && sid.Length == 0:
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                using var session = new SocketIoSession(site, grains, queries, relay, time, loggers.CreateLogger<SocketIoSession>());
                await session.RunWebSocketAsync(socket, context.RequestAborted);
                return;
            }

            case "polling" when sid.Length == 0:
            {
                var session = new SocketIoSession(site, grains, queries, relay, time, loggers.CreateLogger<SocketIoSession>());
                if (!polling.TryAdd(session))
                {
                    session.Dispose();
                    context.Response.Headers.RetryAfter = "30";
                    await WriteEngineErrorAsync(context, 3, "Too many sessions", StatusCodes.Status503ServiceUnavailable);
                    return;
                }

                session.StartPolling();
                await WriteTextAsync(context, session.OpenPacket());
                return;
            }

            case "polling":
            {
                if (polling.Find(site, sid) is not { } session)
                {
                    await WriteEngineErrorAsync(context, 1, "Session ID unknown");
                    return;
                }

                if (await session.PollAsync(context.RequestAborted) is not { } payload)
                {
                    // Two polls at once: Engine.IO closes the session.
                    session.Disconnect("overlapping polls");
                    await WriteEngineErrorAsync(context, 3, "Bad request");
                    return;
                }

                if (!context.RequestAborted.IsCancellationRequested)
                {
                    await WriteTextAsync(context, payload);
                }

                return;
            }

            default:
                await WriteEngineErrorAsync(context, 0, "Transport unknown");
                return;
        }
    }

    private static async Task HandlePostAsync(HttpContext context, SocketIoPollingSessions polling)
    {
        var query = context.Request.Query;
        if (query["EIO"].ToString() != "4")
        {
            await WriteEngineErrorAsync(context, 5, "Unsupported protocol version");
            return;
        }

        if (query["transport"].ToString() != "polling")
        {
            await WriteEngineErrorAsync(context, 0, "Transport unknown");
            return;
        }

        var site = context.Features.Get<SiteAccess>()!.SiteId;
        if (polling.Find(site, query["sid"].ToString()) is not { } session)
        {
            await WriteEngineErrorAsync(context, 1, "Session ID unknown");
            return;
        }

        var body = await ReadBoundedAsync(context.Request.Body, SocketIoSession.MaxPayload, context.RequestAborted);
        if (body is null)
        {
            // Over maxPayload: Engine.IO closes the session as well.
            session.Disconnect("payload too large");
            await WriteEngineErrorAsync(context, 3, "Payload too large", StatusCodes.Status413PayloadTooLarge);
            return;
        }

        await session.ReceiveAsync(body);
        await WriteTextAsync(context, "ok");
    }

    private static async Task<string?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task WriteTextAsync(HttpContext context, string text)
    {
        context.Response.ContentType = TextPlain;
        // Polls must never be answered from a cache.
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    // Engine.IO's own error shape for handshake and session failures (what socket.io-client reports).
    private static async Task WriteEngineErrorAsync(HttpContext context, int code, string message, int status = StatusCodes.Status400BadRequest)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { code, message }, NightscoutJson.Options);
    }
}
