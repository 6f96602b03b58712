using System.Text.Json;
using System.Text.Json.Nodes;
using Ganss.Xss;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Removes active HTML from uploaded strings before they are stored, as the reference does with
/// DOMPurify for entries, treatments, devicestatus and profile: Nightscout's own pages and many
/// followers render notes and names as HTML. Configured to give DOMPurify's results:
/// a string without <c>&lt;</c> is left exactly as it is (DOMPurify returns it untouched, so
/// <c>a &amp; b</c> stays readable), the content of a removed harmless tag is kept
/// (<c>&lt;foo&gt;bar&lt;/foo&gt;</c> is <c>bar</c>), and scripts, styles and frames go with
/// their content.
/// </summary>
public static class HtmlPurifier
{
    private static readonly HashSet<Collection> Purified = [Collection.Entries, Collection.Treatments, Collection.DeviceStatus, Collection.Profile];

    // Elements whose content DOMPurify drops with them (its FORBID_CONTENTS defaults that HTML parsing can produce here).
    private static readonly HashSet<string> DroppedWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "iframe", "noscript", "noembed", "noframes", "template", "title", "xmp", "plaintext", "audio", "video", "head",
    };

    // Thread-safe once configured: only Sanitize is called after construction.
    private static readonly HtmlSanitizer Sanitizer = Create();

    public static bool Applies(Collection collection) => Purified.Contains(collection);

    /// <summary>Sanitises every string value (not the keys) of the documents in place.</summary>
    public static void Purify(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                // Changed strings are set after the walk (an object cannot change while it is walked);
                // nearly every upload changes none, so no copy of its fields is made.
                List<(string Key, string Clean)>? cleaned = null;
                foreach (var (key, value) in o)
                {
                    if (Clean(value) is { } clean)
                    {
                        (cleaned ??= []).Add((key, clean));
                    }
                    else
                    {
                        Purify(value);
                    }
                }

                foreach (var (key, clean) in cleaned ?? [])
                {
                    o[key] = clean;
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (Clean(a[i]) is { } clean)
                    {
                        a[i] = clean;
                    }
                    else
                    {
                        Purify(a[i]);
                    }
                }

                break;
        }
    }

    /// <summary>The sanitised text when a string value changes, otherwise null.</summary>
    public static string? Sanitize(string text)
    {
        if (!text.Contains('<', StringComparison.Ordinal))
        {
            return null;
        }

        var clean = Sanitizer.Sanitize(text);
        return clean == text ? null : clean;
    }

    private static string? Clean(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Sanitize(v.GetValue<string>()) : null;

    private static HtmlSanitizer Create()
    {
        var sanitizer = new HtmlSanitizer { KeepChildNodes = true };
        sanitizer.RemovingTag += (_, e) =>
        {
            if (DroppedWithContent.Contains(e.Tag.LocalName))
            {
                // Empty it first so that KeepChildNodes keeps nothing of it.
                e.Tag.InnerHtml = "";
            }
        };
        return sanitizer;
    }
}
