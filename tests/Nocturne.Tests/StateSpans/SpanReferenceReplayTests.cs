using System.Globalization;
using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.StateSpans;

/// <summary>
/// Random sequences of treatment uploads (out of order, re-uploads, edits that move or change a
/// treatment, deletions) through the v1 and v3 APIs: the spans the server keeps up to date one
/// change at a time must equal a plain replay of the treatments that remain, written here
/// independently, and must never overlap within an exclusive category.
/// </summary>
public sealed class SpanReferenceReplayTests(MultiSiteApi api) : IClassFixture<MultiSiteApi>
{
    private sealed record Treatment(string Id, string Category, string EventType, long AtMs, int DurationMinutes, double Value)
    {
        public bool IsCancel => DurationMinutes == 0 && EventType != "Profile Switch";
    }

    private sealed record Expected(long Start, long? End, string State, string OriginalId);

    private static readonly (string Category, string EventType)[] Kinds =
    [
        ("TempBasal", "Temp Basal"),
        ("Override", "Temporary Target"),
        ("Override", "Temporary Override"),
        ("Override", "Temporary Override Cancel"),
        ("Profile", "Profile Switch"),
    ];

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static object Body(Treatment t) => t.EventType switch
    {
        "Temp Basal" => new { _id = t.Id, eventType = t.EventType, created_at = Iso(t.AtMs), duration = t.DurationMinutes, absolute = t.Value, rate = t.Value, enteredBy = "test" },
        "Temporary Target" => new { _id = t.Id, eventType = t.EventType, created_at = Iso(t.AtMs), duration = t.DurationMinutes, targetBottom = t.Value, targetTop = t.Value, units = "mg/dl", enteredBy = "test" },
        "Temporary Override" => (object)new { _id = t.Id, eventType = t.EventType, created_at = Iso(t.AtMs), duration = t.DurationMinutes, reason = "r" + t.Value, correctionRange = new[] { t.Value, t.Value + 10 }, enteredBy = "test" },
        "Profile Switch" => new { _id = t.Id, eventType = t.EventType, created_at = Iso(t.AtMs), duration = t.DurationMinutes, profile = "P" + t.Value, percentage = 100, enteredBy = "test" },
        _ => new { _id = t.Id, eventType = t.EventType, created_at = Iso(t.AtMs), enteredBy = "test" },
    };

    // The replay every exclusive category follows, written plainly: sorted by time, a cancel ends
    // the running span (a temp basal cut short is Cancelled), a new one ends it and takes over, a
    // span with a duration stops by itself; nothing of zero length.
    private static List<Expected> Reference(string category, IEnumerable<Treatment> treatments)
    {
        var result = new List<Expected>();
        (Treatment T, long? Planned)? running = null;
        void Close(long? end, bool cancelled)
        {
            var (t, _) = running!.Value;
            if (end is null || end > t.AtMs)
            {
                result.Add(new Expected(t.AtMs, end, cancelled ? "Cancelled" : category == "Override" ? "Custom" : "Active", t.Id));
            }

            running = null;
        }

        foreach (var t in treatments.Where(t => t.Category == category).OrderBy(t => t.AtMs))
        {
            if (running is { Planned: { } planned } && planned <= t.AtMs)
            {
                Close(planned, false);
            }

            if (t.IsCancel)
            {
                if (running is { } r)
                {
                    Close(t.AtMs, category == "TempBasal" && r.Planned is { } p && p > t.AtMs);
                }

                continue;
            }

            if (running is not null)
            {
                Close(t.AtMs, false);
            }

            running = (t, t.DurationMinutes > 0 ? t.AtMs + (t.DurationMinutes * 60_000L) : null);
        }

        if (running is { } last)
        {
            Close(last.Planned, false);
        }

        return result;
    }

    private async Task<List<Expected>> ServerSpansAsync(string site, string secret, string category)
    {
        var body = await api.GetOkAsync(site, secret, $"/api/v4/state-spans?category={category}&count=10000");
        return body.EnumerateArray()
            .Select(s => new Expected(s.GetProperty("startMills").GetInt64(), s.GetProperty("endMills").ValueKind == JsonValueKind.Null ? null : s.GetProperty("endMills").GetInt64(),
                s.GetProperty("state").GetString()!, s.GetProperty("originalId").GetString()!))
            .OrderBy(s => s.Start).ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task IncrementalSpansEqualAPlainReplayOfWhatRemains(int seed)
    {
        var (site, secret) = await api.CreateSiteAsync("spans-rand");
        var random = new Random(seed);
        var day = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var kept = new Dictionary<string, Treatment>();
        var usedMinutes = new HashSet<(string, long)>();

        long FreeMinute(string category)
        {
            while (true)
            {
                var at = day + (random.Next(0, 24 * 60) * 60_000L);
                if (usedMinutes.Add((category, at)))
                {
                    return at;
                }
            }
        }

        Treatment NewTreatment(string? id = null, string? category = null)
        {
            var candidates = Kinds.Where(k => category is null || k.Category == category).ToArray();
            var (cat, type) = candidates[random.Next(candidates.Length)];
            var duration = type == "Temporary Override Cancel" ? 0 : random.Next(0, 5) == 0 ? 0 : random.Next(5, 240);
            return new Treatment(id ?? Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..24], cat, type, FreeMinute(cat), duration, random.Next(1, 30) / 10.0 * 100);
        }

        for (var step = 0; step < 70; step++)
        {
            var roll = random.Next(100);
            if (roll < 50 || kept.Count < 3)
            {
                // A batch of new treatments, in no particular time order.
                var batch = Enumerable.Range(0, random.Next(1, 4)).Select(_ => NewTreatment()).ToList();
                var (status, _) = await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", batch.Select(Body).ToArray());
                Assert.Equal(200, status);
                batch.ForEach(t => kept[t.Id] = t);
            }
            else if (roll < 62)
            {
                // The same treatment uploaded again: no second span.
                var again = kept.Values.ElementAt(random.Next(kept.Count));
                Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Post, "/api/v1/treatments", new[] { Body(again) })).Status);
            }
            else if (roll < 82)
            {
                // An edit: new time, duration, value or even type, same _id.
                var old = kept.Values.ElementAt(random.Next(kept.Count));
                usedMinutes.Remove((old.Category, old.AtMs));
                var edited = NewTreatment(old.Id, random.Next(4) == 0 ? null : old.Category);
                Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Put, "/api/v1/treatments", Body(edited))).Status);
                kept[old.Id] = edited;
            }
            else
            {
                var gone = kept.Values.ElementAt(random.Next(kept.Count));
                Assert.Equal(200, (await api.SendAsAdminAsync(site, secret, HttpMethod.Delete, $"/api/v1/treatments/{gone.Id}")).Status);
                kept.Remove(gone.Id);
                usedMinutes.Remove((gone.Category, gone.AtMs));
            }

            if (step % 10 == 9 || step == 69)
            {
                foreach (var category in new[] { "TempBasal", "Override", "Profile" })
                {
                    var server = await ServerSpansAsync(site, secret, category);
                    var expected = Reference(category, kept.Values);
                    Assert.True(expected.SequenceEqual(server),
                        $"{category} at step {step}:\nexpected\n{string.Join("\n", expected)}\nserver\n{string.Join("\n", server)}");
                    for (var i = 1; i < server.Count; i++)
                    {
                        Assert.True(server[i - 1].End is { } end && end <= server[i].Start, $"{category} spans overlap at step {step}");
                    }
                }
            }
        }
    }
}
