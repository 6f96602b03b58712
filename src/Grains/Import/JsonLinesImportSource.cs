using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Import;

/// <summary>
/// A site's export read back: the zip that <see cref="SiteExport"/> writes (or a folder of its files),
/// one <c>{collection}.jsonl</c> per collection, each line a document as v1 shows it. Lines are read
/// in file order (the exporting site's srvModified order); the cursor is the number of lines read,
/// so an interrupted import of the same file resumes after the last committed page. The file is
/// named in the description by its content hash: the same archive resumes, another starts afresh.
/// </summary>
public sealed class JsonLinesImportSource : IImportSource
{
    private readonly string _path;
    private readonly bool _deleteWhenDone;
    private readonly int _pageSize;

    private JsonLinesImportSource(string path, string description, bool deleteWhenDone, int pageSize)
    {
        (_path, Description, _deleteWhenDone, _pageSize) = (path, description, deleteWhenDone, pageSize);
    }

    public string Description { get; }

    public IReadOnlyList<Collection> Collections { get; } =
        [Collection.Profile, Collection.Food, Collection.Activity, Collection.Settings, Collection.Treatments, Collection.DeviceStatus, Collection.Entries];

    /// <summary>
    /// Opens an export zip or a folder holding its <c>.jsonl</c> files; null with the reason when it is
    /// neither. With <paramref name="deleteWhenDone"/> the file (an upload spooled by the API) goes on dispose.
    /// </summary>
    public static JsonLinesImportSource? Open(string path, bool deleteWhenDone, out string problem, int pageSize = 2000)
    {
        problem = "";
        if (Directory.Exists(path))
        {
            if (!Enum.GetValues<Collection>().Any(c => File.Exists(Path.Combine(path, SiteExport.EntryName(c)))))
            {
                problem = "the folder holds no {collection}.jsonl file of an export";
                return null;
            }

            return new JsonLinesImportSource(path, $"json lines {Path.GetFullPath(path)}", deleteWhenDone, pageSize);
        }

        if (!File.Exists(path))
        {
            problem = "no such file or folder";
            return null;
        }

        try
        {
            using (var zip = ZipFile.OpenRead(path))
            {
                if (!zip.Entries.Any(e => Enum.GetValues<Collection>().Any(c => e.FullName == SiteExport.EntryName(c))))
                {
                    problem = "the archive holds no {collection}.jsonl file of an export";
                    return null;
                }
            }

            using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
            return new JsonLinesImportSource(path, $"json lines sha256:{hash}", deleteWhenDone, pageSize);
        }
        catch (InvalidDataException)
        {
            problem = "not a zip archive (an export is one, as GET /api/admin/tenants/{id}/export writes it)";
            return null;
        }
    }

    public async Task<long?> CountAsync(Collection collection, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var line in LinesAsync(collection, 0, cancellationToken))
        {
            count += line.Text.Length > 0 ? 1 : 0;
        }

        return count;
    }

    public async IAsyncEnumerable<ImportPage> ReadAsync(Collection collection, string? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var skip = cursor is null ? 0 : long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
        var documents = new List<JsonObject>(_pageSize);
        var unreadable = new List<string>();
        long last = skip;
        await foreach (var (number, text) in LinesAsync(collection, skip, cancellationToken))
        {
            last = number;
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                if (Documents.LastValueWinsJson.Parse(text, out _) is JsonObject document)
                {
                    documents.Add(document);
                }
                else
                {
                    unreadable.Add("a line that is not a JSON object");
                }
            }
            catch (JsonException)
            {
                unreadable.Add("a line that is not JSON");
            }

            if (documents.Count + unreadable.Count >= _pageSize)
            {
                yield return new ImportPage(documents, unreadable, Cursor(last));
                (documents, unreadable) = (new List<JsonObject>(_pageSize), []);
            }
        }

        if (documents.Count + unreadable.Count > 0)
        {
            yield return new ImportPage(documents, unreadable, Cursor(last));
        }
    }

    // An export carries no subjects or roles: the site's own stay as they are.
    public Task<SourceAccess?> ReadAccessAsync(CancellationToken cancellationToken) => Task.FromResult<SourceAccess?>(null);

    public ValueTask DisposeAsync()
    {
        if (_deleteWhenDone && File.Exists(_path))
        {
            File.Delete(_path);
        }

        return ValueTask.CompletedTask;
    }

    private static string Cursor(long line) => line.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The collection's lines after the first <paramref name="skip"/>, numbered from 1; nothing when the export has no such file.</summary>
    private async IAsyncEnumerable<(long Number, string Text)> LinesAsync(Collection collection, long skip, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ZipArchive? zip = null;
        Stream? stream = null;
        try
        {
            if (Directory.Exists(_path))
            {
                var file = Path.Combine(_path, SiteExport.EntryName(collection));
                stream = File.Exists(file) ? File.OpenRead(file) : null;
            }
            else
            {
                zip = ZipFile.OpenRead(_path);
                stream = zip.GetEntry(SiteExport.EntryName(collection))?.Open();
            }

            if (stream is null)
            {
                yield break;
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            long number = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (++number > skip)
                {
                    yield return (number, line.Trim());
                }
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            zip?.Dispose();
        }
    }
}
