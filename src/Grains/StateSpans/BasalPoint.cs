namespace Nocturne.Grains.StateSpans;

/// <summary>
/// The effective basal rate from <see cref="Mills"/> until the next point: the profile's scheduled
/// rate (<see cref="Scheduled"/>, with the profile switch's percentage and timeshift), replaced by
/// a temp basal or by a suspension. <see cref="Type"/> is <c>scheduled</c>, <c>temp</c> or <c>suspended</c>.
/// </summary>
public sealed record BasalPoint(long Mills, double Rate, double? Scheduled, string Type, string? Profile);
