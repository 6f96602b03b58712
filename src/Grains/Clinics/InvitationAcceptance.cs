namespace Nocturne.Grains.Clinics;

/// <summary>What accepting a share code did.</summary>
public enum InvitationAcceptance
{
    Accepted,
    Unknown,
    ExpiredOrUsed,
    OwnSite,
}
