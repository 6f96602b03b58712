using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.WebApp;

/// <summary>
/// The web app in a real headless browser (Debian's chromium via playwright-core from npm,
/// installed by deploy/local/test.sh), against the API on Kestrel in multi-site mode under
/// <c>/t/{site}/</c>. tests/browser/web-app.mjs drives the page and reports what it shows.
/// </summary>
public sealed class WebAppBrowserTests
{
    [Fact]
    public async Task AFollowerSignsInWithATokenAndSeesTheLiveChart()
    {
        await using var server = await KestrelApi.StartAsync(s => s["WebApp:Root"] = Path.Combine(TestServices.RepositoryRoot, "web", "dist"));
        var (http, port) = (server.Http, server.Port);

        var site = $"web-{Guid.NewGuid():N}"[..16];
        var secret = $"secret-of-{site}";
        // Threshold alarms ("simple", as ALARM_TYPES=simple in the reference) so that a low reading alarms at once.
        using (var create = MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = site, displayName = site, apiSecret = secret, settings = new { alarmTypes = new[] { "simple" } } }))
        {
            Assert.True((await http.SendAsync(create)).IsSuccessStatusCode);
        }

        var apiSecret = MultiSiteApi.Sha1(secret);
        var token = await CreateFollowerTokenAsync(http, site, apiSecret);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // 24 h of readings every 5 minutes, the newest 150 mg/dL and rising by 4 (delta +4, in range).
        var readings = Enumerable.Range(0, 288).Select(i => new { type = "sgv", sgv = 150 - 4 * i, direction = "Flat", date = now - i * 300_000L - 60_000, device = "fixture" })
            .Select(r => r with { sgv = Math.Max(90, r.sgv) }).ToArray();
        await PostAsync(http, site, apiSecret, "/api/v1/entries", readings);

        var properties = await GetAsync(http, site, apiSecret, "/api/v2/properties/bgnow,delta");
        var report = await RunBrowserAsync("web-app.mjs", new Dictionary<string, string>
        {
            ["SITE_URL"] = $"http://127.0.0.1:{port}/t/{site}/",
            ["TOKEN"] = token,
            ["API_SECRET_SHA1"] = apiSecret,
            ["LOW_MGDL"] = "45",
        });

        // A wrong token is refused.
        var wrong = report.GetProperty("wrongToken");
        Assert.True(wrong.GetProperty("signInVisible").GetBoolean());
        Assert.False(wrong.GetProperty("mainVisible").GetBoolean());
        Assert.Contains("not valid", wrong.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Signed in: the number, arrow and delta are the API's; the token left the URL and storage.
        var shown = report.GetProperty("signedIn");
        Assert.DoesNotContain("token=", shown.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, shown.GetProperty("storage").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, shown.GetProperty("storage").GetString(), StringComparison.Ordinal);
        Assert.Equal(properties.GetProperty("bgnow").GetProperty("last").GetDouble().ToString(CultureInfo.InvariantCulture), shown.GetProperty("bg").GetString());
        Assert.Equal("+" + properties.GetProperty("delta").GetProperty("mgdl").GetDouble().ToString(CultureInfo.InvariantCulture), shown.GetProperty("delta").GetString());
        Assert.Equal("→", shown.GetProperty("arrow").GetString());
        Assert.Equal("mg/dL", shown.GetProperty("units").GetString());
        Assert.Equal("in-range", shown.GetProperty("range").GetString());
        Assert.Equal(288, shown.GetProperty("chartPoints").GetInt32());
        Assert.Equal("live", report.GetProperty("connection").GetString());

        // A reading posted through the API shows without a reload, within 2 s.
        var live = report.GetProperty("live");
        Assert.Equal("123", live.GetProperty("bg").GetString());
        Assert.Equal("↗", live.GetProperty("arrow").GetString());
        Assert.True(live.GetProperty("afterMs").GetInt32() < 2000, $"the new reading took {live.GetProperty("afterMs").GetInt32()} ms");

        // An urgent low shows the urgent banner; snoozing hides it.
        var alarm = report.GetProperty("alarm");
        Assert.True(alarm.GetProperty("shown").GetBoolean(), "no alarm banner for an urgent low");
        Assert.Equal("urgent", alarm.GetProperty("level").GetString());
        Assert.True(alarm.GetProperty("hiddenAfterSnooze").GetBoolean());

        // The screenshots show the page as laid out: readings drawn in range colour, the number on
        // screen, no sideways scrolling on a phone, and a dark page in night mode.
        var desktop = report.GetProperty("desktop");
        Assert.Equal(1280, desktop.GetProperty("pixels").GetProperty("width").GetInt32());
        Assert.True(desktop.GetProperty("pixels").GetProperty("colourPixels").GetInt32() > 500, "no in-range readings drawn on the desktop chart");
        Assert.True(desktop.GetProperty("pixels").GetProperty("meanLuminance").GetDouble() > 180, "the day page is not light");
        AssertFitsTheScreen(desktop.GetProperty("layout"));
        var phone = report.GetProperty("phone");
        Assert.True(phone.GetProperty("night").GetBoolean());
        Assert.Equal(780, phone.GetProperty("pixels").GetProperty("width").GetInt32()); // 390 CSS px at 2x
        Assert.True(phone.GetProperty("pixels").GetProperty("colourPixels").GetInt32() > 200, "no in-range readings drawn on the phone chart");
        Assert.True(phone.GetProperty("pixels").GetProperty("meanLuminance").GetDouble() < 60, "night mode is not dark");
        AssertFitsTheScreen(phone.GetProperty("layout"));
        Assert.Empty(report.GetProperty("consoleErrors").EnumerateArray());
    }

    [Fact]
    public async Task AClinicBoardShowsAPatientsUrgentLowAndARevocationWithoutReload()
    {
        await using var server = await KestrelApi.StartAsync(s => s["WebApp:Root"] = Path.Combine(TestServices.RepositoryRoot, "web", "dist"));
        var (http, port) = (server.Http, server.Port);

        var clinic = $"clin-{Guid.NewGuid():N}"[..16];
        var clinicSecret = MultiSiteApi.Sha1($"secret-of-{clinic}");
        using (var create = MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/clinics", new { id = clinic, displayName = "Diabetes clinic", apiSecret = $"secret-of-{clinic}" }))
        {
            Assert.True((await http.SendAsync(create)).IsSuccessStatusCode);
        }

        var patient = $"pat-{Guid.NewGuid():N}"[..16];
        var patientSecret = MultiSiteApi.Sha1($"secret-of-{patient}");
        using (var create = MultiSiteApi.OperatorRequest(HttpMethod.Post, "/api/admin/tenants", new { id = patient, displayName = "Sam", apiSecret = $"secret-of-{patient}" }))
        {
            Assert.True((await http.SendAsync(create)).IsSuccessStatusCode);
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await PostAsync(http, patient, patientSecret, "/api/v1/entries", Enumerable.Range(0, 12).Select(i => new { type = "sgv", sgv = 120, direction = "Flat", date = now - i * 300_000L - 60_000 }).ToArray());
        using (var invite = MultiSiteApi.SiteRequest(patient, HttpMethod.Post, "/api/v4/clinic-shares/invitations", patientSecret, new { expiresInHours = 1 }))
        using (var invited = await http.SendAsync(invite))
        {
            var code = (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
            await PostAsync(http, clinic, clinicSecret, "/api/v4/clinic/invitations/accept", new { code });
        }

        var report = await RunBrowserAsync("clinic-board.mjs", new Dictionary<string, string>
        {
            ["CLINIC_URL"] = $"http://127.0.0.1:{port}/t/{clinic}/",
            ["PATIENT_URL"] = $"http://127.0.0.1:{port}/t/{patient}/",
            ["STAFF_TOKEN"] = await CreateFollowerTokenAsync(http, clinic, clinicSecret),
            ["PATIENT_SITE"] = patient,
            ["PATIENT_SECRET_SHA1"] = patientSecret,
            ["CLINIC_SITE"] = clinic,
        });

        var before = report.GetProperty("before");
        Assert.Equal(1, before.GetProperty("rows").GetInt32());
        Assert.Equal("Sam", before.GetProperty("cells")[0].GetString());
        Assert.Equal("120", before.GetProperty("cells")[1].GetString());
        Assert.Equal("InRange", before.GetProperty("urgency").GetString());
        Assert.Equal("live", report.GetProperty("connection").GetString());

        var live = report.GetProperty("live");
        Assert.Equal("UrgentLow", live.GetProperty("urgency").GetString());
        Assert.Equal("48", live.GetProperty("cells")[1].GetString());
        Assert.Equal("⇊", live.GetProperty("cells")[2].GetString());
        Assert.True(live.GetProperty("afterMs").GetInt32() < 2000, $"the urgent low took {live.GetProperty("afterMs").GetInt32()} ms to reach the board");

        Assert.True(report.GetProperty("revoked").GetProperty("gone").GetBoolean(), "the revoked patient stayed on the open board");
        Assert.True(report.GetProperty("revoked").GetProperty("afterMs").GetInt32() < 2000);
        Assert.Empty(report.GetProperty("consoleErrors").EnumerateArray());
    }

    private static void AssertFitsTheScreen(JsonElement layout)
    {
        var width = layout.GetProperty("viewportWidth").GetDouble();
        Assert.True(layout.GetProperty("scrollWidth").GetDouble() <= width, "the page scrolls sideways");
        var bg = layout.GetProperty("bg");
        Assert.True(bg.GetProperty("left").GetDouble() >= 0 && bg.GetProperty("right").GetDouble() <= width, "the current value is cut off");
        Assert.True(bg.GetProperty("bottom").GetDouble() <= layout.GetProperty("viewportHeight").GetDouble(), "the current value is below the fold");
        Assert.True(layout.GetProperty("chart").GetProperty("width").GetDouble() <= width);
        Assert.True(layout.GetProperty("chart").GetProperty("height").GetDouble() > 150, "the chart is not drawn");
    }

    private static async Task<string> CreateFollowerTokenAsync(HttpClient http, string site, string apiSecret)
    {
        using var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v2/authorization/subjects", apiSecret, new { name = "follower", roles = new[] { "readable" } });
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task PostAsync(HttpClient http, string site, string apiSecret, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{site}{path}") { Content = JsonContent.Create(body) };
        request.Headers.Add("api-secret", apiSecret);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string site, string apiSecret, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/t/{site}{path}");
        request.Headers.Add("api-secret", apiSecret);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> RunBrowserAsync(string script, Dictionary<string, string> environment)
    {
        var playwright = Environment.GetEnvironmentVariable("NOCTURNE_PLAYWRIGHT");
        var chromium = Environment.GetEnvironmentVariable("NOCTURNE_CHROMIUM");
        Assert.False(string.IsNullOrEmpty(playwright) || !Directory.Exists(playwright), "playwright-core is not installed (deploy/local/test.sh installs it)");
        Assert.False(string.IsNullOrEmpty(chromium) || !File.Exists(chromium), "chromium is not installed (deploy/local/test.sh installs it)");
        var start = new ProcessStartInfo("node", [Path.Combine(TestServices.RepositoryRoot, "tests", "browser", script)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NOCTURNE_PLAYWRIGHT"] = playwright;
        start.Environment["NOCTURNE_CHROMIUM"] = chromium;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the browser run failed: {await errors}");
        var last = (await output).Trim().Split('\n')[^1];
        // Kept beside the test results: what the browser saw, for whoever reads a failure.
        if (Environment.GetEnvironmentVariable("NOCTURNE_TEST_DATA") is { Length: > 0 } data)
        {
            await File.WriteAllTextAsync(Path.Combine(data, Path.ChangeExtension(script, ".json")), last);
        }

        return JsonDocument.Parse(last).RootElement.Clone();
    }
}
