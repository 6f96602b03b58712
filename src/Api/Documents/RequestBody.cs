using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Api.Errors;

namespace Nocturne.Api.Documents;

/// <summary>
/// Reads a JSON upload with a size limit (the reference allows 50 MB for entries, treatments and
/// activity, 1 MB elsewhere) and checks that it is JSON before anything reaches the writer.
/// </summary>
public static class RequestBody
{
    public const long LargeLimit = 50L * 1024 * 1024;
    public const long SmallLimit = 1L * 1024 * 1024;

    public sealed record Result(string? Json, IResult? Error, bool TooLarge = false);

    public static async Task<Result> ReadJsonAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        try
        {
            var node = JsonNode.Parse(text);
            return node is JsonObject or JsonArray
                ? new Result(text, null)
                : new Result(null, NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "Body must be a JSON object or an array of objects"));
        }
        catch (JsonException ex)
        {
            return new Result(null, NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", $"Malformed JSON: {ex.Message}"));
        }
    }

    private static Result TooLarge(long limit) =>
        new(null, NightscoutError.Result(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"Request body exceeds {limit / (1024 * 1024)} MB"), TooLarge: true);
}
