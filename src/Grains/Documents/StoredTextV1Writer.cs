using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Nocturne.Grains.Documents;

/// <summary>
/// Writes a stored document as v1 returns it straight from PostgreSQL's text of its jsonb, byte for
/// byte what <see cref="V1Json.Write"/> (a parse, then <c>Utf8JsonWriter</c>) gives, without a parse:
/// one pass that drops the spaces jsonb's text puts after <c>:</c> and <c>,</c>, copies numbers and
/// literals as they are and re-escapes strings as the writer escapes them (all but printable ASCII
/// and a few HTML-sensitive characters). jsonb's text is regular (PostgreSQL writes it): anything
/// outside that form, and the rare entry whose type must be inferred in place or whose date is not
/// a plain number, is declined so the caller writes it the parsing way.
/// </summary>
public static class StoredTextV1Writer
{
    private static readonly byte[] UpperHex = "0123456789ABCDEF"u8.ToArray();

    // What the writer's default escaping lets through: printable ASCII except " & ' + < > \ `.
    private static readonly SearchValues<byte> Plain = SearchValues.Create(
        Enumerable.Range(0x20, 0x5F).Select(c => (byte)c).Where(c => !"\"&'+<>\\`"u8.Contains(c)).ToArray());

    /// <summary>
    /// Appends the document with its <c>_id</c> first (and, for entries, the type the reference fills
    /// in when it is missing). Returns false, having appended nothing, when it must be written the
    /// parsing way. <paramref name="entryDate"/> is the entry's top-level <c>date</c> when it is a
    /// number (what Last-Modified is taken from), else null.
    /// </summary>
    public static bool TryWrite(ArrayBufferWriter<byte> output, string objectId, ReadOnlySpan<byte> stored, bool isEntry, out long? entryDate)
    {
        entryDate = null;
        if (stored.Length < 2 || stored[0] != (byte)'{' || !IsPlain(objectId))
        {
            return false;
        }

        // Every input byte becomes at most 6 (a control character as \u00XX; a 4-byte character as two \uXXXX escapes is 3 per byte); _id and a filled-in type on top.
        var span = output.GetSpan((stored.Length * 6) + objectId.Length + 64);
        var written = 0;
        "{\"_id\":\""u8.CopyTo(span);
        written += 8;
        written += Encoding.ASCII.GetBytes(objectId, span[written..]);
        span[written++] = (byte)'"';

        var sgv = false;
        var mbg = false;
        var hasType = false;
        var depth = 0;
        var at = 0;
        var expectKey = false;
        var topKey = TopKey.Other;
        while (at < stored.Length)
        {
            var b = stored[at];
            switch (b)
            {
                case (byte)' ':
                    at++;
                    continue;
                case (byte)'{':
                    depth++;
                    at++;
                    if (depth == 1)
                    {
                        // The object's members follow the _id already written.
                        expectKey = true;
                        if (at < stored.Length && stored[at] != (byte)'}')
                        {
                            span[written++] = (byte)',';
                        }

                        continue;
                    }

                    MarkTopValue(depth - 1, topKey, isNull: false, ref sgv, ref mbg, ref hasType);
                    span[written++] = b;
                    continue;
                case (byte)'[':
                    depth++;
                    at++;
                    MarkTopValue(depth - 1, topKey, isNull: false, ref sgv, ref mbg, ref hasType);
                    span[written++] = b;
                    continue;
                case (byte)'}':
                case (byte)']':
                    depth--;
                    at++;
                    if (depth == 0)
                    {
                        if (at != stored.Length)
                        {
                            return false;
                        }

                        continue;
                    }

                    span[written++] = b;
                    continue;
                case (byte)',':
                    at++;
                    span[written++] = b;
                    expectKey = depth == 1;
                    continue;
                case (byte)':':
                    at++;
                    span[written++] = b;
                    continue;
                case (byte)'"':
                    var start = at;
                    if (!CopyString(stored, ref at, span, ref written))
                    {
                        return false;
                    }

                    if (depth == 1 && expectKey)
                    {
                        expectKey = false;
                        var name = stored[(start + 1)..(at - 1)];
                        topKey = name.SequenceEqual("type"u8) ? TopKey.Type
                            : name.SequenceEqual("date"u8) ? TopKey.Date
                            : name.SequenceEqual("sgv"u8) ? TopKey.Sgv
                            : name.SequenceEqual("mbg"u8) ? TopKey.Mbg
                            : TopKey.Other;
                        continue;
                    }

                    if (depth == 1 && isEntry && topKey == TopKey.Date)
                    {
                        // A date given as text: DocumentTime's reading of it is the parsing way's.
                        return false;
                    }

                    MarkTopValue(depth, topKey, isNull: false, ref sgv, ref mbg, ref hasType);
                    continue;
                default:
                    // A number or a literal: copied as it is.
                    var end = at;
                    while (end < stored.Length && stored[end] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' '))
                    {
                        end++;
                    }

                    var token = stored[at..end];
                    if (token.IsEmpty || depth == 0)
                    {
                        return false;
                    }

                    var isNull = token.SequenceEqual("null"u8);
                    if (depth == 1 && isEntry)
                    {
                        if (topKey == TopKey.Type && isNull)
                        {
                            // A null type is replaced in place by the inferred one: the parsing way does that.
                            return false;
                        }

                        if (topKey == TopKey.Date && !isNull && token[0] is not ((byte)'t' or (byte)'f'))
                        {
                            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var date) || !double.IsFinite(date))
                            {
                                return false;
                            }

                            entryDate = (long)date;
                        }
                    }

                    MarkTopValue(depth, topKey, isNull, ref sgv, ref mbg, ref hasType);
                    token.CopyTo(span[written..]);
                    written += token.Length;
                    at = end;
                    continue;
            }
        }

        if (depth != 0)
        {
            return false;
        }

        if (isEntry && !hasType)
        {
            var inferred = sgv ? ",\"type\":\"sgv\""u8 : mbg ? ",\"type\":\"mbg\""u8 : ",\"type\":\"cal\""u8;
            inferred.CopyTo(span[written..]);
            written += inferred.Length;
        }

        span[written++] = (byte)'}';
        output.Advance(written);
        return true;
    }

    private static void MarkTopValue(int depth, TopKey key, bool isNull, ref bool sgv, ref bool mbg, ref bool hasType)
    {
        if (depth != 1)
        {
            return;
        }

        switch (key)
        {
            case TopKey.Sgv:
                sgv = !isNull;
                break;
            case TopKey.Mbg:
                mbg = !isNull;
                break;
            case TopKey.Type:
                hasType = true;
                break;
        }
    }

    /// <summary>
    /// Copies the string at <paramref name="at"/> (on its opening quote), decoding jsonb's escapes
    /// and escaping as the writer does; leaves <paramref name="at"/> after the closing quote.
    /// </summary>
    private static bool CopyString(ReadOnlySpan<byte> stored, ref int at, Span<byte> span, ref int written)
    {
        span[written++] = (byte)'"';
        at++;
        while (at < stored.Length)
        {
            var run = stored[at..].IndexOfAnyExcept(Plain);
            if (run < 0)
            {
                return false;
            }

            stored.Slice(at, run).CopyTo(span[written..]);
            written += run;
            at += run;
            var b = stored[at];
            if (b == (byte)'"')
            {
                at++;
                span[written++] = (byte)'"';
                return true;
            }

            if (b == (byte)'\\')
            {
                if (at + 1 >= stored.Length)
                {
                    return false;
                }

                var escaped = stored[at + 1];
                at += 2;
                int value;
                switch (escaped)
                {
                    case (byte)'"': value = '"'; break;
                    case (byte)'\\': value = '\\'; break;
                    case (byte)'/': value = '/'; break;
                    case (byte)'b': value = '\b'; break;
                    case (byte)'f': value = '\f'; break;
                    case (byte)'n': value = '\n'; break;
                    case (byte)'r': value = '\r'; break;
                    case (byte)'t': value = '\t'; break;
                    case (byte)'u':
                        // PostgreSQL escapes only control characters this way; anything else (surrogates) is declined.
                        if (at + 4 > stored.Length || !Utf8Parser.TryParse(stored.Slice(at, 4), out ushort code, out var used, 'x') || used != 4 || code >= 0x80)
                        {
                            return false;
                        }

                        value = code;
                        at += 4;
                        break;
                    default:
                        return false;
                }

                EscapeAscii(value, span, ref written);
                continue;
            }

            if (b < 0x80)
            {
                EscapeAscii(b, span, ref written);
                at++;
                continue;
            }

            if (Rune.DecodeFromUtf8(stored[at..], out var rune, out var length) != OperationStatus.Done)
            {
                return false;
            }

            if (rune.IsBmp)
            {
                WriteUnicodeEscape((char)rune.Value, span, ref written);
            }
            else
            {
                var pair = rune.Value - 0x10000;
                WriteUnicodeEscape((char)(0xD800 + (pair >> 10)), span, ref written);
                WriteUnicodeEscape((char)(0xDC00 + (pair & 0x3FF)), span, ref written);
            }

            at += length;
        }

        return false;
    }

    // An ASCII character the writer does not let through as it is (or one that jsonb escaped).
    private static void EscapeAscii(int value, Span<byte> span, ref int written)
    {
        if (value < 0x80 && Plain.Contains((byte)value))
        {
            span[written++] = (byte)value;
            return;
        }

        var shortForm = value switch
        {
            '\n' => (byte)'n',
            '\r' => (byte)'r',
            '\t' => (byte)'t',
            '\\' => (byte)'\\',
            '\b' => (byte)'b',
            '\f' => (byte)'f',
            _ => (byte)0,
        };
        if (shortForm != 0)
        {
            span[written++] = (byte)'\\';
            span[written++] = shortForm;
            return;
        }

        WriteUnicodeEscape((char)value, span, ref written);
    }

    private static void WriteUnicodeEscape(char c, Span<byte> span, ref int written)
    {
        span[written++] = (byte)'\\';
        span[written++] = (byte)'u';
        span[written++] = UpperHex[(c >> 12) & 0xF];
        span[written++] = UpperHex[(c >> 8) & 0xF];
        span[written++] = UpperHex[(c >> 4) & 0xF];
        span[written++] = UpperHex[c & 0xF];
    }

    private static bool IsPlain(string objectId)
    {
        foreach (var c in objectId)
        {
            if (c >= 0x80 || !Plain.Contains((byte)c))
            {
                return false;
            }
        }

        return true;
    }

    private enum TopKey
    {
        Other,
        Type,
        Date,
        Sgv,
        Mbg,
    }
}
