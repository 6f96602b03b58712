using System.Globalization;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;

namespace Nocturne.OrefBench;

/// <summary>The inputs of oref0's scenarios (oref-rs/tests/vectors/loop.json) as requests.</summary>
public sealed record Scenarios(DetermineBasalRequest DetermineBasal, SuggestRequest Suggest)
{
    public static List<Scenarios> Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new List<Scenarios>();
        foreach (var s in doc.RootElement.GetProperty("scenarios").EnumerateArray())
        {
            var clock = s.GetProperty("clock").GetInt64();
            var offset = s.GetProperty("utcOffset").GetInt32();
            var profile = s.GetProperty("profile").Deserialize<OrefProfile>()!;
            var treatments = s.GetProperty("treatments").Deserialize<List<OrefTreatment>>()!;
            var expected = s.GetProperty("expected");
            var autosens = new AutosensResult(expected.GetProperty("autosens").GetProperty("ratio").GetDouble());
            var currentTemp = s.GetProperty("currenttemp").Deserialize<OrefCurrentTemp>()!;
            var microBolus = s.GetProperty("microBolusAllowed").GetBoolean();
            // determine-basal gets the same inputs oref0 got: its glucose status and meal data, and
            // the IOB array (identical to oref0's, see the vector tests).
            var iob = OrefLibrary.CalculateIobFromHistory(new IobHistoryRequest(treatments, profile, clock, offset, autosens));
            var decide = new DetermineBasalRequest(expected.GetProperty("glucoseStatus").Deserialize<GlucoseStatus>()!, currentTemp, iob, profile, autosens,
                expected.GetProperty("meal").Deserialize<MealData>()!, microBolus, clock, offset);
            var loop = new SuggestRequest(treatments, Glucose(s.GetProperty("glucose"), clock), profile, currentTemp,
                s.GetProperty("temptargets").Deserialize<List<OrefTempTarget>>()!, true, microBolus, clock, offset);
            result.Add(new Scenarios(decide, loop));
        }

        return result;
    }

    private static List<OrefGlucose> Glucose(JsonElement compact, long clock)
    {
        var ago = compact.GetProperty("ago").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var sgv = compact.GetProperty("sgv").EnumerateArray().Select(e => e.GetDouble()).ToList();
        return ago.Select((seconds, i) =>
        {
            var date = clock - (long)(seconds * 1000);
            return new OrefGlucose(sgv[i], date, DateTimeOffset.FromUnixTimeMilliseconds(date).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                compact.GetProperty("device").GetString(), compact.GetProperty("noise").GetDouble());
        }).ToList();
    }
}
