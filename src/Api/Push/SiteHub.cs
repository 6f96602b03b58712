using Microsoft.AspNetCore.SignalR;
using Nocturne.Api.Authorization;
using Nocturne.Grains.Interfaces.Alarms;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Api.Push;

/// <summary>
/// The SignalR hub at <c>/hubs/site</c>. The authorization middleware has already checked the
/// connect request against the site (access token, JWT or api-secret; <c>access_token</c> in the
/// query for WebSockets) and <see cref="FollowerPermission.Read"/>; the connection then follows
/// its site and receives <c>dataUpdate</c>, <c>alarm</c>, <c>urgent_alarm</c>, <c>clear_alarm</c>
/// and <c>announcement</c> with the reference's payloads.
/// </summary>
public sealed class SiteHub(SitePushRelay relay, IHubContext<SiteHub> hub, IGrainFactory grains) : Hub
{
    private const string FollowerKey = "follower";

    public override async Task OnConnectedAsync()
    {
        if (Context.GetHttpContext()?.Features.Get<SiteAccess>() is not { } access)
        {
            Context.Abort();
            return;
        }

        var follower = new SignalRFollower(access, RequestCredentials.From(Context.GetHttpContext()!.Request), Context, hub);
        Context.Items[FollowerKey] = follower;
        await relay.AttachAsync(follower);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(FollowerKey, out var follower) && follower is SignalRFollower signalR)
        {
            relay.Detach(signalR);
        }

        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The reference's ack: silences <paramref name="level"/> of <paramref name="group"/> for <paramref name="silenceMs"/> for every follower.</summary>
    public async Task<bool> Ack(int level, string? group, long? silenceMs)
    {
        if (Context.Items.TryGetValue(FollowerKey, out var item) && item is SignalRFollower { CanAck: true } follower)
        {
            await grains.GetGrain<ISiteAlarmGrain>(SiteGrainKeys.For(follower.SiteId, "alarms")).AckAsync(level, group ?? "default", silenceMs);
            return true;
        }

        return false;
    }
}
