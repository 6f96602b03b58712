namespace Nocturne.Grains.Statistics;

/// <summary>One CGM reading: its time in epoch milliseconds and its value in mg/dL.</summary>
public readonly record struct GlucoseReading(long Mills, double Mgdl);
