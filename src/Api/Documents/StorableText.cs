namespace Nocturne.Api.Documents;

/// <summary>
/// Text PostgreSQL can store and compare: no NUL character (text and jsonb refuse it) and no
/// half of a UTF-16 surrogate pair (it has no UTF-8 encoding at all).
/// </summary>
public static class StorableText
{
    /// <summary>Why the text cannot be stored, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "contains a NUL character (\\u0000)";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "contains a lone UTF-16 surrogate";
            }
        }

        return null;
    }
}
