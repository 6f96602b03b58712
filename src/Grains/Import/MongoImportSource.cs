using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using MongoDB.Bson;
using MongoDB.Driver;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Import;

/// <summary>
/// A Nightscout site's MongoDB database read with the official driver: the reference's collection
/// names (<c>entries</c>, <c>treatments</c>, <c>devicestatus</c>, <c>profile</c>, <c>food</c>,
/// <c>activity</c>, and <c>auth_subjects</c>/<c>auth_roles</c>), each in <c>_id</c> order. The
/// cursor is the last <c>_id</c> read; resuming reads the ids after it in MongoDB's own order,
/// which ranks types before values (numbers, strings, ObjectIds...), so mixed id types resume too.
/// </summary>
public sealed class MongoImportSource : IImportSource
{
    // BSON comparison order of the _id types Nightscout sites hold; a later bracket sorts after every
    // value of an earlier one. After an id of another type, a resume reads all of these again
    // (InsertMissing makes that harmless).
    private static readonly BsonType[][] TypeBrackets =
    [
        [BsonType.Double, BsonType.Int32, BsonType.Int64],
        [BsonType.String],
        [BsonType.ObjectId],
        [BsonType.DateTime],
    ];

    private readonly MongoClient _client;
    private readonly IMongoDatabase _database;
    private readonly int _pageSize;

    /// <param name="connectionString">A <c>mongodb://</c> URL; its path names the database unless <paramref name="database"/> does.</param>
    public MongoImportSource(string connectionString, string? database, int pageSize = 2000)
    {
        var url = MongoUrl.Create(connectionString);
        var name = database ?? url.DatabaseName ?? throw new ArgumentException("The MongoDB URL names no database and none was given");
        var settings = MongoClientSettings.FromUrl(url);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.ConnectTimeout = TimeSpan.FromSeconds(15);
        _client = new MongoClient(settings);
        _database = _client.GetDatabase(name);
        _pageSize = pageSize;
        Description = $"mongodb {string.Join(',', url.Servers.Select(s => $"{s.Host}:{s.Port}"))}/{name}";
    }

    public string Description { get; }

    public IReadOnlyList<Collection> Collections { get; } =
        [Collection.Profile, Collection.Food, Collection.Activity, Collection.Treatments, Collection.DeviceStatus, Collection.Entries];

    public async Task<long?> CountAsync(Collection collection, CancellationToken cancellationToken) =>
        await Source(collection).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellationToken);

    public async IAsyncEnumerable<ImportPage> ReadAsync(Collection collection, string? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = cursor is null ? FilterDefinition<BsonDocument>.Empty : After(BsonDocument.Parse(cursor)["_id"]);
        var options = new FindOptions<BsonDocument> { Sort = Builders<BsonDocument>.Sort.Ascending("_id"), BatchSize = _pageSize };
        using var found = await Source(collection).FindAsync(filter, options, cancellationToken);
        var documents = new List<JsonObject>(_pageSize);
        var unreadable = new List<string>();
        BsonValue? last = null;
        while (await found.MoveNextAsync(cancellationToken))
        {
            foreach (var bson in found.Current)
            {
                last = bson.GetValue("_id", BsonNull.Value);
                if (last.IsBsonNull || MongoValues.Id(last) is null)
                {
                    unreadable.Add($"_id of BSON type {last.BsonType} has no form the API can show");
                }
                else
                {
                    documents.Add(MongoValues.ToJson(bson));
                }

                if (documents.Count + unreadable.Count >= _pageSize)
                {
                    yield return new ImportPage(documents, unreadable, Cursor(last));
                    documents = new List<JsonObject>(_pageSize);
                    unreadable = [];
                }
            }
        }

        if (last is not null && documents.Count + unreadable.Count > 0)
        {
            yield return new ImportPage(documents, unreadable, Cursor(last));
        }
    }

    public async Task<SourceAccess?> ReadAccessAsync(CancellationToken cancellationToken)
    {
        async Task<List<JsonObject>> All(string name)
        {
            var list = await _database.GetCollection<BsonDocument>(name).Find(FilterDefinition<BsonDocument>.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync(cancellationToken);
            return list.Select(MongoValues.ToJson).ToList();
        }

        return new SourceAccess(await All("auth_subjects"), await All("auth_roles"));
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private IMongoCollection<BsonDocument> Source(Collection collection) => _database.GetCollection<BsonDocument>(CollectionNames.Of(collection));

    private static string Cursor(BsonValue lastId) => new BsonDocument("_id", lastId).ToJson();

    private static FilterDefinition<BsonDocument> After(BsonValue lastId)
    {
        var filters = Builders<BsonDocument>.Filter;
        var bracket = Array.FindIndex(TypeBrackets, b => b.Contains(lastId.BsonType));
        var later = TypeBrackets.Skip(bracket + 1).SelectMany(b => b).Select(t => filters.Type("_id", t));
        return filters.Or([filters.Gt("_id", lastId), .. later]);
    }
}
