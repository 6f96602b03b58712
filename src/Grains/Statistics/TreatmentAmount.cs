namespace Nocturne.Grains.Statistics;

/// <summary>The insulin (U) and carbs (g) of one treatment at its time; either may be zero.</summary>
public readonly record struct TreatmentAmount(long Mills, double Insulin, double Carbs);
