using System.Globalization;
using Nocturne.Grains.Documents;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Api.Documents;

/// <summary>
/// The v3 search parameters (lib/api3/generic/search): <c>field$op=value</c> filters (eq ne gt
/// gte lt lte in nin re), <c>sort</c> / <c>sort$desc</c>, <c>limit</c>, <c>skip</c>, <c>fields</c>.
/// Errors carry the reference's exact messages.
/// </summary>
public static class V3Query
{
    public const int MaxLimit = 1000;

    private static readonly HashSet<string> Reserved = ["token", "sort", "sort$desc", "limit", "skip", "fields", "now"];
    private static readonly HashSet<string> Operators = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "re"];

    public static DocumentQuery Parse(Collection collection, IQueryCollection query)
    {
        var conditions = new List<FindCondition>();
        foreach (var (key, values) in query)
        {
            if (Reserved.Contains(key))
            {
                continue;
            }

            var dollar = key.IndexOf('$', StringComparison.Ordinal);
            var field = dollar < 0 ? key : key[..dollar];
            var op = dollar < 0 ? "eq" : key[(dollar + 1)..];
            if (!Operators.Contains(op))
            {
                throw new V3QueryException($"Unsupported filter operator {op}");
            }

            if (!IsFieldName(field))
            {
                throw new V3QueryException($"Unsupported filter field {field}");
            }

            var value = values.ToString();
            conditions.Add(op switch
            {
                "re" => new FindCondition(field, "regex", [QueryValues.RegexProblem(value) is { } problem ? throw new V3QueryException(problem) : value], FindValueKind.Regex),
                "in" or "nin" => Typed(collection, field, op, value.Split('|')),
                _ => Typed(collection, field, op, [value]),
            });
        }

        var limit = MaxLimit;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit <= 0 || limit > MaxLimit)
            {
                throw new V3QueryException("Parameter limit out of tolerance");
            }
        }

        var skip = 0;
        if (query.TryGetValue("skip", out var skipText))
        {
            if (!int.TryParse(skipText.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out skip) || skip < 0)
            {
                throw new V3QueryException("Parameter skip out of tolerance");
            }
        }

        var hasSort = query.TryGetValue("sort", out var sort);
        var hasSortDesc = query.TryGetValue("sort$desc", out var sortDesc);
        if (hasSort && hasSortDesc)
        {
            throw new V3QueryException("Parameters sort and sort_desc cannot be combined");
        }

        // {<sort field>: dir, identifier: dir, created_at: dir, date: dir}; no sort: identifier ascending.
        var descending = hasSortDesc;
        var order = new List<(string, bool)>();
        if (hasSort || hasSortDesc)
        {
            var sortField = hasSort ? sort.ToString() : sortDesc.ToString();
            if (!IsFieldName(sortField))
            {
                throw new V3QueryException($"Unsupported sort field {sortField}");
            }

            order.Add((sortField, descending));
        }

        order.Add(("identifier", descending));
        return new DocumentQuery(collection, conditions, limit, order, IncludeDeleted: false, Skip: skip);
    }

    // Field names end up in jsonb paths: letters, digits and _ . - only.
    private static bool IsFieldName(string field) =>
        field.Length is > 0 and <= 64 && field.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    // Numbers, booleans and 'quoted' strings as the reference types them; date fields to epoch ms.
    private static FindCondition Typed(Collection collection, string field, string op, string[] raw)
    {
        if (field is "date" or "srvModified" or "srvCreated" or "created_at" || DocumentQueries.ColumnFor(collection, field) is "date_ms")
        {
            return new FindCondition(field, op, raw.Select(v => TimeValue(field, v)).ToList(), FindValueKind.Number);
        }

        if (raw.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            // NaN, Infinity and 1e400 read as numbers but compare with nothing.
            return raw.All(QueryValues.IsNumber)
                ? new FindCondition(field, op, raw, FindValueKind.Number)
                : throw new V3QueryException($"Bad {field} value");
        }

        if (raw.All(v => v is "true" or "false"))
        {
            return new FindCondition(field, op, raw, FindValueKind.Boolean);
        }

        return new FindCondition(field, op, raw.Select(v => v.Length >= 2 && v[0] == '\'' && v[^1] == '\'' ? v[1..^1] : v).ToList(), FindValueKind.Text);
    }

    internal static string TimeValue(string field, string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return QueryValues.Milliseconds(number < DocumentTime.Earliest ? number * 1000 : number) ?? throw new V3QueryException($"Bad {field} value");
        }

        return DocumentTime.TryParse(value, out var parsed)
            ? parsed.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)
            : throw new V3QueryException($"Bad {field} value");
    }
}
