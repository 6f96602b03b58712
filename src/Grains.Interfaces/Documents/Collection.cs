namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>The Nightscout document collections (one PostgreSQL table each, same names).</summary>
[GenerateSerializer]
public enum Collection
{
    Entries,
    Treatments,
    DeviceStatus,
    Profile,
    Food,
    Activity,
    Settings,
}
