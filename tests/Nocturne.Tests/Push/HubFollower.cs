using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>
/// A follower connected with the real SignalR client to <c>/t/{site}/hubs/site</c> (or a clinic's
/// <c>hubs/clinic</c>) of an in-process API host over WebSockets, with its token in the
/// <c>access_token</c> query as browsers send it.
/// Records every event it receives.
/// </summary>
public sealed class HubFollower : IAsyncDisposable
{
    public static readonly string[] EventNames = ["dataUpdate", "alarm", "urgent_alarm", "clear_alarm", "announcement", "boardUpdate"];

    private readonly Channel<(string Name, JsonElement Payload)> _events = Channel.CreateUnbounded<(string, JsonElement)>();

    private HubFollower(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public static async Task<HubFollower> ConnectAsync(NocturneApiFactory factory, string site, string? token, string? apiSecret = null, string hub = "site")
    {
        var server = factory.Server;
        var query = token is null ? "" : $"?access_token={Uri.EscapeDataString(token)}";
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, $"/t/{site}/hubs/{hub}{query}"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var client = server.CreateWebSocketClient();
                    if (apiSecret is not null)
                    {
                        client.ConfigureRequest = r => r.Headers["api-secret"] = MultiSiteApi.Sha1(apiSecret);
                    }

                    return await client.ConnectAsync(context.Uri, cancellationToken);
                };
            })
            .Build();
        var follower = new HubFollower(connection);
        foreach (var name in EventNames)
        {
            connection.On<JsonElement>(name, payload => follower._events.Writer.TryWrite((name, payload)));
        }

        await connection.StartAsync();
        await AttachedAsync(connection);
        return follower;
    }

    // The handshake is answered before the hub's OnConnectedAsync (where the server attaches the
    // follower) has run, and the server handles invocations only after it: the answer to any call,
    // here one to a method that does not exist, means the follower is attached (or was refused).
    private static async Task AttachedAsync(HubConnection connection)
    {
        try
        {
            await connection.InvokeAsync("NoSuchMethodAttachedBarrier");
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or TaskCanceledException or IOException)
        {
        }
    }

    /// <summary>The next event called <paramref name="name"/> that satisfies <paramref name="match"/> (others are skipped), or a failed assertion after <paramref name="seconds"/>.</summary>
    public async Task<JsonElement> NextAsync(string name, Func<JsonElement, bool>? match = null, int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var (eventName, payload) = await _events.Reader.ReadAsync(timeout.Token);
                if (eventName == name && (match?.Invoke(payload) ?? true))
                {
                    return payload;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no {name} event within {seconds} s");
            throw;
        }
    }

    /// <summary>Events received so far and not yet consumed by <see cref="NextAsync"/>.</summary>
    public List<(string Name, JsonElement Payload)> Pending()
    {
        var list = new List<(string, JsonElement)>();
        while (_events.Reader.TryRead(out var item))
        {
            list.Add(item);
        }

        return list;
    }

    public static bool HasSgv(JsonElement payload, int mgdl) =>
        payload.TryGetProperty("sgvs", out var sgvs) && sgvs.EnumerateArray().Any(s => s.TryGetProperty("mgdl", out var v) && v.GetDouble() == mgdl);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
