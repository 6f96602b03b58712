using System.Text.Json;
using System.Text.Json.Serialization;
using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.OrefInterop;

/// <summary>
/// Source-generated JSON for the C ABI: reflection-based serialization of the 48-point IOB array
/// cost more than determine-basal itself. Absent stays absent: oref0 distinguishes a missing
/// setting from a zero.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IobRequest))]
[JsonSerializable(typeof(IobHistoryRequest))]
[JsonSerializable(typeof(MealRequest))]
[JsonSerializable(typeof(AutosensRequest))]
[JsonSerializable(typeof(DetermineBasalRequest))]
[JsonSerializable(typeof(SuggestRequest))]
[JsonSerializable(typeof(IobCobSeriesRequest))]
[JsonSerializable(typeof(OrefReply<List<IobCobValue>>))]
[JsonSerializable(typeof(OrefReply<List<IobTotals>>))]
[JsonSerializable(typeof(OrefReply<List<IobTick>>))]
[JsonSerializable(typeof(OrefReply<MealData>))]
[JsonSerializable(typeof(OrefReply<AutosensResult>))]
[JsonSerializable(typeof(OrefReply<JsonElement>))]
[JsonSerializable(typeof(GlucoseStatus))]
[JsonSerializable(typeof(OrefPredictions))]
internal sealed partial class OrefJsonContext : JsonSerializerContext;
