namespace Nocturne.Grains.Properties;

/// <summary>
/// The glucose unit conversions, one per purpose, because the two projects we follow differ:
/// the reference shows and converts thresholds with 18.01559 and JavaScript's Math.round
/// (halves toward +infinity) to one decimal, so shown values match its to the digit; oref0 turns
/// mmol/L profiles into mg/dL (and its mmol/L output back) with a plain 18, so the loop's inputs
/// and decisions match oref0's to the unit.
/// </summary>
public static class GlucoseUnits
{
    /// <summary>The reference's factor (constants.json MMOL_TO_MGDL): display, thresholds, ddata.</summary>
    public const double MmolToMgdl = 18.01559;

    /// <summary>oref0's factor: mmol/L profile values given to the loop.</summary>
    public const double OrefMmolToMgdl = 18.0;

    /// <summary>The mg/dL-per-unit factor for the loop's inputs in the profile's units.</summary>
    public static double OrefToMgdlFactor(string units) => units.StartsWith("mmol", StringComparison.OrdinalIgnoreCase) ? OrefMmolToMgdl : 1.0;

    public static double JsRound(double value) => Math.Floor(value + 0.5);

    public static double ToMmol(double mgdl) => JsRound(mgdl / MmolToMgdl * 10) / 10;

    /// <summary>The value in the site's units: mmol rounded to one decimal, mg/dL as is.</summary>
    public static double Scale(double mgdl, string units) => units == "mmol" ? ToMmol(mgdl) : mgdl;
}
