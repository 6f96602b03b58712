using System.Globalization;
using System.Text.RegularExpressions;
using Nocturne.Grains.Documents;

namespace Nocturne.Api.Documents;

/// <summary>
/// Checks on filter values shared by the v1 and v3 query languages, so that what reaches
/// PostgreSQL is a value it accepts: numbers it can compare, instants a date can hold, and
/// regular expressions its ARE engine compiles (not merely ones .NET compiles).
/// </summary>
public static class QueryValues
{
    /// <summary>PostgreSQL's RE_DUP_MAX: a bound above it in <c>{m,n}</c> fails to compile there.</summary>
    private const int MaxRepetition = 255;

    private const int MaxRegexLength = 200;

    /// <summary>A finite number within the range a comparison on <c>numeric</c> is built with (no NaN, Infinity or 1e400).</summary>
    public static bool IsNumber(string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>Epoch milliseconds as text, or null when the number is no instant (NaN, infinite, beyond year 9999).</summary>
    public static string? Milliseconds(double number) =>
        DocumentTime.ToMilliseconds(number)?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Why PostgreSQL would refuse the pattern, or null when both engines accept it.</summary>
    public static string? RegexProblem(string pattern)
    {
        if (pattern.Length > MaxRegexLength)
        {
            return "Regular expression too long";
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException ex)
        {
            return $"Invalid regular expression: {ex.Message}";
        }

        return AreProblem(pattern) is { } problem ? $"Unsupported regular expression: {problem}" : null;
    }

    // The constructs .NET accepts and PostgreSQL's advanced regular expressions do not.
    private static string? AreProblem(string pattern)
    {
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var escaped = pattern[++i];
                if (escaped is 'p' or 'P' or 'k' or 'G' or 'z' or 'K' or 'R' or 'X')
                {
                    return $"\\{escaped} is not supported";
                }

                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        i++;
                    }

                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                    if (GroupProblem(pattern, i) is { } group)
                    {
                        return group;
                    }

                    break;
                case '{' when Repetition(pattern, i) is { } end:
                    if (RepetitionProblem(pattern[(i + 1)..end]) is { } repetition)
                    {
                        return repetition;
                    }

                    if (end + 1 < pattern.Length && pattern[end + 1] == '+')
                    {
                        return "possessive quantifiers are not supported";
                    }

                    i = end;
                    break;
                case '*' or '+' or '?' when i + 1 < pattern.Length && pattern[i + 1] == '+' && i > 0 && pattern[i - 1] != '(':
                    return "possessive quantifiers are not supported";
            }
        }

        return null;
    }

    private static string? GroupProblem(string pattern, int open)
    {
        var rest = pattern.AsSpan(open + 2);
        if (rest.StartsWith(":") || rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!") || rest.StartsWith("#"))
        {
            return null;
        }

        if (rest.StartsWith(">"))
        {
            return "atomic groups are not supported";
        }

        if (rest.StartsWith("<") || rest.StartsWith("'") || rest.StartsWith("P"))
        {
            return "named groups are not supported";
        }

        if (rest.StartsWith("("))
        {
            return "conditional groups are not supported";
        }

        // Embedded options: PostgreSQL takes them only as the very start of the pattern, unscoped.
        var flags = 0;
        while (flags < rest.Length && char.IsAsciiLetterLower(rest[flags]))
        {
            flags++;
        }

        return open == 0 && flags > 0 && flags < rest.Length && rest[flags] == ')'
            ? null
            : "inline options are supported only at the start, as (?i)";
    }

    // The index of the '}' closing a {m}, {m,} or {m,n} quantifier at open, or null for a literal brace.
    private static int? Repetition(string pattern, int open)
    {
        var close = pattern.IndexOf('}', open);
        if (close < 0)
        {
            return null;
        }

        var body = pattern.AsSpan(open + 1, close - open - 1);
        var comma = body.IndexOf(',');
        var first = comma < 0 ? body : body[..comma];
        return first.Length > 0 && AllDigits(first) && (comma < 0 || AllDigits(body[(comma + 1)..])) ? close : null;
    }

    private static string? RepetitionProblem(string body)
    {
        foreach (var bound in body.Split(','))
        {
            if (bound.Length > 0 && (bound.Length > 3 || int.Parse(bound, CultureInfo.InvariantCulture) > MaxRepetition))
            {
                return $"repetition counts above {MaxRepetition} are not supported";
            }
        }

        return null;
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
