using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Api.Documents;
using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Api.Authorization;

/// <summary>
/// The reference also accepts <c>secret</c> and <c>token</c> inside a JSON body (the object, or
/// the first element of an array) and deletes them before the document is stored. Read only when
/// the request carries no other credential, so that uploaders that authenticate by header never
/// have their bodies parsed twice, and only from bodies up to 1 MB, so that an anonymous caller
/// cannot make the server buffer and parse 50 MB before it is refused.
/// </summary>
public static class BodyCredentials
{
    private const string SecretField = "secret";
    private const string TokenField = "token";

    public static async Task<Credentials> ApplyAsync(HttpRequest request, Credentials credentials, CancellationToken cancellationToken)
    {
        if (!credentials.IsEmpty || request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true
            || request.ContentLength > RequestBody.SmallLimit)
        {
            return credentials;
        }

        request.EnableBuffering();
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > RequestBody.SmallLimit)
            {
                // Not inspected: without another credential the request stays anonymous.
                request.Body.Position = 0;
                return credentials;
            }

            buffer.Write(chunk, 0, read);
        }

        request.Body.Position = 0;
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.IndexOf("\"secret\""u8) < 0 && bytes.IndexOf("\"token\""u8) < 0)
        {
            return credentials;
        }

        JsonNode? body;
        try
        {
            body = Nocturne.Grains.Documents.LastValueWinsJson.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), out _);
        }
        catch (JsonException)
        {
            return credentials;
        }

        if (JsonInput.Problem(body) is not null)
        {
            // Left as it is: the route refuses the body with 400 and nothing authenticates from it.
            return credentials;
        }

        var holder = body switch
        {
            JsonObject o => o,
            JsonArray { Count: > 0 } a => a[0] as JsonObject,
            _ => null,
        };
        var secret = Take(holder, SecretField);
        var token = Take(holder, TokenField);
        if (secret is null && token is null)
        {
            return credentials;
        }

        var rewritten = Encoding.UTF8.GetBytes(body!.ToJsonString());
        request.Body = new MemoryStream(rewritten);
        request.ContentLength = rewritten.Length;
        return credentials with { ApiSecret = secret, Token = token };
    }

    private static string? Take(JsonObject? holder, string field)
    {
        if (holder?[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
        {
            holder.Remove(field);
            return text.Trim();
        }

        return null;
    }
}
