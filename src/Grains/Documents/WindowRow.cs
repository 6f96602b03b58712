using System.Text.Json;

namespace Nocturne.Grains.Documents;

/// <summary>
/// An entry row as the window loads it: its columns and its stored document parsed straight from
/// the row's bytes (no document tree), which <see cref="CompactEntry"/> encodes and
/// <see cref="EntryWindow.Load"/> disposes.
/// </summary>
public sealed record WindowRow(string Identifier, string ObjectId, long DateMs, string? Type, JsonDocument Doc);
