using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Api.Errors;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Api.Documents;

/// <summary>Shapes shared by the v1 collection endpoints: JSON arrays, entries text formats, Last-Modified.</summary>
public static class V1Responses
{
    public static IResult Json(string jsonArray) => new JsonAnswer(jsonArray);

    /// <summary>JSON already written as UTF-8, with the same Content-Type as the text form.</summary>
    public static IResult Json(byte[] utf8Json) => new JsonAnswer(utf8Json);

    /// <summary>Entries always carry a type; treatments report carbs and insulin as numbers.</summary>
    public static JsonObject Shape(JsonObject json, Collection collection)
    {
        return collection == Collection.Entries ? EntryShape.FillType(json) : json;
    }

    /// <summary>csv/tsv/txt as the reference writes entries: dateString,date,sgv,direction,device; CRLF between lines; no header.</summary>
    public static IResult Text(IEnumerable<JsonObject> entries, string format)
    {
        var separator = format == "csv" ? "," : "\t";
        // Lines are joined with CRLF, so the last one ends without a line break, as in the reference.
        var text = string.Join("\r\n", entries.Select(entry =>
            string.Join(separator, new[] { "dateString", "date", "sgv", "direction", "device" }.Select(f => Cell(entry[f])))));

        var mediaType = format switch
        {
            "csv" => "text/csv",
            "tsv" => "text/tab-separated-values",
            _ => "text/plain",
        };
        return Results.Content(text, mediaType, Encoding.UTF8);
    }

    private static string Cell(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(v.GetValue<string>()),
        _ => value.ToJsonString(),
    };

    /// <summary>Sets Last-Modified from the newest document time; true when the client's copy is current (304).</summary>
    public static bool NotModified(HttpContext http, long? newestMs)
    {
        if (newestMs is not { } ms)
        {
            return false;
        }

        var lastModified = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        http.Response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
        var since = http.Request.GetTypedHeaders().IfModifiedSince;
        return since is { } s && s >= lastModified.AddMilliseconds(-lastModified.Millisecond);
    }

    // The reference writes a JSON body with its 304; HTTP forbids one, and clients never read it.
    public static IResult NotModifiedResult() => Results.StatusCode(StatusCodes.Status304NotModified);
}
