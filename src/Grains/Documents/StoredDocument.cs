using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>A row of a collection table. <see cref="Doc"/> holds the client's fields (never _id).</summary>
public sealed record StoredDocument(
    string Identifier,
    string ObjectId,
    long DateMs,
    string? Type,
    long SrvCreated,
    long SrvModified,
    bool IsValid,
    JsonObject Doc)
{
    /// <summary>The document as v1 returns it: its fields plus <c>_id</c>.</summary>
    public JsonObject ToV1Json()
    {
        var json = new JsonObject { ["_id"] = ObjectId };
        foreach (var (key, value) in Doc)
        {
            json[key] = value?.DeepClone();
        }

        return json;
    }

    /// <summary>The document as it travels to another grain.</summary>
    public Interfaces.Documents.DocumentSnapshot ToSnapshot() => new(Identifier, ObjectId, DateMs, Type, SrvCreated, SrvModified, IsValid, Doc.ToJsonString());

    public static StoredDocument FromSnapshot(Interfaces.Documents.DocumentSnapshot snapshot) =>
        new(snapshot.Identifier, snapshot.ObjectId, snapshot.DateMs, snapshot.Type, snapshot.SrvCreated, snapshot.SrvModified, snapshot.IsValid,
            (JsonObject)JsonNode.Parse(snapshot.Json)!);
}
