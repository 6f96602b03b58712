using System.Text;
using Nocturne.Grains.Interfaces.Documents;

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
    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly RecentEntries? _lent;

    public JsonAnswer(string text) => _text = text;

    public JsonAnswer(byte[] utf8) => _utf8 = utf8;

    /// <summary>The window's answer; its lent array (if any) goes back to the pool once written, or if never written.</summary>
    public JsonAnswer(RecentEntries recent) => (_utf8, _lent) = (recent.Utf8Json, recent);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = ContentType;
        if (_text is null)
        {
            response.ContentLength = _utf8.Length;
            // No cancellation token, as the framework's results write: a client gone away is no error of ours.
            return _lent is { IsLent: true } ? WriteLentAsync(response) : response.Body.WriteAsync(_utf8).AsTask();
        }

        response.ContentLength = Encoding.UTF8.GetByteCount(_text!);
        return response.WriteAsync(_text!, Encoding.UTF8);
    }

    // The write copies the bytes into Kestrel's own buffers before it completes: the array is free after it, or after it failed.
    private async Task WriteLentAsync(HttpResponse response)
    {
        try
        {
            await response.Body.WriteAsync(_utf8);
        }
        finally
        {
            _lent!.Release();
        }
    }
}
