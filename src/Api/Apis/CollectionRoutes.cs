using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Api.Apis;

/// <summary>How one v1 collection behaves, as the reference defines it per collection.</summary>
public sealed record CollectionRoutes(
    Collection Collection,
    string Path,
    int DefaultCount,
    int DefaultCountWithFind,
    bool ImplicitWindow,
    long BodyLimit,
    bool SupportsPut,
    bool DeleteReturnsResult)
{
    public string Name => CollectionNames.Of(Collection);

    public string Permission(string action) => $"api:{Name}:{action}";

    public static IReadOnlyList<CollectionRoutes> V1 { get; } =
    [
        new(Collection.Treatments, "treatments", 100, 1000, ImplicitWindow: true, Documents.RequestBody.LargeLimit, SupportsPut: true, DeleteReturnsResult: true),
        new(Collection.DeviceStatus, "devicestatus", 10, 10, ImplicitWindow: true, Documents.RequestBody.SmallLimit * 10, SupportsPut: false, DeleteReturnsResult: true),
        new(Collection.Profile, "profile", 10, 10, ImplicitWindow: false, Documents.RequestBody.SmallLimit, SupportsPut: true, DeleteReturnsResult: false),
        new(Collection.Food, "food", 100_000, 100_000, ImplicitWindow: false, Documents.RequestBody.SmallLimit, SupportsPut: true, DeleteReturnsResult: false),
        new(Collection.Activity, "activity", 100_000, 100_000, ImplicitWindow: false, Documents.RequestBody.LargeLimit, SupportsPut: true, DeleteReturnsResult: false),
    ];
}
