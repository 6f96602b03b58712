using System.Security.Cryptography;
using System.Text;

namespace Nocturne.Grains.Documents;

/// <summary>
/// RFC 4122 version-5 UUIDs, as the v3 API derives identifiers for documents that come without
/// one: <c>uuidv5(device + '_' + date [+ '_' + eventType])</c> in the namespace made of the 16
/// ASCII bytes "NightscoutRocks!".
/// </summary>
public static class Uuid5
{
    private static readonly byte[] NightscoutNamespace = Encoding.ASCII.GetBytes("NightscoutRocks!");

    public static string Create(string name) => Create(NightscoutNamespace, name);

    public static string Create(byte[] namespaceBytes, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[namespaceBytes.Length + nameBytes.Length];
        namespaceBytes.CopyTo(input, 0);
        nameBytes.CopyTo(input, namespaceBytes.Length);
#pragma warning disable CA5350 // Version 5 UUIDs are defined over SHA-1; this is naming, not security.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash, 0, 16);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
