namespace Nocturne.Api.Apis;

/// <summary>A clinic accepting a patient's share code.</summary>
public sealed record AcceptInvitationRequest(string? Code)
{
    // The code grants access to a patient's data: never in logs.
    public override string ToString() => "AcceptInvitationRequest";
}
