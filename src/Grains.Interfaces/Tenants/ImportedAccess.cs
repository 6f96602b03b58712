namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>What importing subjects and roles did: how many were added, and each one left out with why.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ImportedAccess")]
public sealed record ImportedAccess(
    [property: Id(0)] int Roles,
    [property: Id(1)] int Subjects,
    [property: Id(2)] IReadOnlyList<string> Skipped);
