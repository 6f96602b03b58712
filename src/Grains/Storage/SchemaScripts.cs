using System.Globalization;
using System.Reflection;

namespace Nocturne.Grains.Storage;

/// <summary>The schema scripts embedded from deploy/sql, in version order.</summary>
public static class SchemaScripts
{
    private const string Prefix = "Nocturne.Schema.";

    public static IReadOnlyList<SchemaMigration> All { get; } = Load();

    /// <summary>The schema version this build of the code needs.</summary>
    public static int RequiredVersion => All[^1].Version;

    private static List<SchemaMigration> Load()
    {
        var assembly = typeof(SchemaScripts).Assembly;
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var fileName = resource[Prefix.Length..];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Schema script '{fileName}' must be named NNNN_description.sql");
            }

            migrations.Add(new SchemaMigration(version, Path.GetFileNameWithoutExtension(fileName), Read(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Schema scripts must be numbered 1..N without gaps; found {migrations[i].Name} at position {i + 1}");
            }
        }

        return migrations;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
