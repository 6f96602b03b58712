using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// The Nightscout <c>sgv</c> entry a CGM cloud reading becomes. Its identifier is the v3 API's
/// own (UUID v5 of device and date), so a re-sync, an overlapping poll or the same reading
/// uploaded through v3 all land on one document.
/// </summary>
public static class GlucoseEntry
{
    /// <summary>Nightscout's trend numbers (1..7 DoubleUp..DoubleDown, 8, 9) and their direction names.</summary>
    public static readonly IReadOnlyList<string> Directions =
        ["NONE", "DoubleUp", "SingleUp", "FortyFiveUp", "Flat", "FortyFiveDown", "SingleDown", "DoubleDown", "NOT COMPUTABLE", "RATE OUT OF RANGE"];

    public static JsonObject Create(string device, long dateMs, int mgdl, int? trend)
    {
        var entry = new JsonObject
        {
            ["type"] = "sgv",
            ["sgv"] = mgdl,
            ["date"] = dateMs,
            ["dateString"] = DocumentTime.Iso(dateMs),
            ["device"] = device,
        };
        if (trend is { } t and >= 0 and <= 9)
        {
            entry["trend"] = t;
            entry["direction"] = Directions[t];
        }

        entry["identifier"] = V3Rules.Identifier(entry);
        return entry;
    }
}
