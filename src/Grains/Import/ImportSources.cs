namespace Nocturne.Grains.Import;

/// <summary>What the CLI's import accepts as a source: a <c>mongodb://</c> URL, or an export (zip or folder of <c>.jsonl</c> files) on disk.</summary>
public static class ImportSources
{
    public static IImportSource? Open(string source, out string problem) =>
        source.StartsWith("mongodb://", StringComparison.Ordinal) || source.StartsWith("mongodb+srv://", StringComparison.Ordinal)
            ? MongoSources.Open(source, null, out problem)
            : JsonLinesImportSource.Open(source, deleteWhenDone: false, out problem);
}
