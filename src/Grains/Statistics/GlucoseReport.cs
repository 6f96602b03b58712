namespace Nocturne.Grains.Statistics;

/// <summary>
/// What a clinician asks first about a period: the consensus CGM metrics, the AGP curves and the
/// daily totals. Glucose values are in mg/dL whatever the site displays (the page converts).
/// </summary>
/// <param name="SensorUse">Percent of the period's 5-minute intervals that hold at least one reading.</param>
/// <param name="Gmi">Glucose management indicator in percent: 3.31 + 0.02392 × mean mg/dL (Bergenstal 2018).</param>
/// <param name="GmiMmolPerMol">The same in IFCC units: 12.71 + 4.70587 × mean mg/dL.</param>
/// <param name="CoefficientOfVariation">Standard deviation / mean, in percent (36 % is the consensus limit of stable glucose).</param>
public sealed record GlucoseReport(
    long From,
    long To,
    string TimeZone,
    int Readings,
    double SensorUse,
    TimeInRanges TimeInRanges,
    double? Mean,
    double? StandardDeviation,
    double? CoefficientOfVariation,
    double? Gmi,
    double? GmiMmolPerMol,
    IReadOnlyList<AgpSlot> Agp,
    IReadOnlyList<DailyTotal> Days,
    double? MeanDailyBolusInsulin,
    double? MeanDailyCarbs);
