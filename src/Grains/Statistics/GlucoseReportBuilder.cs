using System.Globalization;

namespace Nocturne.Grains.Statistics;

/// <summary>
/// Computes a <see cref="GlucoseReport"/> from the readings and treatments of [from, to). Pure, so
/// that every figure can be checked against a hand-computed fixture.
/// </summary>
public static class GlucoseReportBuilder
{
    public const int AgpSlotMinutes = 15;

    private const long FiveMinutes = 5 * 60_000;

    /// <param name="readings">Readings inside [from, to), in mg/dL, one per timestamp.</param>
    /// <param name="treatments">Treatments inside [from, to).</param>
    /// <param name="zone">The site's zone: AGP time of day and daily totals follow local days, across DST.</param>
    public static GlucoseReport Build(IReadOnlyList<GlucoseReading> readings, IReadOnlyList<TreatmentAmount> treatments, long from, long to, TimeZoneInfo zone)
    {
        var values = readings.Select(r => r.Mgdl).ToList();
        double? mean = values.Count > 0 ? values.Average() : null;
        // Sample standard deviation (n − 1), as CGM reporting software computes it.
        double? sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean!.Value) * (v - mean.Value)) / (values.Count - 1)) : null;

        return new GlucoseReport(
            from,
            to,
            zone.Id,
            values.Count,
            SensorUse(readings, from, to),
            Shares(values),
            mean,
            sd,
            mean is > 0 && sd is not null ? sd / mean * 100 : null,
            mean is null ? null : 3.31 + 0.02392 * mean,
            mean is null ? null : 12.71 + 4.70587 * mean,
            Agp(readings, zone),
            Days(treatments, from, to, zone, out var meanInsulin, out var meanCarbs),
            meanInsulin,
            meanCarbs);
    }

    private static double SensorUse(IReadOnlyList<GlucoseReading> readings, long from, long to)
    {
        var intervals = (to - from + FiveMinutes - 1) / FiveMinutes;
        if (intervals <= 0)
        {
            return 0;
        }

        // Counting covered intervals rather than readings keeps a 1-minute sensor at 100 %, not 500 %.
        var covered = readings.Select(r => (r.Mills - from) / FiveMinutes).Distinct().Count();
        return Math.Min(100.0, covered * 100.0 / intervals);
    }

    private static TimeInRanges Shares(List<double> values)
    {
        if (values.Count == 0)
        {
            return new TimeInRanges(0, 0, 0, 0, 0);
        }

        var counts = new int[5];
        foreach (var value in values)
        {
            counts[(int)GlucoseRanges.Of(value)]++;
        }

        double Share(GlucoseRange range) => counts[(int)range] * 100.0 / values.Count;
        return new TimeInRanges(Share(GlucoseRange.VeryLow), Share(GlucoseRange.Low), Share(GlucoseRange.InRange), Share(GlucoseRange.High), Share(GlucoseRange.VeryHigh));
    }

    private static List<AgpSlot> Agp(IReadOnlyList<GlucoseReading> readings, TimeZoneInfo zone)
    {
        var slots = new List<double>[24 * 60 / AgpSlotMinutes];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = [];
        }

        foreach (var reading in readings)
        {
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(reading.Mills), zone);
            slots[(local.Hour * 60 + local.Minute) / AgpSlotMinutes].Add(reading.Mgdl);
        }

        return slots.Select((values, i) =>
        {
            if (values.Count == 0)
            {
                return new AgpSlot(i * AgpSlotMinutes, 0, null, null, null, null, null);
            }

            values.Sort();
            return new AgpSlot(i * AgpSlotMinutes, values.Count,
                Percentiles.Of(values, 5), Percentiles.Of(values, 25), Percentiles.Of(values, 50), Percentiles.Of(values, 75), Percentiles.Of(values, 95));
        }).ToList();
    }

    private static List<DailyTotal> Days(IReadOnlyList<TreatmentAmount> treatments, long from, long to, TimeZoneInfo zone, out double? meanInsulin, out double? meanCarbs)
    {
        static DateOnly LocalDate(long mills, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(mills), zone).DateTime);

        var byDay = treatments.GroupBy(t => LocalDate(t.Mills, zone)).ToDictionary(g => g.Key, g => g.ToList());
        var days = new List<DailyTotal>();
        if (to > from)
        {
            for (var day = LocalDate(from, zone); day <= LocalDate(to - 1, zone); day = day.AddDays(1))
            {
                var list = byDay.GetValueOrDefault(day) ?? [];
                days.Add(new DailyTotal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), list.Sum(t => t.Insulin), list.Sum(t => t.Carbs), list.Count));
            }
        }

        meanInsulin = days.Count > 0 ? days.Average(d => d.BolusInsulin) : null;
        meanCarbs = days.Count > 0 ? days.Average(d => d.Carbs) : null;
        return days;
    }
}
