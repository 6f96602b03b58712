using System.Buffers;
using System.Data;
using System.IO.Compression;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Storage;
using Npgsql;

namespace Nocturne.Grains.Documents;

/// <summary>
/// A site's whole data as Nightscout JSON lines: one <c>{collection}.jsonl</c> per collection in a
/// zip, each line a document as v1 shows it (<c>_id</c> first, then its fields, plus
/// <c>identifier</c> where it is not the <c>_id</c>), in <c>srvModified</c> order so that an
/// import replays the site's history in the order it was written. Soft-deleted documents are
/// left out. Rows stream from one server-side cursor per collection and lines are flushed in
/// small chunks, so memory stays flat whatever the size of the site.
/// </summary>
/// <remarks>
/// Server clocks (<c>srvCreated</c>, <c>srvModified</c>) are not written: the importing server
/// assigns its own, and a v1 upload would otherwise keep them as ordinary fields.
/// </remarks>
public sealed class SiteExport(PostgresConnection postgres)
{
    private const int FlushBytes = 64 * 1024;

    public static string EntryName(Collection collection) => $"{CollectionNames.Of(collection)}.jsonl";

    public async Task<bool> SiteExistsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @t)");
        command.Parameters.AddWithValue("t", tenant);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Writes every collection of the site into a zip on <paramref name="output"/> (which may be non-seekable).</summary>
    public async Task<IReadOnlyDictionary<Collection, long>> WriteZipAsync(string tenant, Stream output, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<Collection, long>();
        await using var spool = new SpoolStream(output);
        await using (var zip = await ZipArchive.CreateAsync(spool, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
        {
            foreach (var collection in Enum.GetValues<Collection>())
            {
                var entry = zip.CreateEntry(EntryName(collection), CompressionLevel.Fastest);
                await using (var stream = await entry.OpenAsync(cancellationToken))
                {
                    counts[collection] = await WriteCollectionAsync(tenant, collection, stream, () => spool.DrainAsync(cancellationToken), cancellationToken);
                }

                await spool.DrainAsync(cancellationToken);
            }
        }

        await spool.DrainAsync(cancellationToken);
        return counts;
    }

    /// <summary>Writes one collection of the site as JSON lines; returns how many documents it wrote.</summary>
    public async Task<long> WriteCollectionAsync(string tenant, Collection collection, Stream output, Func<Task>? afterChunk = null,
        CancellationToken cancellationToken = default)
    {
        await using var command = postgres.DataSource.CreateCommand($"""
            SELECT object_id, identifier, doc_text FROM {CollectionNames.Of(collection)}
            WHERE tenant_id = @t AND is_valid ORDER BY srv_modified, identifier
            """);
        command.Parameters.AddWithValue("t", tenant);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);

        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        await using var writer = new Utf8JsonWriter(buffer);
        long count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var objectId = reader.GetString(0);
            var identifier = reader.GetString(1);
            using var doc = JsonDocument.Parse(reader.GetString(2));
            WriteLine(writer, objectId, identifier, doc.RootElement);
            writer.Flush();
            writer.Reset();
            buffer.Write("\n"u8);
            count++;
            if (buffer.WrittenCount >= FlushBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
                if (afterChunk is not null)
                {
                    await afterChunk();
                }
            }
        }

        await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        return count;
    }

    private static void WriteLine(Utf8JsonWriter writer, string objectId, string identifier, JsonElement doc)
    {
        writer.WriteStartObject();
        writer.WriteString("_id", objectId);
        var hasIdentifier = false;
        foreach (var property in doc.EnumerateObject())
        {
            hasIdentifier |= property.NameEquals("identifier");
            property.WriteTo(writer);
        }

        // Documents written through v3 carry their identifier only in its column.
        if (!hasIdentifier && identifier != objectId)
        {
            writer.WriteString("identifier", identifier);
        }

        writer.WriteEndObject();
    }
}
