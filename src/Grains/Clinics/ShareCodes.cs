using System.Security.Cryptography;
using System.Text;

namespace Nocturne.Grains.Clinics;

/// <summary>
/// Share codes a patient hands to a clinic: 16 characters from an alphabet without look-alikes
/// (80 bits), shown once; only their SHA-256 is stored.
/// </summary>
public static class ShareCodes
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private const int Length = 16;

    public static string New()
    {
        var chars = new char[Length];
        for (var i = 0; i < Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
    }

    /// <summary>The stored form; spaces, dashes and case do not matter, as people retype codes.</summary>
    public static byte[] Hash(string code)
    {
        var normal = new string(code.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        return SHA256.HashData(Encoding.ASCII.GetBytes(normal));
    }
}
