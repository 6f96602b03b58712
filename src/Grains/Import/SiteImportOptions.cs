namespace Nocturne.Grains.Import;

/// <summary>
/// How to run one site import. <see cref="SourceApiSecret"/> is the source site's API_SECRET (or its
/// SHA-1 hex): only with it can the subjects' access tokens be derived and so keep working here.
/// <see cref="Restart"/> forgets the saved cursors and reads the source from its beginning.
/// </summary>
public sealed record SiteImportOptions(string? SourceApiSecret = null, bool Restart = false)
{
    public override string ToString() => $"SiteImportOptions(Restart = {Restart})";
}
