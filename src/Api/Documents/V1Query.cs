using System.Globalization;
using System.Text.RegularExpressions;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Api.Documents;

/// <summary>
/// The v1 query language (lib/server/query.js): <c>find[field][$op]=value</c> with qs-style
/// brackets, <c>count</c>, <c>sort[field]=1|-1</c>, Nightscout's per-field value coercion and the
/// implicit 4-day window when no time condition is given.
/// </summary>
public static partial class V1Query
{
    public static readonly TimeSpan DefaultWindow = DocumentQueries.ImplicitWindow;

    private static readonly HashSet<string> Operators = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "exists", "regex"];

    /// <summary>Parses the query string; throws <see cref="V1QueryException"/> with a client message on bad input.</summary>
    public static DocumentQuery Parse(Collection collection, IQueryCollection query, int defaultCount, DateTimeOffset now,
        bool implicitWindow = true, IEnumerable<FindCondition>? extra = null)
    {
        var conditions = new List<FindCondition>(extra ?? []);
        var sort = new List<(string, bool)>();
        foreach (var (key, values) in query)
        {
            var segments = Segments(key);
            if (segments.Count == 0)
            {
                continue;
            }

            if (segments[0] == "find" && segments.Count >= 2)
            {
                var field = segments[1];
                if (!FieldName().IsMatch(field))
                {
                    throw new V1QueryException($"Unsupported field name '{field}'");
                }

                var op = "eq";
                if (segments.Count >= 3)
                {
                    op = segments[2].TrimStart('$');
                    if (!Operators.Contains(op))
                    {
                        throw new V1QueryException($"Unsupported filter operator {segments[2]}");
                    }
                }

                var raw = values.Where(v => v is not null).Select(v => v!).ToList();
                if (op is "in" or "nin" && raw.Count == 1 && raw[0].Contains(',', StringComparison.Ordinal) && segments.Count == 3)
                {
                    raw = raw[0].Split(',').ToList();
                }

                conditions.Add(Condition(collection, field, op, raw, now));
            }
            else if (segments[0] == "sort" && segments.Count == 2)
            {
                if (!FieldName().IsMatch(segments[1]))
                {
                    throw new V1QueryException($"Unsupported sort field '{segments[1]}'");
                }

                sort.Add((segments[1], values.ToString() is "-1" or "desc"));
            }
        }

        // qs turns find[type][$in][0]=a&find[type][$in][1]=b into one list: merge them back.
        conditions = conditions
            .GroupBy(c => c.Op is "in" or "nin" ? $"{c.Field}\u0000{c.Op}" : Guid.NewGuid().ToString())
            .Select(g => g.Count() == 1 ? g.First() : g.First() with { Values = g.SelectMany(c => c.Values).ToList() })
            .ToList();

        var count = defaultCount;
        if (query.TryGetValue("count", out var countText) && countText.ToString().Length > 0)
        {
            if (!int.TryParse(countText.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count < 0)
            {
                throw new V1QueryException($"count must be a non-negative whole number (got '{countText}')");
            }
        }

        var dateField = DocumentQueries.DateField(collection);
        if (implicitWindow && !conditions.Any(c => c.Field == dateField || c.Field == "dateString" || (collection != Collection.Entries && c.Field == "created_at")))
        {
            conditions.Add(new FindCondition(dateField, "gte", [(now - DefaultWindow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)], FindValueKind.Number));
        }

        return new DocumentQuery(collection, conditions, Math.Min(count, DocumentQueries.MaxLimit), sort);
    }

    public static bool HasFind(IQueryCollection query) => query.Keys.Any(k => k.StartsWith("find[", StringComparison.Ordinal));

    private static FindCondition Condition(Collection collection, string field, string op, List<string> raw, DateTimeOffset now)
    {
        if (op == "exists")
        {
            return new FindCondition(field, op, [raw.FirstOrDefault() ?? "true"], FindValueKind.Boolean);
        }

        if (raw.Count == 0)
        {
            throw new V1QueryException($"find[{field}] needs a value");
        }

        if (op != "in" && op != "nin" && raw.Count > 1)
        {
            throw new V1QueryException($"find[{field}][${op}] takes one value");
        }

        if (raw.Count > 100)
        {
            throw new V1QueryException("At most 100 values in $in/$nin");
        }

        if (op == "regex")
        {
            return Regex(field, raw[0]);
        }

        // The collection's time field: epoch ms or any date Nightscout would parse.
        if (DocumentQueries.IsTimeColumn(DocumentQueries.ColumnFor(collection, field)))
        {
            return new FindCondition(field, op, raw.Select(v => TimeValue(field, v)).ToList(), FindValueKind.Number);
        }

        if (NumericFields(collection).Contains(field))
        {
            return new FindCondition(field, op, raw.Select(v => IntegerPrefix(field, v)).ToList(), FindValueKind.Number);
        }

        if (collection == Collection.Treatments && field is "notes" or "eventType" or "enteredBy" && op == "eq" && RegexLiteral().Match(raw[0]) is { Success: true } literal)
        {
            return new FindCondition(field, "regex", [CheckedRegex(literal.Groups[1].Value)], FindValueKind.Regex, literal.Groups[2].Value);
        }

        return new FindCondition(field, op, raw, FindValueKind.Text);
    }

    private static FindCondition Regex(string field, string value)
    {
        var literal = RegexLiteral().Match(value);
        return literal.Success
            ? new FindCondition(field, "regex", [CheckedRegex(literal.Groups[1].Value)], FindValueKind.Regex, literal.Groups[2].Value)
            : new FindCondition(field, "regex", [CheckedRegex(value)], FindValueKind.Regex);
    }

    private static string CheckedRegex(string pattern) =>
        QueryValues.RegexProblem(pattern) is { } problem ? throw new V1QueryException(problem) : pattern;

    private static string TimeValue(string field, string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return QueryValues.Milliseconds(number) ?? throw new V1QueryException($"find[{field}] is out of range: '{value}'");
        }

        return DocumentTime.TryParse(value, out var parsed)
            ? parsed.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)
            : throw new V1QueryException($"find[{field}] is not a date: '{value}'");
    }

    // JavaScript parseInt: the leading integer of the text.
    private static string IntegerPrefix(string field, string value) =>
        LeadingInteger().Match(value.Trim()) is { Success: true } match
            ? QueryValues.IsNumber(match.Value) ? match.Value : throw new V1QueryException($"find[{field}] is out of range")
            : throw new V1QueryException($"find[{field}] must be a number (got '{value}')");

    private static HashSet<string> NumericFields(Collection collection) => collection switch
    {
        Collection.Entries => ["sgv", "filtered", "unfiltered", "rssi", "noise", "mbg"],
        Collection.Treatments => ["insulin", "carbs", "glucose"],
        _ => [],
    };

    private static List<string> Segments(string key)
    {
        var result = new List<string>();
        var bracket = key.IndexOf('[', StringComparison.Ordinal);
        result.Add(bracket < 0 ? key : key[..bracket]);
        foreach (Match match in Brackets().Matches(key))
        {
            if (match.Groups[1].Value.Length > 0 && !int.TryParse(match.Groups[1].Value, out _))
            {
                result.Add(match.Groups[1].Value);
            }
        }

        return result;
    }

    [GeneratedRegex(@"\[([^\]]*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Brackets();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldName();

    [GeneratedRegex(@"^/(.*)/([gimsuy]*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex RegexLiteral();

    [GeneratedRegex(@"^[+-]?\d+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingInteger();
}
