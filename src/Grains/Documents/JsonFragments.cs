using System.Collections.Concurrent;
using System.Text.Json;

namespace Nocturne.Grains.Documents;

/// <summary>
/// The pieces of JSON that many sites' entries share, each kept once per process: the ordered
/// property names of an entry (its shape, e.g. <c>_id,type,date,sgv,direction,...</c>) and a few
/// repeated string values (type, direction, device). Both are bounded, because clients choose
/// them: past the bound an entry is kept as its whole JSON instead (see <see cref="CompactEntry"/>).
/// Append-only, so an index handed out stays valid for the life of the process.
/// </summary>
public sealed class JsonFragments
{
    public const int MaxShapes = 4096;
    public const int MaxStrings = 16384;
    public const int MaxStringLength = 64;

    public static readonly JsonFragments Shared = new();

    private readonly ConcurrentDictionary<string, int> _shapeIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _stringIds = new(StringComparer.Ordinal);
    private readonly byte[][][] _shapes = new byte[MaxShapes][][];
    private readonly byte[][][] _shapeSeparated = new byte[MaxShapes][][];
    private readonly byte[][] _strings = new byte[MaxStrings][];
    private readonly string[] _stringValues = new string[MaxStrings];
    private readonly Lock _gate = new();
    private int _shapeCount;
    private int _stringCount;

    /// <summary>The id of a shape (names in order); -1 when the table is full.</summary>
    public int ShapeId(IReadOnlyList<string> names)
    {
        var key = string.Join('\0', names);
        if (_shapeIds.TryGetValue(key, out var id))
        {
            return id;
        }

        lock (_gate)
        {
            if (_shapeIds.TryGetValue(key, out id))
            {
                return id;
            }

            if (_shapeCount == MaxShapes)
            {
                return -1;
            }

            // Each name as the writer puts it before its value: "name": (escaped like every other name).
            var shape = names.Select(PropertyNameBytes).ToArray();
            _shapes[_shapeCount] = shape;
            _shapeSeparated[_shapeCount] = shape.Select((name, i) => (byte[])[(byte)(i == 0 ? '{' : ','), .. name]).ToArray();
            _shapeIds[key] = _shapeCount;
            return _shapeCount++;
        }
    }

    /// <summary>The id of a short string value; -1 when it is too long or the table is full.</summary>
    public int StringId(string value, bool add = true)
    {
        if (_stringIds.TryGetValue(value, out var id))
        {
            return id;
        }

        if (!add || value.Length > MaxStringLength)
        {
            return -1;
        }

        lock (_gate)
        {
            if (_stringIds.TryGetValue(value, out id))
            {
                return id;
            }

            if (_stringCount == MaxStrings)
            {
                return -1;
            }

            _strings[_stringCount] = StringValueBytes(value);
            _stringValues[_stringCount] = value;
            _stringIds[value] = _stringCount;
            return _stringCount++;
        }
    }

    public byte[][] Shape(int id) => _shapes[id];

    /// <summary>The shape's names as rendered before each value: <c>{"first":</c>, then <c>,"next":</c>.</summary>
    public byte[][] SeparatedShape(int id) => _shapeSeparated[id];

    /// <summary>The value as JSON (quoted and escaped).</summary>
    public byte[] StringJson(int id) => _strings[id];

    public string StringValue(int id) => _stringValues[id];

    private static byte[] PropertyNameBytes(string name)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(name.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNull(name);
            writer.WriteEndObject();
        }

        // {"name":null} -> "name":
        return buffer.WrittenSpan[1..^5].ToArray();
    }

    private static byte[] StringValueBytes(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(value.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
