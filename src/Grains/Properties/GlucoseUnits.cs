namespace Nocturne.Grains.Properties;

/// <summary>
/// mg/dL to mmol/L as the reference converts for display: its factor (18.01559) and JavaScript's
/// Math.round (halves toward +infinity) to one decimal, so shown values match its to the digit.
/// </summary>
public static class GlucoseUnits
{
    public const double MmolToMgdl = 18.01559;

    public static double JsRound(double value) => Math.Floor(value + 0.5);

    public static double ToMmol(double mgdl) => JsRound(mgdl / MmolToMgdl * 10) / 10;

    /// <summary>The value in the site's units: mmol rounded to one decimal, mg/dL as is.</summary>
    public static double Scale(double mgdl, string units) => units == "mmol" ? ToMmol(mgdl) : mgdl;
}
