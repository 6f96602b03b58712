using System.Runtime.InteropServices;

namespace Nocturne.OrefInterop;

/// <summary>P/Invoke declarations for liboref (oref-rs). Callers use <see cref="OrefLibrary"/>.</summary>
internal static partial class OrefNative
{
    private const string Library = "oref";

    [LibraryImport(Library, EntryPoint = "oref_abi_version")]
    internal static partial uint AbiVersion();

    [LibraryImport(Library, EntryPoint = "oref_library_info")]
    internal static partial IntPtr LibraryInfo();

    [LibraryImport(Library, EntryPoint = "oref_iob", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Iob(string request);

    [LibraryImport(Library, EntryPoint = "oref_iob_history", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr IobHistory(string request);

    [LibraryImport(Library, EntryPoint = "oref_meal", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Meal(string request);

    [LibraryImport(Library, EntryPoint = "oref_autosens", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Autosens(string request);

    [LibraryImport(Library, EntryPoint = "oref_determine_basal", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr DetermineBasal(string request);

    [LibraryImport(Library, EntryPoint = "oref_suggest", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Suggest(string request);

    [LibraryImport(Library, EntryPoint = "oref_iob_cob_series", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr IobCobSeries(string request);

    [LibraryImport(Library, EntryPoint = "oref_free_string")]
    internal static partial void FreeString(IntPtr value);
}
