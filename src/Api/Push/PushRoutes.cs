namespace Nocturne.Api.Push;

/// <summary>Where followers connect.</summary>
public static class PushRoutes
{
    public const string SiteHub = "/hubs/site";
    public const string ClinicHub = "/hubs/clinic";
    public const string SocketIo = "/socket.io";
}
