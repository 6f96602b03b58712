using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>A validated, normalised document before dedup: its fields and the keys the write needs.</summary>
public sealed record PreparedDocument(JsonObject Doc, long DateMs, string? Type, string? ObjectId, string? Identifier);
