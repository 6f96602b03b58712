using Microsoft.AspNetCore.SignalR;
using Nocturne.Api.Authorization;
using Nocturne.Api.Clinics;

namespace Nocturne.Api.Push;

/// <summary>
/// The SignalR hub at <c>/hubs/clinic</c> for a clinic's staff (the authorization middleware has
/// checked <see cref="FollowerPermission.ClinicBoard"/> on the clinic's site). It sends
/// <c>boardUpdate</c> <c>{ site }</c> whenever a followed patient's data or share changes; the
/// patient's data itself is only ever read through the board and chart routes, which check the
/// share and write the audit log.
/// </summary>
public sealed class ClinicHub(SitePushRelay relay, IHubContext<ClinicHub> hub) : Hub
{
    private const string FollowerKey = "follower";

    public override async Task OnConnectedAsync()
    {
        if (Context.GetHttpContext()?.Features.Get<SiteAccess>() is not { } access || !access.Grant.IsClinic)
        {
            Context.Abort();
            return;
        }

        var follower = new ClinicBoardFollower(access.SiteId, RequestCredentials.From(Context.GetHttpContext()!.Request), Context, hub);
        Context.Items[FollowerKey] = follower;
        await relay.AttachAsync(follower);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(FollowerKey, out var follower) && follower is ClinicBoardFollower board)
        {
            relay.Detach(board);
        }

        return base.OnDisconnectedAsync(exception);
    }
}
