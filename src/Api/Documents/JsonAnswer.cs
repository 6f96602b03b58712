using System.Text;

namespace Nocturne.Api.Documents;

/// <summary>
/// A finished JSON answer (text or UTF-8 bytes) written as it is, with the same headers as
/// <c>Results.Content(json, "application/json", UTF8)</c> and <c>Results.Bytes</c> gave it
/// (<c>Content-Type: application/json; charset=utf-8</c>, <c>Content-Length</c>), without
/// their per-request work: parsing the content type back for its encoding and resolving a
/// logger from the request's services.
/// </summary>
public sealed class JsonAnswer : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    private readonly string? _text;
    private readonly byte[]? _utf8;

    public JsonAnswer(string text) => _text = text;

    public JsonAnswer(byte[] utf8) => _utf8 = utf8;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = ContentType;
        if (_utf8 is not null)
        {
            response.ContentLength = _utf8.Length;
            // No cancellation token, as the framework's results write: a client gone away is no error of ours.
            return response.Body.WriteAsync(_utf8, 0, _utf8.Length);
        }

        response.ContentLength = Encoding.UTF8.GetByteCount(_text!);
        return response.WriteAsync(_text!, Encoding.UTF8);
    }
}
