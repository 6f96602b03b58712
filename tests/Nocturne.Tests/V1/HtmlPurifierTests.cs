using System.Text.Json;
using Nocturne.Grains.Documents;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.V1;

/// <summary>
/// Uploaded strings are cleaned as the reference's DOMPurify cleans them. The expected outputs
/// were produced by DOMPurify 2 (the reference's pin) on jsdom 11.11.0, as its purifier runs.
/// </summary>
public sealed class HtmlPurifierTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    [Theory]
    // The reference's own test string (tests/api.treatments.test.js).
    [InlineData("<IMG SRC=\"javascript:alert('XSS');\">", "<img>")]
    [InlineData("<img src=x onerror=alert(1)>", "<img src=\"x\">")]
    [InlineData("<script>alert(1)</script>hello", "hello")]
    [InlineData("<style>p{}</style>x", "x")]
    [InlineData("<iframe src=x></iframe>y", "y")]
    [InlineData("<noscript>n</noscript>", "")]
    [InlineData("<foo>bar</foo>", "bar")]
    [InlineData("<b>bold</b> text", "<b>bold</b> text")]
    [InlineData("<a href=\"https://x.org\" onclick=\"x()\">link</a>", "<a href=\"https://x.org\">link</a>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>")]
    [InlineData("1 < 2 > 0", "1 &lt; 2 &gt; 0")]
    [InlineData("<p>unclosed", "<p>unclosed</p>")]
    [InlineData("<!-- c -->z", "z")]
    [InlineData("a & b", "a & b")]
    [InlineData("&amp; already", "&amp; already")]
    [InlineData("Note with \"quotes\" and 'single'", "Note with \"quotes\" and 'single'")]
    public void StringsAreCleanedAsDomPurifyCleansThem(string input, string expected) =>
        Assert.Equal(expected, HtmlPurifier.Sanitize(input) ?? input);

    [Fact]
    public async Task TreatmentsEntriesDeviceStatusAndProfilesAreStoredClean()
    {
        var (site, secret) = await api.CreateSiteAsync("purify");
        var now = DateTimeOffset.UtcNow;
        var iso = now.AddMinutes(-5).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff") + "Z";
        var xss = "<img src=x onerror=alert(1)>";
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments",
            new { eventType = "Note", created_at = iso, notes = "<IMG SRC=\"javascript:alert('XSS');\">", enteredBy = xss, insulin = "2.00" });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/entries", new { type = "sgv", sgv = 120, date = now.ToUnixTimeMilliseconds(), device = xss });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/devicestatus", new { device = "phone", created_at = iso, pump = new { status = new { status = xss } } });
        await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/profile", new { defaultProfile = "a<script>x</script>", startDate = iso, store = new { } });

        var treatment = (await api.GetOkAsync(site, secret, "/api/v1/treatments.json"))[0];
        Assert.Equal("<img>", treatment.GetProperty("notes").GetString());
        Assert.Equal("<img src=\"x\">", treatment.GetProperty("enteredBy").GetString());
        Assert.Equal(2, treatment.GetProperty("insulin").GetDouble());
        Assert.Equal("<img src=\"x\">", (await api.GetOkAsync(site, secret, "/api/v1/entries.json"))[0].GetProperty("device").GetString());
        Assert.Equal("<img src=\"x\">", (await api.GetOkAsync(site, secret, "/api/v1/devicestatus.json"))[0]
            .GetProperty("pump").GetProperty("status").GetProperty("status").GetString());
        Assert.Equal("a", (await api.GetOkAsync(site, secret, "/api/v1/profile.json"))[0].GetProperty("defaultProfile").GetString());
        Assert.Equal(JsonValueKind.Object, treatment.ValueKind);
    }
}
