using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Nocturne.Grains.Documents;

/// <summary>
/// An entry of the window in a few bytes instead of its v1 JSON: its shape (the ordered property
/// names, shared through <see cref="JsonFragments"/>) and each value as a tag and, where needed,
/// a varint; the date, dateString/sysTime and _id are not repeated. A CGM reading of about 200
/// bytes of JSON takes about 20. Rendering writes the JSON back byte for byte: an entry is only
/// kept compact when its rendering equals its JSON at the moment it is stored; any other entry
/// (a shape or string past the shared tables' bounds, a non-hex _id) is kept as its JSON.
/// Payload: [kind][identifier when not the _id][type][shape][values...] or
/// [json kind][type][identifier][_id][json].
/// </summary>
public static class CompactEntry
{
    private const byte KindCompact = 0;
    private const byte KindCompactWithIdentifier = 1;
    private const byte KindJson = 2;

    private const byte TagNull = 0;
    private const byte TagTrue = 1;
    private const byte TagFalse = 2;
    private const byte TagInteger = 3;
    private const byte TagDate = 4;
    private const byte TagIsoDate = 5;
    private const byte TagObjectId = 6;
    private const byte TagShared = 7;
    private const byte TagRaw = 8;

    // String values repeated across a site's entries (and across sites): shared, not stored per entry.
    private static readonly HashSet<string> SharedValueNames = new(StringComparer.Ordinal) { "type", "direction", "device", "app", "units" };

    private static readonly long MinDateMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxDateMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static readonly byte[] HexPairs = Pairs(256, "0123456789abcdef");
    private static readonly byte[] DigitPairs = Pairs(100, "0123456789");

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_check;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>Writes the entry's payload to the emptied <paramref name="output"/>; the _id as two numbers when it is 24 lowercase hex.</summary>
    public static void Encode(StoredDocument document, ArrayBufferWriter<byte> output, out ulong idHigh, out uint idLow)
    {
        var json = Encoding.UTF8.GetBytes(EntryShape.FillType(document.ToV1Json()).ToJsonString());
        Encode(document.Identifier, document.ObjectId, document.DateMs, document.Type, json, output, out idHigh, out idLow);
    }

    /// <summary>
    /// As <see cref="Encode(StoredDocument, ArrayBufferWriter{byte}, out ulong, out uint)"/> for a loaded row: its v1 JSON is
    /// written straight from the parsed row as the database read path writes it (<see cref="V1Json"/>), which is
    /// what loading thousands of windows after a restart spends its time on.
    /// </summary>
    public static void Encode(WindowRow row, ArrayBufferWriter<byte> output, out ulong idHigh, out uint idLow)
    {
        var json = t_json ??= new ArrayBufferWriter<byte>(1024);
        json.ResetWrittenCount();
        var writer = t_jsonWriter ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        V1Json.Write(writer, row.ObjectId, row.Doc.RootElement, Interfaces.Documents.Collection.Entries);
        writer.Flush();
        Encode(row.Identifier, row.ObjectId, row.DateMs, row.Type, json.WrittenMemory, output, out idHigh, out idLow);
    }

    private static void Encode(string identifier, string objectId, long dateMs, string? type, ReadOnlyMemory<byte> json, ArrayBufferWriter<byte> output,
        out ulong idHigh, out uint idLow)
    {
        output.ResetWrittenCount();
        if (TryParseHex(objectId, out idHigh, out idLow) && TryEncodeCompact(identifier, objectId, dateMs, type, json, idHigh, idLow, output))
        {
            var check = t_check ??= new ArrayBufferWriter<byte>(1024);
            check.ResetWrittenCount();
            Render(output.WrittenSpan, dateMs, idHigh, idLow, check);
            if (check.WrittenSpan.SequenceEqual(json.Span))
            {
                return;
            }
        }

        // Whatever the compact attempt wrote goes: the entry is kept as its JSON.
        output.ResetWrittenCount();
        output.Write([KindJson]);
        WriteType(output, type);
        WriteText(output, identifier);
        WriteText(output, objectId);
        WriteVarint(output, (ulong)json.Length);
        output.Write(json.Span);
    }

    /// <summary>The payload's length (it starts at the first byte of <paramref name="from"/>).</summary>
    public static int Length(ReadOnlySpan<byte> from)
    {
        var at = 0;
        var kind = from[at++];
        if (kind == KindJson)
        {
            SkipType(from, ref at);
            Skip(from, ref at, (int)ReadVarint(from, ref at));
            Skip(from, ref at, (int)ReadVarint(from, ref at));
            Skip(from, ref at, (int)ReadVarint(from, ref at));
            return at;
        }

        if (kind == KindCompactWithIdentifier)
        {
            Skip(from, ref at, (int)ReadVarint(from, ref at));
        }

        SkipType(from, ref at);
        var names = JsonFragments.Shared.Shape((int)ReadVarint(from, ref at));
        for (var i = 0; i < names.Length; i++)
        {
            switch (from[at++])
            {
                case TagInteger:
                case TagShared:
                    ReadVarint(from, ref at);
                    break;
                case TagRaw:
                    Skip(from, ref at, (int)ReadVarint(from, ref at));
                    break;
            }
        }

        return at;
    }

    /// <summary>True when the entry's type is <paramref name="type"/> (<paramref name="sharedType"/>: its id in the shared table, or -1).</summary>
    public static bool HasType(ReadOnlySpan<byte> payload, string type, int sharedType)
    {
        var at = 1;
        if (payload[0] == KindCompactWithIdentifier)
        {
            Skip(payload, ref at, (int)ReadVarint(payload, ref at));
        }

        var code = (int)ReadVarint(payload, ref at);
        if (code == 1)
        {
            return ReadText(payload, ref at) == type;
        }

        return code != 0 && code - 2 == sharedType;
    }

    public static bool IsJson(ReadOnlySpan<byte> payload) => payload[0] == KindJson;

    /// <summary>The _id of an entry kept as JSON (compact entries have theirs as numbers).</summary>
    public static string JsonObjectId(ReadOnlySpan<byte> payload)
    {
        var at = 1;
        SkipType(payload, ref at);
        Skip(payload, ref at, (int)ReadVarint(payload, ref at));
        var length = (int)ReadVarint(payload, ref at);
        return Encoding.UTF8.GetString(payload.Slice(at, length));
    }

    /// <summary>The entry as its <see cref="StoredDocument"/> (for the few readers that need its fields).</summary>
    public static StoredDocument ToDocument(ReadOnlySpan<byte> payload, long dateMs, ulong idHigh, uint idLow)
    {
        var at = 1;
        string? type;
        string identifier;
        string objectId;
        if (payload[0] == KindJson)
        {
            type = ReadType(payload, ref at);
            identifier = ReadText(payload, ref at);
            objectId = ReadText(payload, ref at);
        }
        else
        {
            objectId = HexId(idHigh, idLow);
            identifier = payload[0] == KindCompactWithIdentifier ? ReadText(payload, ref at) : objectId;
            type = ReadType(payload, ref at);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        Render(payload, dateMs, idHigh, idLow, buffer);
        var json = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(buffer.WrittenSpan)!;
        json.Remove("_id");
        return new StoredDocument(identifier, objectId, dateMs, type, 0, 0, true, json);
    }

    /// <summary>Writes the entry's v1 JSON (exactly the bytes it was stored from).</summary>
    public static void Render(ReadOnlySpan<byte> payload, long dateMs, ulong idHigh, uint idLow, IBufferWriter<byte> output)
    {
        var at = 1;
        if (payload[0] == KindJson)
        {
            SkipType(payload, ref at);
            Skip(payload, ref at, (int)ReadVarint(payload, ref at));
            Skip(payload, ref at, (int)ReadVarint(payload, ref at));
            var length = (int)ReadVarint(payload, ref at);
            output.Write(payload.Slice(at, length));
            return;
        }

        if (payload[0] == KindCompactWithIdentifier)
        {
            Skip(payload, ref at, (int)ReadVarint(payload, ref at));
        }

        SkipType(payload, ref at);
        // Each name comes with what goes before it ("{" or ","): one copy per field.
        var names = JsonFragments.Shared.SeparatedShape((int)ReadVarint(payload, ref at));
        var span = output.GetSpan(512);
        var written = 0;
        // dateString and sysTime are the same text: formatted once per entry.
        Span<byte> iso = stackalloc byte[26];
        var isoLength = -1;
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            // Room for the name and the longest fixed-size value (a quoted ISO date or _id, 26 bytes).
            Ensure(output, ref span, ref written, name.Length + 32);
            name.CopyTo(span[written..]);
            written += name.Length;
            switch (payload[at++])
            {
                case TagNull:
                    "null"u8.CopyTo(span[written..]);
                    written += 4;
                    break;
                case TagTrue:
                    "true"u8.CopyTo(span[written..]);
                    written += 4;
                    break;
                case TagFalse:
                    "false"u8.CopyTo(span[written..]);
                    written += 5;
                    break;
                case TagInteger:
                    Utf8Formatter.TryFormat(ZigZagDecode(ReadVarint(payload, ref at)), span[written..], out var number);
                    written += number;
                    break;
                case TagDate:
                    Utf8Formatter.TryFormat(dateMs, span[written..], out var date);
                    written += date;
                    break;
                case TagIsoDate:
                    if (isoLength < 0)
                    {
                        isoLength = WriteIso(dateMs, iso);
                    }

                    iso[..isoLength].CopyTo(span[written..]);
                    written += isoLength;
                    break;
                case TagObjectId:
                    written += WriteHexId(idHigh, idLow, span[written..]);
                    break;
                case TagShared:
                    var shared = JsonFragments.Shared.StringJson((int)ReadVarint(payload, ref at));
                    Ensure(output, ref span, ref written, shared.Length);
                    shared.CopyTo(span[written..]);
                    written += shared.Length;
                    break;
                default:
                    var length = (int)ReadVarint(payload, ref at);
                    Ensure(output, ref span, ref written, length);
                    payload.Slice(at, length).CopyTo(span[written..]);
                    written += length;
                    at += length;
                    break;
            }
        }

        Ensure(output, ref span, ref written, 2);
        if (names.Length == 0)
        {
            span[written++] = (byte)'{';
        }

        span[written++] = (byte)'}';
        output.Advance(written);
    }

    public static string HexId(ulong idHigh, uint idLow)
    {
        Span<byte> quoted = stackalloc byte[26];
        WriteHexId(idHigh, idLow, quoted);
        return Encoding.ASCII.GetString(quoted[1..^1]);
    }

    /// <summary>A 24-hex lowercase _id as two numbers whose order is the string's ordinal order.</summary>
    public static bool TryParseHex(string? objectId, out ulong high, out uint low)
    {
        high = 0;
        low = 0;
        if (objectId is not { Length: 24 })
        {
            return false;
        }

        foreach (var c in objectId)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        high = ulong.Parse(objectId.AsSpan(0, 16), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
        low = uint.Parse(objectId.AsSpan(16, 8), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    private static bool TryEncodeCompact(string identifier, string objectId, long dateMs, string? type, ReadOnlyMemory<byte> json, ulong idHigh, uint idLow,
        ArrayBufferWriter<byte> output)
    {
        var sameIdentifier = identifier == objectId;
        output.Write([sameIdentifier ? KindCompact : KindCompactWithIdentifier]);
        if (!sameIdentifier)
        {
            WriteText(output, identifier);
        }

        if (!WriteType(output, type, shareOnly: true))
        {
            return false;
        }

        using var parsed = JsonDocument.Parse(json);
        var names = new List<string>();
        foreach (var property in parsed.RootElement.EnumerateObject())
        {
            names.Add(property.Name);
        }

        var shape = JsonFragments.Shared.ShapeId(names);
        if (shape < 0)
        {
            return false;
        }

        WriteVarint(output, (ulong)shape);
        Span<byte> scratch = stackalloc byte[32];
        foreach (var property in parsed.RootElement.EnumerateObject())
        {
            var value = property.Value;
            var raw = JsonMarshal.GetRawUtf8Value(value);
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    output.Write([TagNull]);
                    continue;
                case JsonValueKind.True:
                    output.Write([TagTrue]);
                    continue;
                case JsonValueKind.False:
                    output.Write([TagFalse]);
                    continue;
                case JsonValueKind.Number when Utf8Parser.TryParse(raw, out long number, out var consumed) && consumed == raw.Length
                    && Utf8Formatter.TryFormat(number, scratch, out var formatted) && scratch[..formatted].SequenceEqual(raw):
                    if (number == dateMs)
                    {
                        output.Write([TagDate]);
                    }
                    else
                    {
                        output.Write([TagInteger]);
                        WriteVarint(output, ZigZagEncode(number));
                    }

                    continue;
                case JsonValueKind.String when raw.Length == 26 && WriteIso(dateMs, scratch) == 26 && scratch[..26].SequenceEqual(raw):
                    output.Write([TagIsoDate]);
                    continue;
                case JsonValueKind.String when raw.Length == 26 && WriteHexId(idHigh, idLow, scratch) == 26 && scratch[..26].SequenceEqual(raw):
                    output.Write([TagObjectId]);
                    continue;
                case JsonValueKind.String when SharedValueNames.Contains(property.Name) && JsonFragments.Shared.StringId(value.GetString()!) is >= 0 and var id:
                    output.Write([TagShared]);
                    WriteVarint(output, (ulong)id);
                    continue;
                default:
                    output.Write([TagRaw]);
                    WriteVarint(output, (ulong)raw.Length);
                    output.Write(raw);
                    continue;
            }
        }

        return true;
    }

    // 0: none; 1: the text follows; 2+: shared string id + 2. With shareOnly, a type the shared table cannot take fails.
    private static bool WriteType(ArrayBufferWriter<byte> output, string? type, bool shareOnly = false)
    {
        if (type is null)
        {
            WriteVarint(output, 0);
            return true;
        }

        var id = JsonFragments.Shared.StringId(type);
        if (id >= 0)
        {
            WriteVarint(output, (ulong)id + 2);
            return true;
        }

        if (shareOnly)
        {
            return false;
        }

        WriteVarint(output, 1);
        WriteText(output, type);
        return true;
    }

    private static string? ReadType(ReadOnlySpan<byte> payload, ref int at)
    {
        var code = (int)ReadVarint(payload, ref at);
        return code switch
        {
            0 => null,
            1 => ReadText(payload, ref at),
            _ => JsonFragments.Shared.StringValue(code - 2),
        };
    }

    private static void SkipType(ReadOnlySpan<byte> payload, ref int at)
    {
        if (ReadVarint(payload, ref at) == 1)
        {
            Skip(payload, ref at, (int)ReadVarint(payload, ref at));
        }
    }

    private static void WriteText(ArrayBufferWriter<byte> output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static string ReadText(ReadOnlySpan<byte> payload, ref int at)
    {
        var length = (int)ReadVarint(payload, ref at);
        var text = Encoding.UTF8.GetString(payload.Slice(at, length));
        at += length;
        return text;
    }

    private static void Skip(ReadOnlySpan<byte> payload, ref int at, int length) => at += length;

    public static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var written = 0;
        while (value >= 0x80)
        {
            span[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[written++] = (byte)value;
        output.Advance(written);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadVarint(ReadOnlySpan<byte> payload, ref int at)
    {
        // Most are one byte (tags' values, shape and string ids, readings).
        ulong first = payload[at];
        if (first < 0x80)
        {
            at++;
            return first;
        }

        return ReadLongVarint(payload, ref at);
    }

    private static ulong ReadLongVarint(ReadOnlySpan<byte> payload, ref int at)
    {
        ulong value = 0;
        var shift = 0;
        byte next;
        do
        {
            next = payload[at++];
            value |= (ulong)(next & 0x7F) << shift;
            shift += 7;
        }
        while ((next & 0x80) != 0);

        return value;
    }

    private static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Ensure(IBufferWriter<byte> output, ref Span<byte> span, ref int written, int more)
    {
        if (span.Length - written < more)
        {
            Grow(output, ref span, ref written, more);
        }
    }

    private static void Grow(IBufferWriter<byte> output, ref Span<byte> span, ref int written, int more)
    {
        output.Advance(written);
        written = 0;
        span = output.GetSpan(Math.Max(more, 512));
    }

    // "yyyy-MM-ddTHH:mm:ss.fffZ" in quotes, as DocumentTime.Iso gives it.
    private static int WriteIso(long dateMs, Span<byte> to)
    {
        if (dateMs < MinDateMs || dateMs > MaxDateMs)
        {
            return 0;
        }

        var time = DateTimeOffset.FromUnixTimeMilliseconds(dateMs).UtcDateTime;
        // The calendar date in one pass rather than three (Year, Month and Day each walk it again).
        time.Deconstruct(out int year, out int month, out int day);
        var msOfDay = (int)(time.TimeOfDay.Ticks / TimeSpan.TicksPerMillisecond);
        var pairs = DigitPairs;
        to[0] = (byte)'"';
        TwoDigits(to, 1, pairs, year / 100);
        TwoDigits(to, 3, pairs, year % 100);
        to[5] = (byte)'-';
        TwoDigits(to, 6, pairs, month);
        to[8] = (byte)'-';
        TwoDigits(to, 9, pairs, day);
        to[11] = (byte)'T';
        TwoDigits(to, 12, pairs, msOfDay / 3_600_000);
        to[14] = (byte)':';
        TwoDigits(to, 15, pairs, msOfDay / 60_000 % 60);
        to[17] = (byte)':';
        TwoDigits(to, 18, pairs, msOfDay / 1000 % 60);
        to[20] = (byte)'.';
        to[21] = (byte)('0' + (msOfDay % 1000 / 100));
        TwoDigits(to, 22, pairs, msOfDay % 100);
        to[24] = (byte)'Z';
        to[25] = (byte)'"';
        return 26;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TwoDigits(Span<byte> to, int at, byte[] pairs, int value)
    {
        to[at] = pairs[2 * value];
        to[at + 1] = pairs[(2 * value) + 1];
    }

    private static int WriteHexId(ulong high, uint low, Span<byte> to)
    {
        var pairs = HexPairs;
        to[0] = (byte)'"';
        for (var i = 0; i < 8; i++)
        {
            var b = (int)(high >> (56 - (8 * i))) & 0xFF;
            to[1 + (2 * i)] = pairs[2 * b];
            to[2 + (2 * i)] = pairs[(2 * b) + 1];
        }

        for (var i = 0; i < 4; i++)
        {
            var b = (int)(low >> (24 - (8 * i))) & 0xFF;
            to[17 + (2 * i)] = pairs[2 * b];
            to[18 + (2 * i)] = pairs[(2 * b) + 1];
        }

        to[25] = (byte)'"';
        return 26;
    }

    // "00".."99" and "00".."ff" as byte pairs: two digits per lookup.
    private static byte[] Pairs(int count, string digits) =>
        Enumerable.Range(0, count).SelectMany(i => new[] { (byte)digits[i / digits.Length], (byte)digits[i % digits.Length] }).ToArray();
}
