using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;
using static Nocturne.Grains.Connectors.Sources.VendorJson;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// MyFitnessPal's food diary, as documented in docs/connectors/myfitnesspal.md: the mobile app's
/// OAuth password grant, then the diary day by day over the last week. Each meal of a day becomes
/// one treatment with its carbs, fat, protein and energy; the week is read whole every time, so an
/// edited or deleted diary entry changes or removes the meal here.
/// </summary>
public sealed class MyFitnessPalSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    public const string ClientId = "mfp-mobile-android-google";

    private static readonly TimeSpan LookBack = TimeSpan.FromDays(7);

    // The diary has days, not times: each meal is placed at its usual local time.
    private static readonly Dictionary<string, TimeSpan> MealTimes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Breakfast"] = new(8, 0, 0),
        ["Lunch"] = new(12, 30, 0),
        ["Snacks"] = new(15, 30, 0),
        ["Dinner"] = new(18, 30, 0),
    };

    public string Kind => ConnectorKinds.MyFitnessPal;

    public string Device => "nocturne-myfitnesspal";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(15);

    public TimeSpan MaxLookBack => LookBack;

    // The whole week is read each time; there is no reading to measure a gap from.
    public IReadOnlyList<Collection> GapCollections { get; } = [];

    public string? Validate(ConnectorSettings settings) =>
        string.IsNullOrWhiteSpace(settings.Username) ? "username (the MyFitnessPal user name or e-mail) is required"
        : string.IsNullOrEmpty(settings.Password) ? "password is required"
        : LocalClock.Problem(settings.TimeZone, "MyFitnessPal");

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Base(), "v2/oauth2/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["client_id"] = ClientId,
                ["username"] = context.Settings.Username!,
                ["password"] = context.Settings.Password!,
            }),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Options.Set(ConnectorHttp.NoStatusRetry, true);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        if (answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new VendorPermanentException("MyFitnessPal refused the login: check the user name and password");
        }

        if (!answer.IsSuccess)
        {
            throw new HttpRequestException($"MyFitnessPal login: HTTP {(int)answer.Status}", null, answer.Status);
        }

        var tokens = answer.Expect<JsonObject>("login");
        var access = Text(tokens["access_token"]) ?? throw new VendorProtocolException("MyFitnessPal token answer has no access_token");
        var user = Text(tokens["user_id"]) ?? throw new VendorProtocolException("MyFitnessPal token answer has no user_id");
        DateTimeOffset? expires = Number(tokens["expires_in"]) is { } seconds ? context.Time.GetUtcNow().AddSeconds(seconds) : null;
        return new VendorSession(access, expires, new Dictionary<string, string> { ["userId"] = user });
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(context.Settings.TimeZone!);
        var now = window.Now.ToUnixTimeMilliseconds();
        var today = LocalClock.Wall(now, zone).Date;
        var firstDay = LocalClock.Wall(window.Earliest, zone).Date;
        if (firstDay < today)
        {
            // A partial first day would make the range incomplete for deletions.
            firstDay = firstDay.AddDays(1);
        }

        var batch = new SourceBatch { Mode = WriteMode.SyncChanges };
        for (var day = firstDay; day <= today; day = day.AddDays(1))
        {
            var items = await DayAsync(context, session, day, cancellationToken);
            foreach (var group in items.GroupBy(i => Text(i["meal_name"]) ?? "Snacks", StringComparer.OrdinalIgnoreCase))
            {
                // A meal logged ahead of its time is written when its time has come.
                if (Meal(day, group.Key, group.ToList(), zone) is var meal && ConnectorTreatment.Ms(meal) <= now)
                {
                    batch.Add(Collection.Treatments, meal);
                }
            }
        }

        // The days read are complete: a meal of ours in them that the diary no longer has was deleted there.
        batch.CompleteBetween(Collection.Treatments, LocalClock.ToUtc(firstDay, zone).Ms, LocalClock.ToUtc(today.AddDays(1), zone).Ms - 1);
        return batch;
    }

    private JsonObject Meal(DateTime day, string name, List<JsonObject> items, TimeZoneInfo zone)
    {
        var at = LocalClock.ToUtc(day + MealTime(name), zone);
        var meal = ConnectorTreatment.Create(Device, $"{day:yyyy-MM-dd}_{name.ToLowerInvariant()}", "Meal", at.Ms, at.Offset);
        double Sum(string nutrient) => Math.Round(items.Sum(i => Number(i["nutritional_contents"]?[nutrient]) ?? 0), 1);
        meal["carbs"] = Sum("carbohydrates");
        meal["fat"] = Sum("fat");
        meal["protein"] = Sum("protein");
        // Energy comes as {unit, value}; kilojoules are converted to kcal.
        meal["energy"] = Math.Round(items.Sum(i => i["nutritional_contents"]?["energy"] is JsonObject energy
            ? (Number(energy["value"]) ?? 0) / (Text(energy["unit"]) == "kilojoules" ? 4.184 : 1)
            : 0));
        meal["mealName"] = name;
        meal["notes"] = string.Join(", ", items.Select(i => Text(i["food"]?["description"])).Where(d => d is not null));
        return meal;
    }

    private static TimeSpan MealTime(string name) =>
        MealTimes.TryGetValue(name, out var time) ? time : new TimeSpan(20, 0, 0).Add(TimeSpan.FromMinutes(name.ToUpperInvariant().Sum(c => c) % 60));

    private async Task<List<JsonObject>> DayAsync(ConnectorContext context, VendorSession session, DateTime day, CancellationToken cancellationToken)
    {
        var uri = new Uri(Base(), $"v2/diary?entry_date={day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&types=food_entry&fields%5B%5D=nutritional_contents&fields%5B%5D=food");
        using var request = VendorAnswer.Json(HttpMethod.Get, uri, null);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.Token);
        request.Headers.Add("mfp-client-id", ClientId);
        request.Headers.Add("mfp-user-id", session.Fact("userId"));
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        switch (answer.Status)
        {
            case HttpStatusCode.Unauthorized:
                throw new VendorSessionExpiredException("MyFitnessPal: HTTP 401");
            case HttpStatusCode.Forbidden:
                throw new VendorPermanentException("MyFitnessPal refused the diary: this account may not read it");
            case var status when !answer.IsSuccess:
                throw new HttpRequestException($"MyFitnessPal diary: HTTP {(int)status}", null, status);
        }

        var items = answer.Expect<JsonObject>("diary")["items"] as JsonArray ?? throw new VendorProtocolException("MyFitnessPal diary answer has no items");
        return items.OfType<JsonObject>().Where(i => Text(i["type"]) is null or "food_entry").ToList();
    }

    private Uri Base() => options.Value.BaseUri(Kind, "global", "https://api.myfitnesspal.com/");
}
