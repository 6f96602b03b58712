using System.Globalization;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// The documents a pump or diary cloud's records become, named after the vendor's own record id:
/// the identifier is UUID v5 of <c>{device}_{vendor id}</c>, so a record the user edits at the
/// vendor (another time, another dose) lands on the same document, and a re-sync on nothing new.
/// </summary>
public static class ConnectorTreatment
{
    /// <summary>A treatment at <paramref name="ms"/>, written with the device's UTC offset when the vendor tells it (Nightscout's <c>utcOffset</c>).</summary>
    public static JsonObject Create(string device, string vendorId, string eventType, long ms, TimeSpan? utcOffset = null) => new()
    {
        ["eventType"] = eventType,
        ["created_at"] = Time(ms, utcOffset),
        ["enteredBy"] = device,
        ["device"] = device,
        ["identifier"] = Identifier(device, vendorId),
    };

    /// <summary>A meter reading (<c>mbg</c> entry, mg/dL); its identifier is kept apart from a CGM reading at the same instant.</summary>
    public static JsonObject MeterEntry(string device, string vendorId, long ms, int mgdl) => new()
    {
        ["type"] = "mbg",
        ["mbg"] = mgdl,
        ["date"] = ms,
        ["dateString"] = DocumentTime.Iso(ms),
        ["device"] = device,
        ["identifier"] = Identifier(device, vendorId),
    };

    /// <summary>The instant of a treatment made by <see cref="Create"/>.</summary>
    public static long Ms(JsonObject treatment) => DateTimeOffset.Parse((string)treatment["created_at"]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    public static string Identifier(string device, string vendorId) => Uuid5.Create($"{device}_{vendorId}");

    /// <summary>ISO 8601 with the offset (the stored created_at becomes UTC and utcOffset keeps the offset).</summary>
    public static string Time(long ms, TimeSpan? utcOffset) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(utcOffset ?? TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>mmol/L to mg/dL with the factor Tidepool and the pump vendors use.</summary>
    public static int MgdlFromMmol(double mmol) => (int)Math.Round(mmol * MgdlPerMmol, MidpointRounding.AwayFromZero);

    public const double MgdlPerMmol = 18.01559;

    /// <summary>Rounded as pumps deliver (0.001 U is below any pump's step, so no dose changes).</summary>
    public static double Units(double value) => Math.Round(value, 3);
}
