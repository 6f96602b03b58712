using Nocturne.Grains.Interfaces;

namespace Nocturne.Api.Apis;

public sealed record CreateTenantRequest(string? Id, string? DisplayName, string? ApiSecret, SiteSettings? Settings)
{
    public override string ToString() => $"CreateTenantRequest({Id})";
}
