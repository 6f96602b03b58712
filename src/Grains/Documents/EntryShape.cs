using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

public static class EntryShape
{
    /// <summary>Every entry a client reads carries a type; the reference fills it from the model when missing.</summary>
    public static JsonObject FillType(JsonObject entry)
    {
        if (entry["type"] is null)
        {
            entry["type"] = entry["sgv"] is not null ? "sgv" : entry["mbg"] is not null ? "mbg" : "cal";
        }

        return entry;
    }
}
