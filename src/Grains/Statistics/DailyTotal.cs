namespace Nocturne.Grains.Statistics;

/// <summary>
/// Insulin and carbs entered as treatments on one local day. <see cref="BolusInsulin"/> is the sum of
/// the treatments' <c>insulin</c> (boluses and SMBs); basal delivery is not in it.
/// </summary>
public sealed record DailyTotal(string Date, double BolusInsulin, double Carbs, int Treatments);
