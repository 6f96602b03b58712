namespace Nocturne.Api.WebApp;

/// <summary>
/// Where the built web app (web/dist, built by build_web in deploy/local/services.sh) is: copied next to the API as
/// <c>webapp/</c> by the build, or <c>WebApp__Root</c> to serve another folder.
/// </summary>
public sealed class WebAppFiles(IConfiguration configuration)
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".map"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public string Root { get; } = configuration["WebApp:Root"] is { Length: > 0 } root ? Path.GetFullPath(root) : Path.Combine(AppContext.BaseDirectory, "webapp");

    /// <summary>The file for a name taken from the URL, or null: only plain names of the known kinds, never a path.</summary>
    public (string Path, string ContentType)? Find(string name)
    {
        if (name.Length is 0 or > 64 || name.StartsWith('.') || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            || !ContentTypes.TryGetValue(System.IO.Path.GetExtension(name), out var type))
        {
            return null;
        }

        var path = System.IO.Path.Combine(Root, name);
        return File.Exists(path) ? (path, type) : null;
    }
}
