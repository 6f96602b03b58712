namespace Nocturne.Grains.Interfaces.Push;

/// <summary>
/// One event for a site's followers, already in the shape clients receive: <see cref="Name"/> is
/// the Socket.IO/SignalR event name (<see cref="PushEventNames"/>) and <see cref="PayloadJson"/> its
/// single argument. Carried as text so that the relays forward it without re-serialising per follower.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.SitePushEvent")]
public sealed record SitePushEvent(
    [property: Id(0)] string SiteId,
    [property: Id(1)] string Name,
    [property: Id(2)] string PayloadJson,
    [property: Id(3)] long CreatedMs);
