using System.Text.Json.Nodes;

namespace Nocturne.Grains.Import;

/// <summary>One page read from a source: its documents as the API shows them, those that could not even be read (with why), and the cursor after it.</summary>
public sealed record ImportPage(IReadOnlyList<JsonObject> Documents, IReadOnlyList<string> Unreadable, string Cursor);
