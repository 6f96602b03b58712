using System.Text.Json.Nodes;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>One event of a Tandem pump log: its code, the pump's sequence number, the instant (with the pump's offset) and its properties.</summary>
public sealed record PumpEvent(int Code, long Sequence, (long Ms, TimeSpan Offset) At, JsonObject Properties)
{
    /// <summary>A property by name, as Tandem spells it in camelCase, with or without a trailing "Raw".</summary>
    public JsonNode? this[string name] =>
        Properties.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase) || string.Equals(p.Key, name + "Raw", StringComparison.OrdinalIgnoreCase)).Value;
}
