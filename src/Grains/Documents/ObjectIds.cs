using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Nocturne.Grains.Documents;

/// <summary>
/// 24-hex ids in MongoDB ObjectId layout (4 bytes of seconds, then random), because v1 clients
/// validate and sort by them.
/// </summary>
public static partial class ObjectIds
{
    public static string New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)now.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(bytes[4..]);
        return Convert.ToHexStringLower(bytes);
    }

    public static bool IsValid(string? value) => value is not null && Hex24().IsMatch(value);

    public static bool IsUuid(string? value) => value is not null && Guid.TryParseExact(value, "D", out _);

    [GeneratedRegex("^[0-9a-fA-F]{24}$", RegexOptions.CultureInvariant)]
    private static partial Regex Hex24();
}
