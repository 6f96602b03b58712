using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.Grains.Interfaces.Tenants;

/// <summary>
/// The one way to reach a site's grains: who may use it (<see cref="Access"/>), its documents
/// (<see cref="Documents"/>), its loop (<see cref="Loop"/>) and its connectors, each keyed as site
/// deletion expects (<see cref="SiteGrainKeys"/>).
/// </summary>
public readonly record struct SiteGrains(IGrainFactory Factory, string SiteId)
{
    /// <summary>Site lifecycle, settings, authentication, subjects and roles.</summary>
    public ISiteAccessGrain Access => GrainReferences.Of<ISiteAccessGrain>(Factory, SiteId);

    /// <summary>The single writer of the site's documents, with its live window.</summary>
    public IPatientGrain Documents => GrainReferences.Of<IPatientGrain>(Factory, SiteId);

    /// <summary>The OpenAPS loop over the site's data.</summary>
    public ILoopGrain Loop => GrainReferences.Of<ILoopGrain>(Factory, SiteId);

    public IConnectorGrain Connector(string kind) => GrainReferences.Of<IConnectorGrain>(Factory, ConnectorKinds.Key(SiteId, kind));
}

public static class SiteGrainsExtensions
{
    public static SiteGrains Site(this IGrainFactory grains, string siteId) => new(grains, siteId);
}
