using System.Text.Json.Serialization;

namespace Nocturne.OrefInterop;

public sealed record OrefLibraryInfo(
    [property: JsonPropertyName("abi_version")] uint AbiVersion,
    [property: JsonPropertyName("crate_version")] string CrateVersion);
