using System.Globalization;
using System.Text.RegularExpressions;

namespace Nocturne.Api.Documents;

/// <summary>
/// Bash-style brace expansion as <c>/times</c> and <c>/slice</c> use it:
/// <c>2014-07-{17..20}</c> gives 2014-07-17 … 2014-07-20, <c>T{13,14}</c> gives T13 and T14.
/// Bounded, because a client controls the pattern.
/// </summary>
public static partial class BraceExpansion
{
    public const int MaxResults = 1000;

    public static List<string> Expand(string pattern)
    {
        var match = Brace().Match(pattern);
        if (!match.Success)
        {
            return [pattern];
        }

        var before = pattern[..match.Index];
        var after = pattern[(match.Index + match.Length)..];
        var body = match.Groups[1].Value;
        var options = new List<string>();
        if (Range().Match(body) is { Success: true } range)
        {
            var start = int.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture);
            var end = int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture);
            var width = range.Groups[1].Value.StartsWith('0') || range.Groups[2].Value.StartsWith('0') ? Math.Max(range.Groups[1].Value.Length, range.Groups[2].Value.Length) : 0;
            var step = start <= end ? 1 : -1;
            for (var i = start; step > 0 ? i <= end : i >= end; i += step)
            {
                options.Add(i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'));
                if (options.Count > MaxResults)
                {
                    throw new V1QueryException($"Brace expansion gives more than {MaxResults} patterns");
                }
            }
        }
        else
        {
            options.AddRange(body.Split(','));
        }

        var results = new List<string>();
        foreach (var option in options)
        {
            results.AddRange(Expand(before + option + after));
            if (results.Count > MaxResults)
            {
                throw new V1QueryException($"Brace expansion gives more than {MaxResults} patterns");
            }
        }

        return results;
    }

    [GeneratedRegex(@"\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Brace();

    [GeneratedRegex(@"^(-?\d+)\.\.(-?\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Range();
}
