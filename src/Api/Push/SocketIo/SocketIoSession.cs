using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Nocturne.Api.Authorization;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Push;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Push;

namespace Nocturne.Api.Push.SocketIo;

/// <summary>
/// One Engine.IO v4 connection, over a WebSocket or HTTP long-polling (the reference's own web client
/// polls), carrying the reference's two Socket.IO namespaces:
/// <c>/</c> (<c>authorize</c>, then <c>dataUpdate</c>) and <c>/alarm</c> (<c>subscribe</c>, then
/// <c>alarm</c>, <c>urgent_alarm</c>, <c>clear_alarm</c>, <c>announcement</c>; <c>ack</c>). The server
/// pings; a client that stops answering is dropped. Outgoing messages go through a bounded queue:
/// a follower that cannot keep up is disconnected rather than allowed to hold memory.
/// </summary>
public sealed class SocketIoSession(string siteId, IGrainFactory grains, DocumentQueries queries, SitePushRelay relay, TimeProvider time, ILogger logger) : IPushFollower, IDisposable
{
    public const string AlarmNamespace = "/alarm";
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(25);
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(20);
    public const int MaxPayload = 1_000_000;
    // Engine.IO 4 joins the packets of one long-polling body with the record separator.
    private const char PacketSeparator = '\u001e';
    private const string BadToken = "Missing or bad access token or JWT";

    private readonly Channel<string> _outgoing = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly HashSet<string> _namespaces = [];
    private volatile bool _followsData;
    private volatile bool _followsAlarms;
    private bool _canAck;
    private long _lastPongMs;
    private int _polling;

    /// <summary>The Engine.IO session id (<c>sid</c>): what a polling client sends back on every request.</summary>
    public string Id { get; } = NewId();

    /// <summary>Cancelled when the session ends, whatever ended it.</summary>
    public CancellationToken Closed => _closing.Token;

    public string SiteId => siteId;

    public Credentials Credentials { get; private set; } = Credentials.None;

    public string Permission => FollowerPermission.Read;

    public bool Wants(SitePushEvent pushEvent) => pushEvent.Name != PushEventNames.BoardUpdate
        && (PushEventNames.IsAlarm(pushEvent.Name) ? _followsAlarms : _followsData);

    public void Deliver(SitePushEvent pushEvent)
    {
        var nsp = PushEventNames.IsAlarm(pushEvent.Name) ? AlarmNamespace : SocketIoPacket.MainNamespace;
        Send(SocketIoPacket.EncodeEvent(nsp, pushEvent.Name, pushEvent.PayloadJson));
    }

    public void Disconnect(string reason)
    {
        foreach (var nsp in _namespaces.ToList())
        {
            Send(new SocketIoPacket(SocketIoPacket.Disconnect, nsp, null, null).Encode());
        }

        _outgoing.Writer.TryComplete();
    }

    /// <summary>Engine.IO's open packet. No upgrades are offered: a polling client stays on polling.</summary>
    public string OpenPacket()
    {
        _lastPongMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var open = new JsonObject
        {
            ["sid"] = Id,
            ["upgrades"] = new JsonArray(),
            ["pingInterval"] = (int)PingInterval.TotalMilliseconds,
            ["pingTimeout"] = (int)PingTimeout.TotalMilliseconds,
            ["maxPayload"] = MaxPayload,
        };
        return "0" + open.ToJsonString();
    }

    /// <summary>Starts a long-polling session: the server's pings go out on the polls, and a client that stops answering them is dropped.</summary>
    public void StartPolling()
    {
        _ = PingLoopAsync(_closing.Token);
        _closing.Token.Register(() =>
        {
            relay.Detach(this);
            _outgoing.Writer.TryComplete();
        });
    }

    /// <summary>
    /// One long poll: waits until something is queued and answers all of it (up to the payload
    /// limit), or the close packet when the session has ended. Null when another poll of the same
    /// session is already waiting, which Engine.IO forbids.
    /// </summary>
    public async Task<string?> PollAsync(CancellationToken aborted)
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return null;
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
            try
            {
                if (!await _outgoing.Reader.WaitToReadAsync(linked.Token))
                {
                    // Everything queued before a disconnect went out on earlier polls: the session ends.
                    await _closing.CancelAsync();
                    return "1";
                }
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                return "1";
            }

            var body = new StringBuilder();
            while (body.Length < MaxPayload && _outgoing.Reader.TryRead(out var packet))
            {
                if (body.Length > 0)
                {
                    body.Append(PacketSeparator);
                }

                body.Append(packet);
            }

            return body.ToString();
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>A polling client's POST: one or more Engine.IO packets. False when the client closed the session.</summary>
    public async Task<bool> ReceiveAsync(string payload)
    {
        foreach (var packet in payload.Split(PacketSeparator))
        {
            if (!await OnEngineMessageAsync(packet))
            {
                await _closing.CancelAsync();
                return false;
            }
        }

        return true;
    }

    public async Task RunWebSocketAsync(WebSocket socket, CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        var token = linked.Token;
        _outgoing.Writer.TryWrite(OpenPacket());
        var writer = WriteLoopAsync(socket, token);
        var pinger = PingLoopAsync(token);
        try
        {
            await ReadLoopAsync(socket, token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away or stopped answering pings.
        }
        finally
        {
            relay.Detach(this);
            _outgoing.Writer.TryComplete();
            await _closing.CancelAsync();
            await Task.WhenAll(writer, pinger);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                    // Already gone.
                }
            }
        }
    }

    private void Send(string socketIoPacket)
    {
        if (!_outgoing.Writer.TryWrite("4" + socketIoPacket))
        {
            logger.LogInformation("Site {Site}: Socket.IO follower too slow, disconnected", siteId);
            _outgoing.Writer.TryComplete();
            _closing.Cancel();
        }
    }

    private async Task ReadLoopAsync(WebSocket socket, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (!token.IsCancellationRequested)
        {
            var result = await socket.ReceiveAsync(buffer, token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxPayload)
            {
                return;
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            var text = result.MessageType == WebSocketMessageType.Text ? Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length) : "";
            message.SetLength(0);
            if (!await OnEngineMessageAsync(text))
            {
                return;
            }
        }
    }

    // Engine.IO packet types: 1 close, 2 ping, 3 pong, 4 message (a Socket.IO packet).
    private async Task<bool> OnEngineMessageAsync(string text)
    {
        switch (text.FirstOrDefault())
        {
            case '1':
                return false;
            case '2':
                _outgoing.Writer.TryWrite("3" + text[1..]);
                return true;
            case '3':
                Interlocked.Exchange(ref _lastPongMs, time.GetUtcNow().ToUnixTimeMilliseconds());
                return true;
            case '4' when SocketIoPacket.Parse(text[1..]) is { } packet:
                await OnPacketAsync(packet);
                return true;
            default:
                return true;
        }
    }

    private async Task OnPacketAsync(SocketIoPacket packet)
    {
        switch (packet.Type)
        {
            case SocketIoPacket.Connect when packet.Namespace is SocketIoPacket.MainNamespace or AlarmNamespace:
                _namespaces.Add(packet.Namespace);
                Send(new SocketIoPacket(SocketIoPacket.Connect, packet.Namespace, null, new JsonObject { ["sid"] = NewId() }).Encode());
                break;
            case SocketIoPacket.Connect:
                Send(new SocketIoPacket(SocketIoPacket.ConnectError, packet.Namespace, null, new JsonObject { ["message"] = "Invalid namespace" }).Encode());
                break;
            case SocketIoPacket.Disconnect:
                _namespaces.Remove(packet.Namespace);
                _followsData &= packet.Namespace != SocketIoPacket.MainNamespace;
                _followsAlarms &= packet.Namespace != AlarmNamespace;
                break;
            case SocketIoPacket.Event when packet.Data is JsonArray { Count: > 0 } args && _namespaces.Contains(packet.Namespace):
                await OnEventAsync(packet, Text(args[0]) ?? "", args);
                break;
        }
    }

    private async Task OnEventAsync(SocketIoPacket packet, string name, JsonArray args)
    {
        var message = args.Count > 1 ? args[1] as JsonObject : null;
        switch (name)
        {
            case "authorize" when packet.Namespace == SocketIoPacket.MainNamespace:
                await AuthorizeAsync(packet, message);
                break;
            case "subscribe" when packet.Namespace == AlarmNamespace:
                await SubscribeAsync(packet, message);
                break;
            case "ack" when _canAck && args.Count > 1:
                var level = DataUpdate.Number(args[1]) ?? (double.TryParse(Text(args[1]), System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : 0);
                var group = args.Count > 2 && args[2] is JsonValue g && g.TryGetValue<string>(out var groupName) ? groupName : "default";
                var silence = args.Count > 3 ? DataUpdate.Number(args[3]) : null;
                await grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(siteId, "alarms")).AckAsync((int)level, group, silence is { } s ? (long)s : null);
                break;
            case "loadRetro":
                Reply(packet, new JsonObject { ["result"] = "success" });
                Send(SocketIoPacket.EncodeEvent(SocketIoPacket.MainNamespace, "retroUpdate", new JsonObject { ["devicestatus"] = new JsonArray() }.ToJsonString()));
                break;
            default:
                // dbAdd/dbUpdate/dbRemove: writes go through the REST API here.
                Reply(packet, new JsonObject { ["result"] = "Not supported" });
                break;
        }
    }

    // The reference's main-namespace authorize: {secret, token, history}; answers {read, write, write_treatment}.
    private async Task AuthorizeAsync(SocketIoPacket packet, JsonObject? message)
    {
        var credentials = new Credentials(null, Text(message?["secret"]), Text(message?["token"]));
        var grant = await AuthenticateAsync(credentials);
        if (grant is null)
        {
            Disconnect("bad credentials");
            return;
        }

        Send(SocketIoPacket.EncodeEvent(SocketIoPacket.MainNamespace, "connected", "null"));
        var access = new SiteAccess(siteId, grant, grains.Site(siteId));
        var read = FollowerPermission.MayFollow(siteId, grant);
        if (read)
        {
            _followsData = true;
            await relay.AttachAsync(this);
            // The reference sends 48 hours by default; capped here to keep the first message small.
            var hours = DataUpdate.Number(message?["history"]) is { } h && h > 0 ? Math.Min(h, 48) : 48;
            var since = (time.GetUtcNow() - TimeSpan.FromHours(hours)).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var found = await queries.FindAsync(siteId, new DocumentQuery(Collection.Entries,
                [new FindCondition("date", "gte", [since], FindValueKind.Number), new FindCondition("type", "eq", ["sgv"], FindValueKind.Text)], (int)(hours * 12 * 2), []), _closing.Token);
            var entries = new JsonArray(found.Select(d => (JsonNode)d.ToV1Json()).ToArray());
            Send(SocketIoPacket.EncodeEvent(SocketIoPacket.MainNamespace, PushEventNames.DataUpdate, DataUpdate.Initial(entries, time.GetUtcNow()).ToJsonString()));
        }

        Reply(packet, new JsonObject
        {
            ["read"] = read,
            ["write"] = access.Can("api:*:create") && access.Can("api:*:update") && access.Can("api:*:delete"),
            ["write_treatment"] = access.Can("api:treatments:create") && access.Can("api:treatments:update") && access.Can("api:treatments:delete"),
        });
    }

    // The reference's /alarm subscribe: {accessToken} from native clients, {secret, jwtToken} from the web client.
    private async Task SubscribeAsync(SocketIoPacket packet, JsonObject? message)
    {
        var credentials = new Credentials(null, Text(message?["secret"]), Text(message?["accessToken"]) ?? Text(message?["jwtToken"]));
        if (await AuthenticateAsync(credentials) is not { } grant)
        {
            Reply(packet, new JsonObject { ["success"] = false, ["message"] = BadToken });
            return;
        }

        var read = FollowerPermission.MayFollow(siteId, grant);
        var ack = new SiteAccess(siteId, grant, grains.Site(siteId)).Can(FollowerPermission.Ack);
        _canAck |= ack;
        if (read)
        {
            _followsAlarms = true;
            await relay.AttachAsync(this);
        }

        Reply(packet, new JsonObject { ["success"] = true, ["message"] = "Subscribed for alarms", ["read"] = read, ["ack"] = ack });
    }

    private async Task<AccessGrant?> AuthenticateAsync(Credentials credentials)
    {
        var grant = await grains.Site(siteId).Access.AuthenticateAsync(credentials);
        if (grant.Outcome is AccessOutcome.InvalidCredentials or AccessOutcome.UnknownSite)
        {
            logger.LogWarning("Site {Site}: Socket.IO client refused (bad credentials)", siteId);
            return null;
        }

        Credentials = credentials;
        return grant;
    }

    private void Reply(SocketIoPacket packet, JsonNode answer)
    {
        if (packet.AckId is { } id)
        {
            Send(new SocketIoPacket(SocketIoPacket.Ack, packet.Namespace, id, new JsonArray(answer)).Encode());
        }
    }

    private async Task WriteLoopAsync(WebSocket socket, CancellationToken token)
    {
        try
        {
            await foreach (var text in _outgoing.Reader.ReadAllAsync(token))
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, token);
            }

            // Queue completed by a disconnect: close after what was queued (the client must see its
            // namespace disconnect), rather than aborting the socket with the read loop.
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
                return;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Closing.
        }

        // Queue completed (disconnect, too slow) or the socket failed: end the session.
        await _closing.CancelAsync();
    }

    private async Task PingLoopAsync(CancellationToken token)
    {
        try
        {
            using var timer = new PeriodicTimer(PingInterval, time);
            while (await timer.WaitForNextTickAsync(token))
            {
                if (time.GetUtcNow().ToUnixTimeMilliseconds() - Interlocked.Read(ref _lastPongMs) > (PingInterval + PingTimeout).TotalMilliseconds)
                {
                    await _closing.CancelAsync();
                    return;
                }

                _outgoing.Writer.TryWrite("2");
            }
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');
}
