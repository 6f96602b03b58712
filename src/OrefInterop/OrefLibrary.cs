using System.Runtime.InteropServices;
using System.Text.Json;

namespace Nocturne.OrefInterop;

/// <summary>Safe access to liboref: ABI check and string ownership handled here, once.</summary>
public static class OrefLibrary
{
    /// <summary>The ABI this build of the bindings was written against.</summary>
    public const uint ExpectedAbiVersion = 1;

    public static uint AbiVersion => OrefNative.AbiVersion();

    /// <summary>Throws when the loaded library speaks another ABI than these bindings.</summary>
    public static void EnsureCompatible()
    {
        var actual = OrefNative.AbiVersion();
        if (actual != ExpectedAbiVersion)
        {
            throw new InvalidOperationException($"liboref ABI {actual} does not match the bindings (ABI {ExpectedAbiVersion}); rebuild oref-rs.");
        }
    }

    public static OrefLibraryInfo Info() =>
        JsonSerializer.Deserialize<OrefLibraryInfo>(TakeString(OrefNative.LibraryInfo()))
        ?? throw new InvalidOperationException("liboref returned an empty library description");

    /// <summary>Copies a string returned by liboref and frees the native copy.</summary>
    internal static string TakeString(IntPtr native)
    {
        if (native == IntPtr.Zero)
        {
            throw new InvalidOperationException("liboref reported a failure (null result)");
        }

        try
        {
            return Marshal.PtrToStringUTF8(native) ?? "";
        }
        finally
        {
            OrefNative.FreeString(native);
        }
    }
}
