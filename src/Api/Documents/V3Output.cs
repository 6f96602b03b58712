using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;

namespace Nocturne.Api.Documents;

/// <summary>v3 replies: the envelope, field projection, and the json / csv / xml renderers.</summary>
public static class V3Output
{
    public static readonly Dictionary<string, string> Formats = new(StringComparer.Ordinal)
    {
        ["json"] = "application/json",
        ["csv"] = "text/csv",
        ["xml"] = "application/xml",
    };

    /// <summary>The format from a path extension or the Accept header; null when none can be served (406).</summary>
    /// <summary>Splits a trailing <c>.json/.csv/.tsv/.txt</c> off a path value (v3 reads and history).</summary>
    public static (string Value, string Format) SplitFormat(string spec)
    {
        var dot = spec.LastIndexOf('.');
        return dot > 0 && spec[(dot + 1)..] is "json" or "csv" or "tsv" or "txt" ? (spec[..dot], spec[(dot + 1)..]) : (spec, "json");
    }

    public static string? Negotiate(HttpRequest request, string? extension)
    {
        if (extension is not null)
        {
            return Formats.ContainsKey(extension) ? extension : null;
        }

        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return "json";
        }

        foreach (var media in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            var type = media.MediaType.Value;
            if (type is "*/*" or "application/*" or "application/json")
            {
                return "json";
            }

            if (type is "text/csv")
            {
                return "csv";
            }

            if (type is "application/xml" or "text/xml")
            {
                return "xml";
            }
        }

        return null;
    }

    public static JsonObject Project(JsonObject doc, string? fields)
    {
        if (string.IsNullOrWhiteSpace(fields) || fields == "_all")
        {
            return doc;
        }

        var projected = new JsonObject();
        foreach (var field in fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (doc[field] is { } value)
            {
                projected[field] = value.DeepClone();
            }
        }

        return projected;
    }

    public static IResult Envelope(JsonNode result, string format, int status = 200) => format switch
    {
        "csv" => Results.Content(Csv(result), "text/csv", Encoding.UTF8, status),
        "xml" => Results.Content(Xml(new JsonObject { ["status"] = status, ["result"] = result.DeepClone() }), "application/xml", Encoding.UTF8, status),
        _ => Results.Content(new JsonObject { ["status"] = status, ["result"] = result.DeepClone() }.ToJsonString(), "application/json", Encoding.UTF8, status),
    };

    public static IResult Status(int status, string? message = null)
    {
        var body = new JsonObject { ["status"] = status };
        if (message is not null)
        {
            body["message"] = message;
        }

        return Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status);
    }

    /// <summary>A write's reply object with its status.</summary>
    public static IResult Reply(JsonObject reply, int status) => Results.Content(reply.ToJsonString(), "application/json", Encoding.UTF8, status);

    public static string HttpDate(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("R", CultureInfo.InvariantCulture);

    public static void SetLastModified(HttpResponse response, long srvModified)
    {
        response.Headers[HeaderNames.LastModified] = HttpDate(srvModified);
        response.Headers[HeaderNames.ETag] = $"W/\"{srvModified}\"";
    }

    private static string Csv(JsonNode result)
    {
        var rows = result is JsonArray array ? array.OfType<JsonObject>().ToList() : result is JsonObject one ? [one] : [];
        if (rows.Count == 0)
        {
            return "";
        }

        var columns = rows[0].Select(p => p.Key).ToList();
        var builder = new StringBuilder().AppendJoin(',', columns.Select(Quote)).Append('\n');
        foreach (var row in rows)
        {
            builder.AppendJoin(',', columns.Select(c => row[c] switch
            {
                null => "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
                var other => Quote(other.ToJsonString()),
            })).Append('\n');
        }

        return builder.ToString();
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string Xml(JsonObject root)
    {
        var builder = new StringBuilder("<?xml version='1.0' encoding='utf-8'?>");
        Write(builder, "item", root);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, string name, JsonNode? node)
    {
        builder.Append('<').Append(name).Append('>');
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Write(builder, XmlName(key), value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Write(builder, "item", item);
                }

                break;
            case JsonValue value:
                builder.Append(WebUtility.HtmlEncode(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()));
                break;
        }

        builder.Append("</").Append(name).Append('>');
    }

    private static string XmlName(string key) =>
        key.Length > 0 && (char.IsLetter(key[0]) || key[0] == '_') && key.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.') ? key : "field";
}
