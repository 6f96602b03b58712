using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Api.Documents;

/// <summary>
/// The reference's ddata duration processing: of treatments sharing a time only the first
/// counts; a treatment's duration ends where a treatment without duration (an end event), or
/// any later one, begins. Treatments are ddata items (v1 JSON with <c>mills</c>), oldest first.
/// </summary>
public static class TreatmentDurations
{
    private const double MinuteMs = 60_000;

    public static List<JsonObject> Process(IEnumerable<JsonObject> treatments, bool keepZeroDuration)
    {
        var unique = treatments.DistinctBy(Mills).Select(t => (JsonObject)t.DeepClone()).ToList();
        var endEvents = unique.Where(t => Duration(t) == 0).ToList();
        foreach (var end in endEvents)
        {
            foreach (var treatment in unique.Where(t => Duration(t) != 0))
            {
                Cut(treatment, end);
            }
        }

        foreach (var treatment in unique.Where(t => Duration(t) != 0))
        {
            foreach (var other in unique)
            {
                Cut(treatment, other);
            }
        }

        return keepZeroDuration ? unique : unique.Where(t => Duration(t) != 0).ToList();
    }

    private static long Mills(JsonObject treatment) => (long)treatment["mills"]!;

    private static double Duration(JsonObject treatment) => DocumentTime.TryNumber(treatment["duration"], out var minutes) ? minutes : 0;

    // A base running past the start of another ends there; profile switches note who cut whom.
    private static void Cut(JsonObject baseTreatment, JsonObject end)
    {
        var start = Mills(baseTreatment);
        var endMills = Mills(end);
        if (start < endMills && start + (Duration(baseTreatment) * MinuteMs) > endMills)
        {
            baseTreatment["duration"] = (endMills - start) / MinuteMs;
            if (end["profile"] is { } endProfile)
            {
                baseTreatment["cuttedby"] = endProfile.DeepClone();
                end["cutting"] = baseTreatment["profile"]?.DeepClone();
            }
        }
    }
}
