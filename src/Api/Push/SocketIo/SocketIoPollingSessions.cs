using System.Collections.Concurrent;

namespace Nocturne.Api.Push.SocketIo;

/// <summary>
/// This process's long-polling Socket.IO sessions by <c>sid</c>. A polling client's requests must all
/// reach the process that holds its session (behind a load balancer: sticky sessions, as for any
/// Socket.IO server). A session belongs to one site: its sid used on another site's path is unknown.
/// </summary>
public sealed class SocketIoPollingSessions(ILogger<SocketIoPollingSessions> logger)
{
    /// <summary>Bounds what abandoned handshakes can hold before their ping timeout removes them.</summary>
    public const int MaxSessions = 20_000;

    private readonly ConcurrentDictionary<string, SocketIoSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public bool TryAdd(SocketIoSession session)
    {
        if (_sessions.Count >= MaxSessions || !_sessions.TryAdd(session.Id, session))
        {
            logger.LogWarning("Socket.IO polling sessions full ({Count}); a handshake was refused", _sessions.Count);
            return false;
        }

        // Not disposed here: this runs inside the session's own cancellation.
        session.Closed.Register(() => _sessions.TryRemove(session.Id, out _));
        return true;
    }

    public SocketIoSession? Find(string site, string sid) =>
        _sessions.TryGetValue(sid, out var session) && session.SiteId == site && !session.Closed.IsCancellationRequested ? session : null;
}
