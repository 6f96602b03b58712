using System.Globalization;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.StateSpans;

/// <summary>
/// Spans derived from what AndroidAPS, Loop and Trio really upload (field names as they send
/// them), followed through edits, soft and permanent deletes and re-uploads.
/// </summary>
public sealed class StateSpanUploadTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    internal static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task PostAsync(string site, string secret, string path, object body) =>
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, path, body)).Status);

    private async Task<List<JsonElement>> SpansAsync(string site, string secret, string path) =>
        (await api.GetOkAsync(site, secret, path)).EnumerateArray().OrderBy(s => s.GetProperty("startMills").GetInt64()).ToList();

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    [Fact]
    public async Task AndroidApsUploadsGiveProfileTempTargetTempBasalAndLoopModeSpans()
    {
        var (site, secret) = await api.CreateSiteAsync("aaps");
        var t0 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(6), TimeSpan.Zero);
        await PostAsync(site, secret, "/api/v1/treatments", new object[]
        {
            new { eventType = "Profile Switch", created_at = Iso(t0), profile = "Weekday", percentage = 110, timeshift = 1, duration = 0, enteredBy = "AndroidAPS",
                  isValid = true, originalProfileName = "Weekday", originalPercentage = 110 },
            new { eventType = "Temporary Target", created_at = Iso(t0.AddMinutes(10)), targetBottom = 80, targetTop = 80, duration = 45, reason = "Eating Soon",
                  units = "mg/dl", enteredBy = "AndroidAPS", isValid = true },
            new { eventType = "Temp Basal", created_at = Iso(t0.AddMinutes(20)), absolute = 0.35, rate = 0.35, duration = 30, durationInMilliseconds = 1_800_000,
                  type = "NORMAL", enteredBy = "AndroidAPS", isValid = true, pumpId = 4711, pumpType = "OMNIPOD_DASH" },
            new { eventType = "Temp Basal", created_at = Iso(t0.AddMinutes(35)), absolute = 1.4, rate = 1.4, duration = 60, durationInMilliseconds = 3_600_000,
                  type = "NORMAL", enteredBy = "AndroidAPS", isValid = true, pumpId = 4712, pumpType = "OMNIPOD_DASH" },
            new { eventType = "Temporary Target", created_at = Iso(t0.AddMinutes(40)), duration = 0, enteredBy = "AndroidAPS", isValid = true },
        });
        await PostAsync(site, secret, "/api/v1/devicestatus", new object[]
        {
            new { device = "openaps://samsung SM-G970F", created_at = Iso(t0.AddMinutes(20)),
                  pump = new { clock = Iso(t0.AddMinutes(20)), battery = new { percent = 75 }, reservoir = 120, status = new { status = "normal", timestamp = Iso(t0.AddMinutes(20)) } },
                  openaps = new { suggested = new { bg = 140, rate = 0.35, duration = 30 }, enacted = new { bg = 140, rate = 0.35, duration = 30, received = true }, iob = new { iob = 1.2 } } },
            new { device = "openaps://samsung SM-G970F", created_at = Iso(t0.AddMinutes(25)),
                  pump = new { clock = Iso(t0.AddMinutes(25)), status = new { status = "normal" } },
                  openaps = new { suggested = new { bg = 138 } } },
            new { device = "openaps://samsung SM-G970F", created_at = Iso(t0.AddMinutes(30)),
                  pump = new { clock = Iso(t0.AddMinutes(30)), status = new { status = "suspended" } } },
        });

        var profiles = await SpansAsync(site, secret, "/api/v4/state-spans/profiles");
        var profile = Assert.Single(profiles);
        Assert.Equal(Ms(t0), profile.GetProperty("startMills").GetInt64());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("endMills").ValueKind);
        Assert.Equal("Weekday", profile.GetProperty("metadata").GetProperty("profile").GetString());
        Assert.Equal(110, profile.GetProperty("metadata").GetProperty("percentage").GetDouble());
        Assert.Equal(1, profile.GetProperty("metadata").GetProperty("timeshift").GetDouble());
        Assert.Equal("AndroidAPS", profile.GetProperty("source").GetString());

        // The temp target is an Override, cancelled by the zero-duration target after 30 minutes.
        var target = Assert.Single(await SpansAsync(site, secret, "/api/v4/state-spans/overrides"));
        Assert.Equal("Custom", target.GetProperty("state").GetString());
        Assert.Equal("TemporaryTarget", target.GetProperty("metadata").GetProperty("kind").GetString());
        Assert.Equal(80, target.GetProperty("metadata").GetProperty("targetBottom").GetDouble());
        Assert.Equal(Ms(t0.AddMinutes(40)), target.GetProperty("endMills").GetInt64());

        // The second temp ends the first at its start; the first ran 15 of its 30 minutes.
        var temps = await SpansAsync(site, secret, "/api/v4/state-spans/temp-basals");
        Assert.Equal(2, temps.Count);
        Assert.Equal((Ms(t0.AddMinutes(20)), Ms(t0.AddMinutes(35))), (temps[0].GetProperty("startMills").GetInt64(), temps[0].GetProperty("endMills").GetInt64()));
        Assert.Equal(0.35, temps[0].GetProperty("metadata").GetProperty("rate").GetDouble());
        Assert.Equal(Ms(t0.AddMinutes(95)), temps[1].GetProperty("endMills").GetInt64());

        // Device status: enacted means closed loop; a status without a decision continues it; a suspended pump ends it.
        var modes = await SpansAsync(site, secret, "/api/v4/state-spans/pump-modes");
        Assert.Equal(["Automatic", "Suspended"], modes.Select(m => m.GetProperty("state").GetString()!).ToArray());
        Assert.Equal(Ms(t0.AddMinutes(30)), modes[0].GetProperty("endMills").GetInt64());
        Assert.Equal(JsonValueKind.Null, modes[1].GetProperty("endMills").ValueKind);
        var connectivity = Assert.Single(await SpansAsync(site, secret, "/api/v4/state-spans/connectivity"));
        Assert.Equal("Connected", connectivity.GetProperty("state").GetString());
    }

    [Fact]
    public async Task LoopOverridesFollowEditsAndCancelsAndSuspendsGivePumpModeSpans()
    {
        var (site, secret) = await api.CreateSiteAsync("loop");
        var t0 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(14), TimeSpan.Zero);
        await PostAsync(site, secret, "/api/v1/treatments", new object[]
        {
            new { eventType = "Temporary Override", created_at = Iso(t0), timestamp = Iso(t0), duration = 60, durationType = "finite", reason = "🏃 Running",
                  correctionRange = new[] { 140, 160 }, insulinNeedsScaleFactor = 0.5, enteredBy = "Loop", _id = "0123456789abcdef00000001" },
            new { eventType = "Temporary Override", created_at = Iso(t0.AddHours(3)), duration = 0, durationType = "indefinite", reason = "Sleep",
                  correctionRange = new[] { 100, 110 }, enteredBy = "Loop" },
            new { eventType = "Temporary Override Cancel", created_at = Iso(t0.AddHours(5)), enteredBy = "Loop" },
            new { eventType = "Temp Basal", created_at = Iso(t0.AddMinutes(5)), temp = "absolute", rate = 2.1, absolute = 2.1, duration = 30, enteredBy = "loop://iPhone" },
            new { eventType = "Suspend Pump", created_at = Iso(t0.AddMinutes(20)), enteredBy = "loop://iPhone" },
            new { eventType = "Resume Pump", created_at = Iso(t0.AddMinutes(50)), enteredBy = "loop://iPhone" },
        });
        await PostAsync(site, secret, "/api/v1/devicestatus", new
        {
            device = "loop://iPhone", created_at = Iso(t0.AddMinutes(55)),
            loop = new { name = "Loop", version = "3.4.1", timestamp = Iso(t0.AddMinutes(55)), enacted = new { rate = 0.8, duration = 30, timestamp = Iso(t0.AddMinutes(55)), received = true } },
            pump = new { clock = Iso(t0.AddMinutes(54)), pumpID = "123456", manufacturer = "Insulet", model = "Dash", suspended = false, bolusing = false, reservoir = 50 },
        });

        var overrides = await SpansAsync(site, secret, "/api/v4/state-spans/overrides");
        Assert.Equal(2, overrides.Count);
        Assert.Equal("🏃 Running", overrides[0].GetProperty("metadata").GetProperty("reason").GetString());
        Assert.Equal(0.5, overrides[0].GetProperty("metadata").GetProperty("insulinNeedsScaleFactor").GetDouble());
        Assert.Equal(140, overrides[0].GetProperty("metadata").GetProperty("targetBottom").GetDouble());
        Assert.Equal(Ms(t0.AddHours(1)), overrides[0].GetProperty("endMills").GetInt64());
        // The indefinite override runs until Loop's cancel.
        Assert.Equal(Ms(t0.AddHours(5)), overrides[1].GetProperty("endMills").GetInt64());

        // Loop ends an override early by re-uploading it with the shorter duration.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Put, "/api/v1/treatments", new
        {
            _id = "0123456789abcdef00000001", eventType = "Temporary Override", created_at = Iso(t0), timestamp = Iso(t0), duration = 25, durationType = "finite",
            reason = "🏃 Running", correctionRange = new[] { 140, 160 }, insulinNeedsScaleFactor = 0.5, enteredBy = "Loop",
        })).Status);
        overrides = await SpansAsync(site, secret, "/api/v4/state-spans/overrides");
        Assert.Equal(Ms(t0.AddMinutes(25)), overrides[0].GetProperty("endMills").GetInt64());
        Assert.Equal("0123456789abcdef00000001", overrides[0].GetProperty("originalId").GetString());

        // Deleting the treatment removes its span.
        Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, "/api/v1/treatments/0123456789abcdef00000001")).Status);
        Assert.Single(await SpansAsync(site, secret, "/api/v4/state-spans/overrides"));

        var modes = await SpansAsync(site, secret, "/api/v4/state-spans/pump-modes");
        Assert.Equal(["Suspended", "Automatic"], modes.Select(m => m.GetProperty("state").GetString()!).ToArray());
        Assert.Equal((Ms(t0.AddMinutes(20)), Ms(t0.AddMinutes(50))), (modes[0].GetProperty("startMills").GetInt64(), modes[0].GetProperty("endMills").GetInt64()));
        Assert.Equal(Ms(t0.AddMinutes(55)), modes[1].GetProperty("startMills").GetInt64());
    }

    [Fact]
    public async Task TrioUploadsThroughV3FollowSoftDeletesAndReuploadsMakeNoSecondSpan()
    {
        var (site, secret) = await api.CreateSiteAsync("trio");
        var token = await api.CreateSubjectAsync(site, secret, "trio", "admin");
        var jwt = await api.JwtAsync(site, token);
        var t0 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(9), TimeSpan.Zero);
        async Task<int> V3Async(HttpMethod method, string path, object? body = null)
        {
            var request = MultiSiteApi.SiteRequest(site, method, path, null, body);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
            return (await api.SendAsync(request)).Status;
        }

        var tempTarget = new { identifier = "trio-tt-1", eventType = "Temporary Target", created_at = Iso(t0), date = Ms(t0), targetTop = 150, targetBottom = 150,
            duration = 60, reason = "Exercise", enteredBy = "Trio", app = "Trio", device = "Trio" };
        Assert.Equal(201, await V3Async(HttpMethod.Post, "/api/v3/treatments", tempTarget));
        // Trio uploads again after a restart: the same document, no second span.
        Assert.Contains(await V3Async(HttpMethod.Post, "/api/v3/treatments", tempTarget), new[] { 200, 201 });
        var temp = new { identifier = "trio-tb-1", eventType = "Temp Basal", created_at = Iso(t0.AddMinutes(5)), date = Ms(t0.AddMinutes(5)), rate = 0, absolute = 0,
            duration = 30, temp = "absolute", enteredBy = "Trio", app = "Trio", device = "Trio" };
        Assert.Equal(201, await V3Async(HttpMethod.Post, "/api/v3/treatments", temp));
        await PostAsync(site, secret, "/api/v1/devicestatus", new
        {
            device = "Trio", created_at = Iso(t0.AddMinutes(6)),
            openaps = new { suggested = new { bg = 150 }, enacted = new { bg = 150, rate = 0, duration = 30, received = true } },
            pump = new { clock = Iso(t0.AddMinutes(6)), status = new { status = "normal", bolusing = false, suspended = false } },
        });

        var overrides = await SpansAsync(site, secret, "/api/v4/state-spans?category=Override");
        var single = Assert.Single(overrides);
        Assert.Equal(150, single.GetProperty("metadata").GetProperty("targetTop").GetDouble());
        Assert.Equal(Ms(t0.AddMinutes(60)), single.GetProperty("endMills").GetInt64());
        var tempSpan = Assert.Single(await SpansAsync(site, secret, "/api/v4/state-spans/temp-basals"));
        Assert.Equal(0, tempSpan.GetProperty("metadata").GetProperty("rate").GetDouble());
        Assert.Equal("Automatic", Assert.Single(await SpansAsync(site, secret, "/api/v4/state-spans/pump-modes")).GetProperty("state").GetString());

        // A v3 PATCH shortens the temp; a soft delete removes the temp target's span.
        Assert.Equal(200, await V3Async(HttpMethod.Patch, "/api/v3/treatments/trio-tb-1", new { duration = 10, durationInMilliseconds = 600_000 }));
        Assert.Equal(Ms(t0.AddMinutes(15)), Assert.Single(await SpansAsync(site, secret, "/api/v4/state-spans/temp-basals")).GetProperty("endMills").GetInt64());
        Assert.Equal(200, await V3Async(HttpMethod.Delete, "/api/v3/treatments/trio-tt-1"));
        Assert.Empty(await SpansAsync(site, secret, "/api/v4/state-spans/overrides"));
        // Permanent delete.
        Assert.Equal(200, await V3Async(HttpMethod.Delete, "/api/v3/treatments/trio-tb-1?permanent=true"));
        Assert.Empty(await SpansAsync(site, secret, "/api/v4/state-spans/temp-basals"));
    }

    [Fact]
    public async Task TheSameTempFromTwoUploadersIsOneSpanListingBoth()
    {
        var (site, secret) = await api.CreateSiteAsync("dupl");
        var t0 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(3), TimeSpan.Zero);
        await PostAsync(site, secret, "/api/v1/treatments", new { eventType = "Temp Basal", created_at = Iso(t0), absolute = 0.9, duration = 30, enteredBy = "AndroidAPS" });
        // A second copy under another identifier (a bridge re-uploading through v3).
        var token = await api.CreateSubjectAsync(site, secret, "bridge", "admin");
        var request = MultiSiteApi.SiteRequest(site, HttpMethod.Post, "/api/v3/treatments", null,
            new { identifier = "bridge-copy-1", eventType = "Temp Basal", created_at = Iso(t0), date = Ms(t0), absolute = 0.9, duration = 30, enteredBy = "bridge", app = "bridge" });
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await api.JwtAsync(site, token));
        var (status, _) = await api.SendAsync(request);
        Assert.True(status is 200 or 201, $"v3 create answered {status}");
        var treatments = await api.GetOkAsync(site, secret, "/api/v1/treatments?count=10");
        var temps = await SpansAsync(site, secret, "/api/v4/state-spans/temp-basals");
        var span = Assert.Single(temps);
        if (treatments.GetArrayLength() == 2)
        {
            Assert.Equal(["AndroidAPS", "bridge"], span.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).Order().ToArray());
        }
    }
}
