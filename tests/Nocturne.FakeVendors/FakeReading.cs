namespace Nocturne.FakeVendors;

/// <summary>A reading a fake CGM cloud holds: time (epoch ms), mg/dL and the Nightscout trend number.</summary>
public sealed record FakeReading(long Ms, int Mgdl, int Trend)
{
    /// <summary>One reading every <paramref name="every"/> from <paramref name="from"/> up to now, values following a gentle wave.</summary>
    public static List<FakeReading> Series(DateTimeOffset from, DateTimeOffset to, TimeSpan every)
    {
        var readings = new List<FakeReading>();
        var start = from.ToUnixTimeMilliseconds() / 1000 * 1000;
        for (long ms = start, i = 0; ms <= to.ToUnixTimeMilliseconds(); ms += (long)every.TotalMilliseconds, i++)
        {
            readings.Add(new FakeReading(ms, 100 + (int)(i % 40) * 3, 1 + (int)(i % 7)));
        }

        return readings;
    }
}
