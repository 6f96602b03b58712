namespace Nocturne.Api.Errors;

/// <summary>
/// The error body every Nightscout client understands:
/// <c>{"status":401,"message":"Unauthorized","description":"Invalid/Missing"}</c>.
/// </summary>
public sealed record NightscoutError(int Status, string Message, string? Description = null)
{
    public static IResult Result(int status, string message, string? description = null) =>
        TypedResults.Json(new NightscoutError(status, message, description), NightscoutJson.Options, statusCode: status);
}
