using Microsoft.AspNetCore.SignalR;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Push;

namespace Nocturne.Api.Push;

/// <summary>A clinic staff member's board connection: it follows the clinic's own feed, which carries only <c>boardUpdate</c>.</summary>
public sealed class ClinicBoardFollower(string clinic, Credentials credentials, HubCallerContext context, IHubContext<ClinicHub> hub) : IPushFollower
{
    public string SiteId => clinic;

    public Credentials Credentials => credentials;

    public string Permission => FollowerPermission.ClinicBoard;

    public bool Wants(SitePushEvent pushEvent) => pushEvent.Name == PushEventNames.BoardUpdate;

    public void Deliver(SitePushEvent pushEvent) =>
        // The payload is only { site }: the page fetches the board, which checks the share and audits the view.
        _ = hub.Clients.Client(context.ConnectionId).SendAsync(pushEvent.Name, System.Text.Json.JsonDocument.Parse(pushEvent.PayloadJson).RootElement.Clone());

    public void Disconnect(string reason) => context.Abort();
}
