using System.Text.Json;
using Nocturne.Grains.Interfaces.Oref;
using Nocturne.OrefInterop;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Oref;

/// <summary>
/// The C# side of the whole-loop cross-validation: oref0's 600 scenarios through each C ABI
/// export and through the OrefGrain. Every mismatch is listed.
/// </summary>
public sealed class LoopVectorTests
{
    [Fact]
    public void TheWholeLoopMatchesOref0ThroughTheCAbi()
    {
        var scenarios = LoopScenario.Load();
        Assert.True(scenarios.Count >= 1500);
        var mismatches = scenarios.SelectMany(s => s.CompareLoop(OrefLibrary.Suggest(s.SuggestRequest()))).ToList();
        Assert.Empty(mismatches);
    }

    [Fact]
    public void EachAlgorithmMatchesOref0OnOref0sOwnInputsThroughTheCAbi()
    {
        var mismatches = new List<string>();
        foreach (var s in LoopScenario.Load())
        {
            var expected = s.Expected;
            var autosens = OrefLibrary.DetectSensitivity(new AutosensRequest(s.Glucose(), s.Treatments, s.Raw.GetProperty("temptargets").Deserialize<List<OrefTempTarget>>()!, s.Profile, s.Clock, s.UtcOffset, s.UtcOffsets));
            if (Math.Abs(autosens.Ratio - expected.GetProperty("autosens").GetProperty("ratio").GetDouble()) > 0.01)
            {
                mismatches.Add($"{s.Name} autosens: ours {autosens.Ratio}");
            }

            var oref0Autosens = new AutosensResult(expected.GetProperty("autosens").GetProperty("ratio").GetDouble());
            var iob = OrefLibrary.CalculateIobFromHistory(new IobHistoryRequest(s.Treatments, s.Profile, s.Clock, s.UtcOffset, oref0Autosens, UtcOffsets: s.UtcOffsets));
            foreach (var point in expected.GetProperty("iob").EnumerateArray())
            {
                var k = point.GetProperty("k").GetInt32();
                if (Math.Abs(iob[k].Iob - point.GetProperty("iob").GetDouble()) > 0.01 || Math.Abs(iob[k].IobWithZeroTemp.Iob - point.GetProperty("iobWithZeroTemp").GetProperty("iob").GetDouble()) > 0.01)
                {
                    mismatches.Add($"{s.Name} iob +{k * 5}min: ours {iob[k].Iob}/{iob[k].IobWithZeroTemp.Iob}");
                }
            }

            var meal = OrefLibrary.CalculateMeal(new MealRequest(s.Treatments, s.Profile, s.Glucose(), s.Clock, s.UtcOffset, s.UtcOffsets));
            if (Math.Abs((meal.MealCob ?? double.NaN) - expected.GetProperty("meal").GetProperty("mealCOB").GetDouble()) > 1)
            {
                mismatches.Add($"{s.Name} mealCOB: ours {meal.MealCob}");
            }

            var suggestion = OrefLibrary.DetermineBasal(new DetermineBasalRequest(
                expected.GetProperty("glucoseStatus").Deserialize<GlucoseStatus>()!,
                s.Raw.GetProperty("currenttemp").Deserialize<OrefCurrentTemp>()!,
                iob,
                s.Profile,
                oref0Autosens,
                expected.GetProperty("meal").Deserialize<MealData>()!,
                s.Raw.GetProperty("microBolusAllowed").GetBoolean(),
                s.Clock,
                s.UtcOffset,
                s.UtcOffsets));
            mismatches.AddRange(s.CompareSuggestion(suggestion));
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task TheWholeLoopMatchesOref0ThroughTheOrefGrain()
    {
        var host = await TestSilo.StartAsync(await TestServices.MigratedPostgresAsync(), TestServices.UniqueServiceId("oref-loop"));
        try
        {
            var oref = host.Grains().GetGrain<IOrefGrain>(0);
            var mismatches = new List<string>();
            foreach (var scenario in LoopScenario.Load())
            {
                mismatches.AddRange(scenario.CompareLoop(await oref.SuggestAsync(scenario.SuggestRequest())));
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
    public void ALoopWithoutReadingsIsRefusedWithAReason()
    {
        var scenario = LoopScenario.Load()[0];
        var request = scenario.SuggestRequest() with { Glucose = [] };
        var ex = Assert.Throws<OrefException>(() => OrefLibrary.Suggest(request));
        Assert.Contains("glucose", ex.Message, StringComparison.Ordinal);
        var badOffset = Assert.Throws<OrefException>(() => OrefLibrary.Suggest(scenario.SuggestRequest() with { UtcOffset = 5000, UtcOffsets = null }));
        Assert.Contains("utcOffset", badOffset.Message, StringComparison.Ordinal);
        var badTable = Assert.Throws<OrefException>(() => OrefLibrary.Suggest(scenario.SuggestRequest() with { UtcOffsets = [new OrefUtcOffset(5, 60), new OrefUtcOffset(1, 0)] }));
        Assert.Contains("utcOffsets[1].since", badTable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZoneTablesFromThisMachinesTzDatabaseAgreeWithNodesForEveryScenario()
    {
        // oref0 ran in node with the real zone; the product computes the table with TimeZoneInfo.
        var mismatches = new List<string>();
        var extended = LoopScenario.Load().Where(s => s.Raw.TryGetProperty("utcOffsets", out _)).ToList();
        Assert.True(extended.Count >= 1000);
        Assert.True(extended.Count(s => s.UtcOffsets.Count > 1) >= 500, "most extended scenarios have a DST change in their window");
        foreach (var s in extended)
        {
            var node = s.Raw.GetProperty("utcOffsets").EnumerateArray().Select(e => (e.GetProperty("since").GetInt64(), e.GetProperty("offset").GetInt32())).ToList();
            var ours = s.UtcOffsets.Select(e => (e.Since, e.Offset)).ToList();
            if (!node.SequenceEqual(ours))
            {
                mismatches.Add($"{s.Name}: node [{string.Join(", ", node)}] TimeZoneInfo [{string.Join(", ", ours)}]");
            }
        }

        Assert.Empty(mismatches);
    }
}
