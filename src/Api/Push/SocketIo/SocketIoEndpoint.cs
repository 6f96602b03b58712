using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Api.Tenancy;

namespace Nocturne.Api.Push.SocketIo;

/// <summary>
/// <c>/socket.io/</c> for legacy Nightscout clients: Engine.IO 4 over WebSocket only (clients connect
/// with <c>transports: ['websocket']</c>); long-polling and Engine.IO 3 are answered with Engine.IO's
/// "Transport unknown" / "Unsupported protocol version" errors so that a client reports why.
/// Authentication happens in the protocol (<c>authorize</c>, <c>subscribe</c>).
/// </summary>
public static class SocketIoEndpoint
{
    public static void MapSocketIo(this IEndpointRouteBuilder app)
    {
        app.MapGet(PushRoutes.SocketIo + "/", HandleAsync).PublicOnSite().ExcludeFromDescription();
    }

    private static async Task HandleAsync(HttpContext context, IGrainFactory grains, Nocturne.Grains.Documents.DocumentQueries queries, SitePushRelay relay, TimeProvider time, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        if (query["EIO"].ToString() != "4")
        {
            await WriteEngineErrorAsync(context, 5, "Unsupported protocol version");
            return;
        }

        if (query["transport"].ToString() != "websocket" || !context.WebSockets.IsWebSocketRequest)
        {
            await WriteEngineErrorAsync(context, 0, "Transport unknown");
            return;
        }

        var site = context.Features.Get<SiteAccess>()!.SiteId;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var session = new SocketIoSession(socket, site, grains, queries, relay, time, loggers.CreateLogger<SocketIoSession>());
        await session.RunAsync(context.RequestAborted);
    }

    // Engine.IO's own error shape for handshake failures (what socket.io-client reports).
    private static async Task WriteEngineErrorAsync(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new { code, message }, NightscoutJson.Options);
    }
}
