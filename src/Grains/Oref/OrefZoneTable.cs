using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.Grains.Oref;

/// <summary>
/// A time zone as oref-rs reads it: the UTC offsets in force over a window, computed here from
/// the machine's tz database (<see cref="TimeZoneInfo"/>), so that each timestamp of the request
/// is read at its own offset, as oref0 does with the process time zone. Zone names are not
/// passed: with invariant globalization .NET knows only abbreviations ("EST"), and oref then
/// names the zone by its offset ("GMT-05:00") where oref0 prints ICU's long name in its
/// stale-data reason.
/// </summary>
public static class OrefZoneTable
{
    // Offsets change at most a few times a year and never twice within this step.
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    /// <summary>The offsets over [from, to]: the one in force at <paramref name="from"/>, then one entry per change.</summary>
    public static List<OrefUtcOffset> For(TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        var table = new List<OrefUtcOffset> { Entry(zone, from) };
        var previous = from;
        for (var t = from + Step; t <= to + Step; t += Step)
        {
            if (Minutes(zone, t) == table[^1].Offset)
            {
                previous = t;
                continue;
            }

            // The change lies in (previous, t]: find its first millisecond.
            long lo = previous.ToUnixTimeMilliseconds(), hi = t.ToUnixTimeMilliseconds();
            while (hi - lo > 1)
            {
                var mid = lo + ((hi - lo) / 2);
                if (Minutes(zone, DateTimeOffset.FromUnixTimeMilliseconds(mid)) == table[^1].Offset)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            table.Add(Entry(zone, DateTimeOffset.FromUnixTimeMilliseconds(hi)));
            previous = t;
        }

        return table;
    }

    private static int Minutes(TimeZoneInfo zone, DateTimeOffset at) => (int)zone.GetUtcOffset(at).TotalMinutes;

    private static OrefUtcOffset Entry(TimeZoneInfo zone, DateTimeOffset at) => new(at.ToUnixTimeMilliseconds(), Minutes(zone, at));
}
