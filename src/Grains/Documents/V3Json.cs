using System.Text.Json;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Writes a stored document as v3 returns it (<see cref="V3Rules.V3Json"/>: its fields in stored
/// order, then identifier, srvCreated, srvModified and, when soft-deleted, isValid false; a field
/// the document already has keeps its place and takes the server's value) straight from the
/// parsed stored text, without building a document tree.
/// </summary>
public static class V3Json
{
    public static void Write(Utf8JsonWriter writer, string identifier, long srvCreated, long srvModified, bool isValid, JsonElement doc)
    {
        writer.WriteStartObject();
        bool identifierWritten = false, createdWritten = false, modifiedWritten = false, validWritten = false;
        foreach (var property in doc.EnumerateObject())
        {
            if (property.NameEquals("identifier"))
            {
                writer.WriteString("identifier", identifier);
                identifierWritten = true;
            }
            else if (property.NameEquals("srvCreated"))
            {
                writer.WriteNumber("srvCreated", srvCreated);
                createdWritten = true;
            }
            else if (property.NameEquals("srvModified"))
            {
                writer.WriteNumber("srvModified", srvModified);
                modifiedWritten = true;
            }
            else if (property.NameEquals("isValid") && !isValid)
            {
                writer.WriteBoolean("isValid", false);
                validWritten = true;
            }
            else
            {
                property.WriteTo(writer);
            }
        }

        if (!identifierWritten)
        {
            writer.WriteString("identifier", identifier);
        }

        if (!createdWritten)
        {
            writer.WriteNumber("srvCreated", srvCreated);
        }

        if (!modifiedWritten)
        {
            writer.WriteNumber("srvModified", srvModified);
        }

        if (!isValid && !validWritten)
        {
            writer.WriteBoolean("isValid", false);
        }

        writer.WriteEndObject();
    }
}
