using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.Grains.Oref;

/// <summary>
/// Stored Nightscout documents in the shapes oref0 reads: treatments and readings newest first,
/// the temp basal running now and the active temp target.
/// </summary>
public static class OrefHistory
{
    /// <summary>How far back the loop reads: autosens looks at 24 hours.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(24);

    public static List<OrefTreatment> Treatments(IEnumerable<StoredDocument> treatments) =>
        treatments.OrderByDescending(t => t.DateMs)
            .Select(t => new OrefTreatment
            {
                CreatedAt = (string?)(t.Doc["created_at"] as JsonValue) is { Length: > 0 } created ? created : DocumentTime.Iso(t.DateMs),
                EventType = Text(t.Doc, "eventType"),
                EnteredBy = Text(t.Doc, "enteredBy"),
                Insulin = Number(t.Doc, "insulin"),
                Carbs = Number(t.Doc, "carbs"),
                Duration = Number(t.Doc, "duration"),
                Absolute = Number(t.Doc, "absolute"),
                Rate = Number(t.Doc, "rate"),
                Amount = Number(t.Doc, "amount"),
                Timestamp = Text(t.Doc, "timestamp"),
            })
            .ToList();

    public static List<OrefGlucose> Glucose(IEnumerable<StoredDocument> entries) =>
        entries.OrderByDescending(e => e.DateMs)
            .Where(e => Number(e.Doc, "sgv") is > 0)
            .Select(e => new OrefGlucose(Number(e.Doc, "sgv")!.Value, e.DateMs, DocumentTime.Iso(e.DateMs), Text(e.Doc, "device"), Number(e.Doc, "noise")))
            .ToList();

    /// <summary>The newest temp basal, if it is still running at <paramref name="now"/>.</summary>
    public static OrefCurrentTemp CurrentTemp(IEnumerable<StoredDocument> treatments, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var newest = treatments.Where(t => t.Type == "Temp Basal" && t.DateMs <= nowMs).MaxBy(t => t.DateMs);
        if (newest is null || Number(newest.Doc, "duration") is not { } duration || duration <= 0)
        {
            return OrefCurrentTemp.None;
        }

        var left = Math.Round((newest.DateMs + (duration * 60_000) - nowMs) / 60_000.0);
        var rate = Number(newest.Doc, "absolute") ?? Number(newest.Doc, "rate");
        return left > 0 && rate is { } r ? new OrefCurrentTemp(left, r) : OrefCurrentTemp.None;
    }

    public static List<OrefTempTarget> TempTargets(IEnumerable<StoredDocument> treatments) =>
        treatments.Where(t => t.Type == "Temporary Target")
            .OrderByDescending(t => t.DateMs)
            .Select(t => new OrefTempTarget(DocumentTime.Iso(t.DateMs), Number(t.Doc, "duration") ?? 0, Number(t.Doc, "targetTop") ?? 0, Number(t.Doc, "targetBottom") ?? 0))
            .ToList();

    /// <summary>The temp target in force at <paramref name="now"/>; a zero-duration target cancels.</summary>
    public static OrefTempTarget? ActiveTempTarget(IReadOnlyList<OrefTempTarget> targets, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var target in targets)
        {
            var start = DateTimeOffset.Parse(target.CreatedAt, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            if (start > nowMs)
            {
                continue;
            }

            return target.Duration > 0 && nowMs < start + (target.Duration * 60_000) && target.TargetBottom > 0 && target.TargetTop >= target.TargetBottom ? target : null;
        }

        return null;
    }

    private static string? Text(JsonObject doc, string key) =>
        doc[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Number(JsonObject doc, string key) =>
        doc[key] is { } node && DocumentTime.TryNumber(node, out var value) && double.IsFinite(value) ? value : null;
}
