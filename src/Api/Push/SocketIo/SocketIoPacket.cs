using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Api.Push.SocketIo;

/// <summary>
/// A Socket.IO v5-protocol packet (Socket.IO 3/4) inside an Engine.IO v4 message: type digit, then
/// <c>/namespace,</c> unless the main namespace, then an optional ack id, then JSON
/// (<c>42/alarm,7["subscribe",{...}]</c>). Binary packets are not supported.
/// </summary>
public sealed record SocketIoPacket(int Type, string Namespace, long? AckId, JsonNode? Data)
{
    public const int Connect = 0;
    public const int Disconnect = 1;
    public const int Event = 2;
    public const int Ack = 3;
    public const int ConnectError = 4;
    public const string MainNamespace = "/";

    public static SocketIoPacket? Parse(string text)
    {
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]))
        {
            return null;
        }

        var type = text[0] - '0';
        var position = 1;
        var nsp = MainNamespace;
        if (position < text.Length && text[position] == '/')
        {
            var comma = text.IndexOf(',', position);
            nsp = comma < 0 ? text[position..] : text[position..comma];
            position = comma < 0 ? text.Length : comma + 1;
        }

        var idStart = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]) && position - idStart < 18)
        {
            position++;
        }

        long? ackId = position > idStart ? long.Parse(text[idStart..position], CultureInfo.InvariantCulture) : null;
        JsonNode? data = null;
        if (position < text.Length)
        {
            try
            {
                data = Nocturne.Grains.Documents.LastValueWinsJson.Parse(text[position..], out _);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return new SocketIoPacket(type, nsp, ackId, data);
    }

    public string Encode()
    {
        var builder = new StringBuilder();
        builder.Append((char)('0' + Type));
        if (Namespace != MainNamespace)
        {
            builder.Append(Namespace).Append(',');
        }

        if (AckId is { } id)
        {
            builder.Append(id.ToString(CultureInfo.InvariantCulture));
        }

        if (Data is not null)
        {
            builder.Append(Data.ToJsonString());
        }

        return builder.ToString();
    }

    /// <summary>An event with its arguments already serialised (the push payloads are kept as text).</summary>
    public static string EncodeEvent(string nsp, string name, string argumentJson)
    {
        var prefix = nsp == MainNamespace ? "2" : $"2{nsp},";
        return $"{prefix}[{JsonSerializer.Serialize(name)},{argumentJson}]";
    }
}
