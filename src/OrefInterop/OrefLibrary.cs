using System.Runtime.InteropServices;
using System.Text.Json;
using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.OrefInterop;

/// <summary>Safe access to liboref: ABI check and string ownership handled here, once.</summary>
public static class OrefLibrary
{
    /// <summary>The ABI this build of the bindings was written against.</summary>
    public const uint ExpectedAbiVersion = 4;

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

    private static readonly OrefJsonContext Wire = OrefJsonContext.Default;

    /// <summary>IOB and activity of explicit doses; throws <see cref="OrefException"/> when oref refuses the input.</summary>
    public static IReadOnlyList<IobTotals> CalculateIob(IobRequest request) => Call<List<IobTotals>>(OrefNative.Iob, request);

    /// <summary>oref0's IOB array from treatments.</summary>
    public static IReadOnlyList<IobTick> CalculateIobFromHistory(IobHistoryRequest request) => Call<List<IobTick>>(OrefNative.IobHistory, request);

    /// <summary>oref0's meal data (COB).</summary>
    public static MealData CalculateMeal(MealRequest request) => Call<MealData>(OrefNative.Meal, request);

    /// <summary>IOB and COB at many instants in one call; each point as the single IOB and meal calls would answer it.</summary>
    public static IReadOnlyList<IobCobValue> CalculateIobCobSeries(IobCobSeriesRequest request) => Call<List<IobCobValue>>(OrefNative.IobCobSeries, request);

    /// <summary>oref0's autosens ratio.</summary>
    public static AutosensResult DetectSensitivity(AutosensRequest request) => Call<AutosensResult>(OrefNative.Autosens, request);

    /// <summary>oref0's determine-basal on prepared inputs.</summary>
    public static OrefSuggestion DetermineBasal(DetermineBasalRequest request) => ToSuggestion(Call<JsonElement>(OrefNative.DetermineBasal, request));

    /// <summary>The whole loop over stored data: autosens, IOB, meal, determine-basal.</summary>
    public static OrefLoopResult Suggest(SuggestRequest request)
    {
        var result = Call<JsonElement>(OrefNative.Suggest, request);
        return new OrefLoopResult(
            result.GetProperty("glucoseStatus").Deserialize(Wire.GlucoseStatus)!,
            result.GetProperty("autosens").ValueKind == JsonValueKind.Null ? null : result.GetProperty("autosens").Deserialize(Wire.AutosensResult),
            result.GetProperty("iob").Deserialize(Wire.IobTick)!,
            result.GetProperty("meal").Deserialize(Wire.MealData)!,
            ToSuggestion(result.GetProperty("suggested")));
    }

    private static T Call<T>(Func<string, IntPtr> export, object request)
    {
        var json = JsonSerializer.Serialize(request, Wire.GetTypeInfo(request.GetType()) ?? throw new InvalidOperationException($"{request.GetType()} is not in OrefJsonContext"));
        var reply = (OrefReply<T>?)JsonSerializer.Deserialize(TakeString(export(json)), Wire.GetTypeInfo(typeof(OrefReply<T>))!)
            ?? throw new OrefException("liboref returned nothing");
        return reply.Ok && reply.Result is { } result ? result : throw new OrefException(reply.Error ?? "liboref failed");
    }

    private static OrefSuggestion ToSuggestion(JsonElement suggested)
    {
        // BGI, ISF, deviation and target are strings for mmol/L profiles; the decision fields are always numbers.
        double? Number(string name) => suggested.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        string? Text(string name) => suggested.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new OrefSuggestion
        {
            Rate = Number("rate"),
            Duration = Number("duration"),
            Units = Number("units"),
            EventualBg = Number("eventualBG"),
            InsulinReq = Number("insulinReq"),
            CarbsReq = Number("carbsReq"),
            Bg = Number("bg"),
            Cob = Number("COB"),
            Iob = Number("IOB"),
            SensitivityRatio = Number("sensitivityRatio"),
            Predictions = suggested.TryGetProperty("predBGs", out var p) ? p.Deserialize(Wire.OrefPredictions) : null,
            Reason = Text("reason"),
            Error = Text("error"),
            Json = suggested.GetRawText(),
        };
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
