namespace Nocturne.Grains;

/// <summary>Names shared by the grain classes and the silo configuration.</summary>
public static class NocturneStorage
{
    /// <summary>The ADO.NET grain storage provider on PostgreSQL.</summary>
    public const string ProviderName = "nocturne";
}
