using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Nocturne.Api.Authorization;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Push;

namespace Nocturne.Api.Push;

/// <summary>A SignalR connection following its site: every event is sent under its reference name with the payload as a JSON object.</summary>
public sealed class SignalRFollower(SiteAccess access, Credentials credentials, HubCallerContext context, IHubContext<SiteHub> hub) : IPushFollower
{
    public string SiteId => access.SiteId;

    public Credentials Credentials => credentials;

    public bool CanAck { get; } = access.Can(FollowerPermission.Ack);

    public string Permission => FollowerPermission.Read;

    public bool Wants(SitePushEvent pushEvent) => pushEvent.Name != PushEventNames.BoardUpdate;

    public void Deliver(SitePushEvent pushEvent)
    {
        using var payload = JsonDocument.Parse(pushEvent.PayloadJson);
        // SendAsync only queues on the connection's pipe; a closed connection just drops it.
        _ = hub.Clients.Client(context.ConnectionId).SendAsync(pushEvent.Name, payload.RootElement.Clone());
    }

    public void Disconnect(string reason) => context.Abort();
}
