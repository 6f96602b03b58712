namespace Nocturne.Grains.Import;

/// <summary>Where a site import stands.</summary>
public static class ImportState
{
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Failed = "failed";
}
