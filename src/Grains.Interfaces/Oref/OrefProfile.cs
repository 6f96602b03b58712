using System.Text.Json.Serialization;

namespace Nocturne.Grains.Interfaces.Oref;

/// <summary>
/// The therapy profile in oref0's shape (what oref0-get-profile writes): schedules, targets,
/// insulin curve, safety limits and SMB settings. Unset settings stay absent, as oref0 tests
/// most of them for presence.
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.oref.OrefProfile")]
public sealed record OrefProfile
{
    [Id(0), JsonPropertyName("dia")] public double Dia { get; init; }
    [Id(1), JsonPropertyName("curve")] public string? Curve { get; init; }
    [Id(2), JsonPropertyName("useCustomPeakTime")] public bool? UseCustomPeakTime { get; init; }
    [Id(3), JsonPropertyName("insulinPeakTime")] public double? InsulinPeakTime { get; init; }
    [Id(4), JsonPropertyName("current_basal")] public double? CurrentBasal { get; init; }
    [Id(5), JsonPropertyName("basalprofile")] public IReadOnlyList<OrefBasalEntry> BasalProfile { get; init; } = [];
    [Id(6), JsonPropertyName("max_daily_basal")] public double? MaxDailyBasal { get; init; }
    [Id(7), JsonPropertyName("max_basal")] public double? MaxBasal { get; init; }
    [Id(8), JsonPropertyName("max_daily_safety_multiplier")] public double? MaxDailySafetyMultiplier { get; init; }
    [Id(9), JsonPropertyName("current_basal_safety_multiplier")] public double? CurrentBasalSafetyMultiplier { get; init; }
    [Id(10), JsonPropertyName("model")] public string? Model { get; init; }
    [Id(11), JsonPropertyName("min_bg")] public double? MinBg { get; init; }
    [Id(12), JsonPropertyName("max_bg")] public double? MaxBg { get; init; }
    [Id(13), JsonPropertyName("temptargetSet")] public bool? TempTargetSet { get; init; }
    [Id(14), JsonPropertyName("half_basal_exercise_target")] public double? HalfBasalExerciseTarget { get; init; }
    [Id(15), JsonPropertyName("exercise_mode")] public bool? ExerciseMode { get; init; }
    [Id(16), JsonPropertyName("high_temptarget_raises_sensitivity")] public bool? HighTempTargetRaisesSensitivity { get; init; }
    [Id(17), JsonPropertyName("low_temptarget_lowers_sensitivity")] public bool? LowTempTargetLowersSensitivity { get; init; }
    [Id(18), JsonPropertyName("sensitivity_raises_target")] public bool? SensitivityRaisesTarget { get; init; }
    [Id(19), JsonPropertyName("resistance_lowers_target")] public bool? ResistanceLowersTarget { get; init; }
    [Id(20), JsonPropertyName("sens")] public double? Sens { get; init; }
    [Id(21), JsonPropertyName("isfProfile")] public OrefIsfProfile IsfProfile { get; init; } = new([]);
    [Id(22), JsonPropertyName("carb_ratio")] public double? CarbRatio { get; init; }
    [Id(23), JsonPropertyName("min_5m_carbimpact")] public double? Min5mCarbImpact { get; init; }
    [Id(24), JsonPropertyName("maxCOB")] public double? MaxCob { get; init; }
    [Id(25), JsonPropertyName("autosens_min")] public double? AutosensMin { get; init; }
    [Id(26), JsonPropertyName("autosens_max")] public double? AutosensMax { get; init; }
    [Id(27), JsonPropertyName("rewind_resets_autosens")] public bool? RewindResetsAutosens { get; init; }
    [Id(28), JsonPropertyName("max_iob")] public double? MaxIob { get; init; }
    [Id(29), JsonPropertyName("out_units")] public string? OutUnits { get; init; }
    [Id(30), JsonPropertyName("noisyCGMTargetMultiplier")] public double? NoisyCgmTargetMultiplier { get; init; }
    [Id(31), JsonPropertyName("maxRaw")] public double? MaxRaw { get; init; }
    [Id(32), JsonPropertyName("skip_neutral_temps")] public bool? SkipNeutralTemps { get; init; }
    [Id(33), JsonPropertyName("carbsReqThreshold")] public double? CarbsReqThreshold { get; init; }
    [Id(34), JsonPropertyName("remainingCarbsCap")] public double? RemainingCarbsCap { get; init; }
    [Id(35), JsonPropertyName("remainingCarbsFraction")] public double? RemainingCarbsFraction { get; init; }
    [Id(36), JsonPropertyName("maxDelta_bg_threshold")] public double? MaxDeltaBgThreshold { get; init; }
    [Id(37), JsonPropertyName("enableUAM")] public bool? EnableUam { get; init; }
    [Id(38), JsonPropertyName("enableSMB_always")] public bool? EnableSmbAlways { get; init; }
    [Id(39), JsonPropertyName("enableSMB_with_COB")] public bool? EnableSmbWithCob { get; init; }
    [Id(40), JsonPropertyName("enableSMB_after_carbs")] public bool? EnableSmbAfterCarbs { get; init; }
    [Id(41), JsonPropertyName("enableSMB_with_temptarget")] public bool? EnableSmbWithTempTarget { get; init; }
    [Id(42), JsonPropertyName("enableSMB_high_bg")] public bool? EnableSmbHighBg { get; init; }
    [Id(43), JsonPropertyName("enableSMB_high_bg_target")] public double? EnableSmbHighBgTarget { get; init; }
    [Id(44), JsonPropertyName("allowSMB_with_high_temptarget")] public bool? AllowSmbWithHighTempTarget { get; init; }
    [Id(45), JsonPropertyName("A52_risk_enable")] public bool? A52RiskEnable { get; init; }
    [Id(46), JsonPropertyName("maxSMBBasalMinutes")] public double? MaxSmbBasalMinutes { get; init; }
    [Id(47), JsonPropertyName("maxUAMSMBBasalMinutes")] public double? MaxUamSmbBasalMinutes { get; init; }
    [Id(48), JsonPropertyName("SMBInterval")] public double? SmbInterval { get; init; }
    [Id(49), JsonPropertyName("bolus_increment")] public double? BolusIncrement { get; init; }
}
