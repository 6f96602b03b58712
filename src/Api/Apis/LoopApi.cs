using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Api.Authorization;
using Nocturne.Api.Documents;
using Nocturne.Api.Errors;
using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.Api.Apis;

/// <summary>
/// v4: the OpenAPS loop (oref0's algorithms in oref-rs) over the site's stored data. What the
/// loop would do now: temp basal, SMB, eventual BG and the four predictions, with the IOB,
/// COB, autosens and glucose status it decided on. Informational: nothing is sent to a pump.
/// </summary>
public static class LoopApi
{
    public static IEndpointRouteBuilder MapLoopApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v4/loop").WithTags("API v4 loop");

        group.MapGet("/suggestion", (Delegate)SuggestionAsync).RequirePermission("api:entries:read", "api:treatments:read", "api:profile:read");
        return app;
    }

    private static async Task<IResult> SuggestionAsync(HttpContext http)
    {
        var text = http.Request.Query["microBolus"].ToString();
        if (text.Length > 0 && !bool.TryParse(text, out _))
        {
            return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "microBolus must be true or false");
        }

        var outcome = await http.Site().Grains.Loop.SuggestAsync(text.Length > 0 && bool.Parse(text));
        if (outcome is null)
        {
            return NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found");
        }

        if (outcome.Result is not { } result)
        {
            return NightscoutError.Result(StatusCodes.Status422UnprocessableEntity, "Unprocessable Entity", outcome.Problem);
        }

        return V1Responses.Json(Shape(result).ToJsonString());
    }

    // oref0's own field names throughout, so that OpenAPS tooling reads it as it reads a rig's files.
    private static JsonObject Shape(OrefLoopResult result) => new()
    {
        ["glucoseStatus"] = JsonSerializer.SerializeToNode(result.GlucoseStatus),
        ["autosens"] = result.Autosens is null ? null : JsonSerializer.SerializeToNode(result.Autosens),
        ["iob"] = JsonSerializer.SerializeToNode(result.Iob),
        ["meal"] = JsonSerializer.SerializeToNode(result.Meal),
        ["suggested"] = JsonNode.Parse(result.Suggested.Json),
    };
}
