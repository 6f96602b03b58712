using System.Text.Json.Nodes;

namespace Nocturne.Grains.Import;

/// <summary>A source's <c>auth_subjects</c> and <c>auth_roles</c> documents, as the API shows them.</summary>
public sealed record SourceAccess(IReadOnlyList<JsonObject> Subjects, IReadOnlyList<JsonObject> Roles);
