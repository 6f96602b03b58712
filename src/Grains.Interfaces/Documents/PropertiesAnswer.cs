namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// A finished <c>/api/v2/properties</c> answer as the UTF-8 JSON that goes on the wire, <c>alarms</c>
/// included when wanted: the API writes it as it is, with no text copy or second grain call per read.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.PropertiesAnswer")]
public sealed record PropertiesAnswer([property: Id(0)] byte[] Utf8Json);
