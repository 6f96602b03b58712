using System.Text.Json;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Writes a stored document as v1 returns it (<c>_id</c> first, then its fields in stored order;
/// an entry without a type gets one, as <see cref="EntryShape.FillType"/> gives it) straight from
/// the parsed stored text, without building a document tree.
/// </summary>
public static class V1Json
{
    public static void Write(Utf8JsonWriter writer, string objectId, JsonElement doc, Interfaces.Documents.Collection collection)
    {
        writer.WriteStartObject();
        writer.WriteString("_id", objectId);
        var fillType = collection == Interfaces.Documents.Collection.Entries;
        var typeWritten = false;
        foreach (var property in doc.EnumerateObject())
        {
            if (fillType && property.NameEquals("type") && property.Value.ValueKind == JsonValueKind.Null)
            {
                writer.WriteString("type", InferredType(doc));
                typeWritten = true;
                continue;
            }

            typeWritten |= property.NameEquals("type");
            property.WriteTo(writer);
        }

        if (fillType && !typeWritten)
        {
            writer.WriteString("type", InferredType(doc));
        }

        writer.WriteEndObject();
    }

    private static string InferredType(JsonElement doc) =>
        Present(doc, "sgv") ? "sgv" : Present(doc, "mbg") ? "mbg" : "cal";

    private static bool Present(JsonElement doc, string name) =>
        doc.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;
}
