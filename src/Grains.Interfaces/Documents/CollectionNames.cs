namespace Nocturne.Grains.Interfaces.Documents;

public static class CollectionNames
{
    public static string Of(Collection collection) => collection switch
    {
        Collection.Entries => "entries",
        Collection.Treatments => "treatments",
        Collection.DeviceStatus => "devicestatus",
        Collection.Profile => "profile",
        Collection.Food => "food",
        Collection.Activity => "activity",
        Collection.Settings => "settings",
        _ => throw new ArgumentOutOfRangeException(nameof(collection)),
    };

    public static bool TryParse(string name, out Collection collection)
    {
        foreach (var candidate in Enum.GetValues<Collection>())
        {
            if (Of(candidate) == name)
            {
                collection = candidate;
                return true;
            }
        }

        collection = default;
        return false;
    }
}
