using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nocturne.Grains.Documents;

/// <summary>Date handling shared by the collections: ISO strings with zones, epoch milliseconds.</summary>
public static class DocumentTime
{
    /// <summary>2000-01-01: anything earlier is a unit mistake or garbage, as the reference's v3 rules say.</summary>
    public const long Earliest = 946684800000;

    public static readonly TimeSpan MaxFuture = TimeSpan.FromDays(1);

    private static readonly long MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// A client's number as epoch milliseconds, or null when it is no instant at all (NaN, infinite,
    /// beyond year 9999): such a value must be refused before any date arithmetic throws on it.
    /// </summary>
    public static long? ToMilliseconds(double number) =>
        double.IsFinite(number) && number >= MinMs && number <= MaxMs ? (long)number : null;

    public static string Iso(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an ISO-8601 (or RFC 1123) date; the offset is kept for utcOffset.</summary>
    public static bool TryParse(string? value, out DateTimeOffset parsed)
    {
        parsed = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        // A space where a '+' was is how a '+' arrives through a query string.
        var text = value.Trim();
        if (text.Length > 19 && text[^6] == ' ' && char.IsDigit(text[^5]))
        {
            text = string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out parsed);
    }

    /// <summary>A JSON number or numeric string as a double.</summary>
    public static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue v)
        {
            return false;
        }

        if (v.GetValueKind() == JsonValueKind.Number)
        {
            // Values set in code keep their CLR type (long, int, double); parsed ones convert to any.
            if (v.TryGetValue(out double d))
            {
                value = d;
            }
            else if (v.TryGetValue(out long l))
            {
                value = l;
            }
            else if (v.TryGetValue(out int i))
            {
                value = i;
            }
            else
            {
                value = (double)v.GetValue<decimal>();
            }

            return true;
        }

        return v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static string? Problem(long ms, DateTimeOffset now) =>
        ms < Earliest ? "date is before 2000-01-01"
        : ms > (now + MaxFuture).ToUnixTimeMilliseconds() ? "date is more than a day in the future"
        : null;
}
