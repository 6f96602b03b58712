using Nocturne.Grains.Interfaces.Oref;
using Nocturne.Grains.Oref;

namespace Nocturne.Tests.Oref;

/// <summary>
/// The zone tables the patient grain hands oref: each change of offset inside the window at its
/// exact moment, in whole-hour, half-hour and 30-minute-DST zones, in both directions.
/// </summary>
public sealed class OrefZoneTableTests
{
    private static List<OrefUtcOffset> Table(string zone, string fromUtc, double hours)
    {
        var from = DateTimeOffset.Parse(fromUtc, System.Globalization.CultureInfo.InvariantCulture);
        return OrefZoneTable.For(TimeZoneInfo.FindSystemTimeZoneById(zone), from, from.AddHours(hours));
    }

    private static long Ms(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Theory]
    // Clocks forward: New York 02:00 EST -> 03:00 EDT on 8 March 2026.
    [InlineData("America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z", -300, -240)]
    // Clocks back: New York 02:00 EDT -> 01:00 EST on 1 November 2026.
    [InlineData("America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T06:00:00Z", -240, -300)]
    // Half-hour zone with DST: St John's -03:30 -> -02:30.
    [InlineData("America/St_Johns", "2026-03-07T12:00:00Z", "2026-03-08T05:30:00Z", -210, -150)]
    // Half-hour zone, southern hemisphere: Adelaide +10:30 -> +09:30 (5 April) and back (4 October).
    [InlineData("Australia/Adelaide", "2026-04-04T00:00:00Z", "2026-04-04T16:30:00Z", 630, 570)]
    [InlineData("Australia/Adelaide", "2026-10-03T00:00:00Z", "2026-10-03T16:30:00Z", 570, 630)]
    // Lord Howe changes by 30 minutes: +11:00 -> +10:30 at 02:00 local, and back at 02:00 local.
    [InlineData("Australia/Lord_Howe", "2026-04-04T00:00:00Z", "2026-04-04T15:00:00Z", 660, 630)]
    [InlineData("Australia/Lord_Howe", "2026-10-03T00:00:00Z", "2026-10-03T15:30:00Z", 630, 660)]
    public void AChangeInsideTheWindowIsFoundAtItsExactMoment(string zone, string from, string change, int before, int after)
    {
        var table = Table(zone, from, 36);
        Assert.Equal(2, table.Count);
        Assert.Equal(before, table[0].Offset);
        Assert.Equal(Ms(change), table[1].Since);
        Assert.Equal(after, table[1].Offset);
    }

    [Fact]
    public void AZoneWithoutChangesIsOneEntry()
    {
        var table = Table("Asia/Kolkata", "2026-03-07T12:00:00Z", 72);
        var only = Assert.Single(table);
        Assert.Equal(330, only.Offset);
    }
}
