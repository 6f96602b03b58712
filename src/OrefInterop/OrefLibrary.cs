using System.Runtime.InteropServices;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Oref;

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

    /// <summary>IOB and activity through the C ABI; throws <see cref="OrefException"/> when oref refuses the input.</summary>
    public static IReadOnlyList<IobTotals> CalculateIob(IobRequest request)
    {
        var reply = JsonSerializer.Deserialize<OrefReply<List<IobTotals>>>(TakeString(OrefNative.Iob(JsonSerializer.Serialize(request))))
            ?? throw new OrefException("liboref returned nothing");
        return reply.Ok && reply.Result is { } result ? result : throw new OrefException(reply.Error ?? "liboref failed");
    }

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
