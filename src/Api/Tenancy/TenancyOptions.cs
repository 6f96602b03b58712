namespace Nocturne.Api.Tenancy;

/// <summary>
/// How requests map to sites. With no <see cref="BaseDomain"/> the server is one Nightscout
/// site (the default site). With one, <c>alice.{BaseDomain}</c> is site "alice", and any
/// other host can reach a site through the path prefix <c>/t/alice/...</c>.
/// Environment: <c>Tenancy__BaseDomain=ns.example.org</c>.
/// </summary>
public sealed class TenancyOptions
{
    public const string Section = "Tenancy";

    public string? BaseDomain { get; set; }

    public bool MultiTenant => !string.IsNullOrWhiteSpace(BaseDomain);
}
