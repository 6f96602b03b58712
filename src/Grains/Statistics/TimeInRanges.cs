namespace Nocturne.Grains.Statistics;

/// <summary>Shares of readings per consensus range, in percent (they add up to 100 when there are readings).</summary>
public sealed record TimeInRanges(double VeryLow, double Low, double InRange, double High, double VeryHigh);
