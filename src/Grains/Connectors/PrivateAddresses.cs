using System.Net;
using System.Net.Sockets;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// Addresses a site's admin must not make our server connect to (loopback, private, link-local,
/// carrier-grade NAT, unique-local): a Nightscout URL is checked by its literal host when it is
/// configured, and again by every address its name resolves to when a connection is opened.
/// </summary>
public static class PrivateAddresses
{
    public static bool IsPrivate(Uri url) =>
        url.IsLoopback || url.Host.EndsWith(".local", StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IsPrivate(address));

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? b[0] is 10 or 127 or 0 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127)
            : IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.Equals(IPAddress.IPv6Any);
    }

    /// <summary>
    /// The connectors' socket connect: resolves the host once and connects to exactly those
    /// addresses, refusing a request marked <see cref="ConnectorHttp.PublicOnly"/> when any of them
    /// is private (a public name pointed at an internal address, or rebinding between check and use).
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (context.InitialRequestMessage.Options.TryGetValue(ConnectorHttp.PublicOnly, out var publicOnly) && publicOnly && addresses.Any(IsPrivate))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{host} resolves to a private address; a Nightscout URL must be public");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
