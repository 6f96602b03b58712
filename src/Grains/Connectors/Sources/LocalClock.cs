namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// Devices that record their own wall clock without an offset (Glooko's "fake UTC", Tandem's
/// pumpDateTime): the instant and the offset in the site's configured zone. A time that a
/// spring-forward change skipped is read with the offset before the change; a repeated hour
/// (fall back) as standard time.
/// </summary>
public static class LocalClock
{
    public static TimeSpan Offset(DateTime wall, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        return zone.IsInvalidTime(local) ? zone.GetUtcOffset(local.AddHours(-3)) : zone.GetUtcOffset(local);
    }

    public static (long Ms, TimeSpan Offset) ToUtc(DateTime wall, TimeZoneInfo zone)
    {
        var offset = Offset(wall, zone);
        return (new DateTimeOffset(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), offset).ToUnixTimeMilliseconds(), offset);
    }

    /// <summary>The wall clock in <paramref name="zone"/> at <paramref name="ms"/>.</summary>
    public static DateTime Wall(long ms, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime, zone);

    /// <summary>Why a configured zone cannot be used, or null.</summary>
    public static string? Problem(string? zone, string vendor) =>
        zone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)
            ? $"timeZone (the IANA zone of the user's devices, for example Europe/Berlin) is required: {vendor} reports local clock times"
            : null;
}
