using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Api.Errors;

namespace Nocturne.Api.Documents;

/// <summary>
/// Reads a JSON upload with a size limit (the reference allows 50 MB for entries, treatments and
/// activity, 1 MB elsewhere) and checks that it is UTF-8 JSON that can be stored (<see cref="JsonInput"/>) before
/// anything reaches the writer.
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

        // Sized from Content-Length when it is given; the chunk is pooled, because a fresh 64 KiB per
        // upload was most of what a single-entry POST allocated.
        using var buffer = new MemoryStream(request.ContentLength is { } length and > 0 and <= 1024 * 1024 ? (int)length : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (!JsonInput.TryDecode(bytes, out var text))
        {
            return BadRequest("The body is not valid UTF-8");
        }

        if (JsonInput.IsCertainlyStorable(bytes))
        {
            return new Result(text, null);
        }

        try
        {
            var node = JsonInput.Parse(text, out var problem, out var normalised);
            if (problem is not null)
            {
                return BadRequest(problem);
            }

            return node is JsonObject or JsonArray
                ? new Result(normalised ?? text, null)
                : BadRequest("Body must be a JSON object or an array of objects");
        }
        catch (JsonException ex)
        {
            return BadRequest($"Malformed JSON: {ex.Message}");
        }
    }

    private static Result BadRequest(string description) =>
        new(null, NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", description));

    private static Result TooLarge(long limit) =>
        new(null, NightscoutError.Result(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"Request body exceeds {limit / (1024 * 1024)} MB"), TooLarge: true);
}
