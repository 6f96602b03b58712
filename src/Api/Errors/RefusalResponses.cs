using Microsoft.AspNetCore.WebUtilities;
using Nocturne.Api.Documents;
using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Errors;

/// <summary>
/// The one mapping of a grain's refusal (<see cref="ChangeResult{T}"/>) to HTTP: its status code,
/// the Nightscout v1 error shape and the v3 envelope.
/// </summary>
public static class RefusalResponses
{
    public static int StatusCode(ChangeStatus status) => status switch
    {
        ChangeStatus.NotFound => StatusCodes.Status404NotFound,
        ChangeStatus.Conflict => StatusCodes.Status409Conflict,
        ChangeStatus.Gone => StatusCodes.Status410Gone,
        ChangeStatus.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ChangeStatus.Forbidden => StatusCodes.Status403Forbidden,
        ChangeStatus.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ChangeStatus.Invalid => StatusCodes.Status400BadRequest,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A refusal has a reason"),
    };

    /// <summary><c>{"status":N,"message":"&lt;title or reason phrase&gt;","description":"&lt;message&gt;"}</c>.</summary>
    public static IResult ToV1Error<T>(this ChangeResult<T> refusal)
    {
        var status = StatusCode(refusal.Status);
        return NightscoutError.Result(status, refusal.Title ?? ReasonPhrases.GetReasonPhrase(status), refusal.Message);
    }

    /// <summary><c>{"status":N,"message":"..."}</c> as API v3 answers errors.</summary>
    public static IResult ToV3Error<T>(this ChangeResult<T> refusal) => V3Output.Status(StatusCode(refusal.Status), refusal.Message);
}
