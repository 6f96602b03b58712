using System.Text.Json;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Oref;

/// <summary>
/// The C# side of the cross-validation: the oref0-generated IOB vectors through the C ABI and
/// through the OrefGrain. Every mismatch is listed.
/// </summary>
public sealed class IobVectorTests
{
    private sealed record Expected(int Minutes, double Iob, double Activity, double BasalIob, double BolusIob, double NetBasalInsulin, double BolusInsulin);

    private sealed record Vector(string Name, InsulinProfile Profile, long Time, List<InsulinDose> Doses, List<Expected> Expected);

    private static List<Vector> Load()
    {
        var path = Path.Combine(TestServices.RepositoryRoot, "oref-rs", "tests", "vectors", "iob.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        return doc.RootElement.GetProperty("vectors").EnumerateArray().Select(v => new Vector(
            v.GetProperty("name").GetString()!,
            v.GetProperty("profile").Deserialize<InsulinProfile>(options)!,
            v.GetProperty("time").GetInt64(),
            v.GetProperty("doses").Deserialize<List<InsulinDose>>(options)!,
            v.GetProperty("expected").EnumerateArray().Select(e => new Expected(e.GetProperty("minutes").GetInt32(), e.GetProperty("iob").GetDouble(),
                e.GetProperty("activity").GetDouble(), e.GetProperty("basaliob").GetDouble(), e.GetProperty("bolusiob").GetDouble(),
                e.GetProperty("netbasalinsulin").GetDouble(), e.GetProperty("bolusinsulin").GetDouble())).ToList())).ToList();
    }

    private static List<string> Compare(Vector vector, IReadOnlyList<IobTotals> series)
    {
        var mismatches = new List<string>();
        foreach (var expected in vector.Expected)
        {
            var actual = series[expected.Minutes / 5];
            foreach (var (field, a, e, tolerance) in new[]
            {
                ("iob", actual.Iob, expected.Iob, 0.01), ("activity", actual.Activity, expected.Activity, 0.001),
                ("basaliob", actual.BasalIob, expected.BasalIob, 0.01), ("bolusiob", actual.BolusIob, expected.BolusIob, 0.01),
                ("netbasalinsulin", actual.NetBasalInsulin, expected.NetBasalInsulin, 0.01), ("bolusinsulin", actual.BolusInsulin, expected.BolusInsulin, 0.01),
            })
            {
                if (Math.Abs(a - e) > tolerance)
                {
                    mismatches.Add($"{vector.Name} +{expected.Minutes}min {field}: ours {a} oref0 {e}");
                }
            }
        }

        return mismatches;
    }

    [Fact]
    public void EveryVectorMatchesThroughTheCAbi()
    {
        var vectors = Load();
        Assert.True(vectors.Count >= 500);
        var mismatches = vectors.SelectMany(v => Compare(v, OrefLibrary.CalculateIob(new IobRequest(v.Profile, v.Doses, v.Time, 48)))).ToList();
        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task EveryVectorMatchesThroughTheOrefGrain()
    {
        var host = await TestSilo.StartAsync(await TestServices.MigratedPostgresAsync(), TestServices.UniqueServiceId("oref"));
        try
        {
            var oref = host.Grains().GetGrain<IOrefGrain>(0);
            var mismatches = new List<string>();
            foreach (var vector in Load())
            {
                mismatches.AddRange(Compare(vector, await oref.CalculateIobAsync(new IobRequest(vector.Profile, vector.Doses, vector.Time, 48))));
            }

            Assert.Empty(mismatches);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public void BadInputIsRefusedWithAReasonNotACrash()
    {
        var ex = Assert.Throws<OrefException>(() => OrefLibrary.CalculateIob(new IobRequest(new InsulinProfile(0), [], 0, 1)));
        Assert.Contains("dia", ex.Message, StringComparison.Ordinal);
        Assert.Throws<OrefException>(() => OrefLibrary.CalculateIob(new IobRequest(new InsulinProfile(5), [], 0, 1000)));
    }
}
