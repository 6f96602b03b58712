namespace Nocturne.Grains.Statistics;

/// <summary>
/// One time-of-day slot of the ambulatory glucose profile: the readings of every day that fell
/// in [<see cref="MinuteOfDay"/>, +<see cref="GlucoseReportBuilder.AgpSlotMinutes"/>) local time.
/// Percentiles are null for a slot without readings.
/// </summary>
public sealed record AgpSlot(int MinuteOfDay, int Readings, double? P5, double? P25, double? P50, double? P75, double? P95);
