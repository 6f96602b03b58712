using MongoDB.Driver;

namespace Nocturne.Grains.Import;

/// <summary>Opens a <see cref="MongoImportSource"/> from what an operator typed, with a clear reason when it cannot be.</summary>
public static class MongoSources
{
    public static MongoImportSource? Open(string? url, string? database, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(url) || !(url.StartsWith("mongodb://", StringComparison.Ordinal) || url.StartsWith("mongodb+srv://", StringComparison.Ordinal)))
        {
            problem = "mongoUrl must be a mongodb:// or mongodb+srv:// URL";
            return null;
        }

        try
        {
            if (string.IsNullOrEmpty(database) && string.IsNullOrEmpty(MongoUrl.Create(url).DatabaseName))
            {
                problem = "the MongoDB URL names no database: add it to the path or give database";
                return null;
            }

            return new MongoImportSource(url, string.IsNullOrEmpty(database) ? null : database);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            // The driver's message can quote the URL, which may hold a password: say only what is wrong in kind.
            problem = "mongoUrl is not a valid MongoDB connection string";
            return null;
        }
    }
}
