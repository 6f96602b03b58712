using Nocturne.Grains.Interfaces.Oref;

namespace Nocturne.Grains.Oref;

/// <summary>
/// The loop's preferences that a Nightscout profile does not carry (oref0's preferences.json):
/// safety multipliers, autosens bounds, carb absorption, SMB switches. <see cref="Defaults"/> are
/// the values the loop runs with today (oref0's defaults, SMB off); a site may override them later.
/// </summary>
public sealed record OrefPreferences
{
    public static OrefPreferences Defaults { get; } = new();

    public string Curve { get; init; } = "rapid-acting";
    public double MaxDailySafetyMultiplier { get; init; } = 3;
    public double CurrentBasalSafetyMultiplier { get; init; } = 4;
    public double HalfBasalExerciseTarget { get; init; } = 160;
    public bool ExerciseMode { get; init; }
    public bool HighTempTargetRaisesSensitivity { get; init; }
    public bool LowTempTargetLowersSensitivity { get; init; }
    public bool SensitivityRaisesTarget { get; init; } = true;
    public bool ResistanceLowersTarget { get; init; }
    public double Min5mCarbImpact { get; init; } = 8;
    public double MaxCob { get; init; } = 120;
    public double AutosensMin { get; init; } = 0.7;
    public double AutosensMax { get; init; } = 1.2;
    public bool RewindResetsAutosens { get; init; } = true;
    public double MaxIob { get; init; }
    public double NoisyCgmTargetMultiplier { get; init; } = 1.3;
    public bool SkipNeutralTemps { get; init; }
    public double CarbsReqThreshold { get; init; } = 1;
    public double RemainingCarbsCap { get; init; } = 90;
    public double RemainingCarbsFraction { get; init; } = 1;
    public double MaxDeltaBgThreshold { get; init; } = 0.2;
    public bool EnableUam { get; init; } = true;
    public bool EnableSmbAlways { get; init; }
    public bool EnableSmbWithCob { get; init; }
    public bool EnableSmbAfterCarbs { get; init; }
    public bool EnableSmbWithTempTarget { get; init; }
    public bool EnableSmbHighBg { get; init; }
    public double EnableSmbHighBgTarget { get; init; } = 110;
    public bool AllowSmbWithHighTempTarget { get; init; }
    public bool A52RiskEnable { get; init; }
    public double MaxSmbBasalMinutes { get; init; } = 30;
    public double MaxUamSmbBasalMinutes { get; init; } = 30;
    public double SmbInterval { get; init; } = 3;
    public double BolusIncrement { get; init; } = 0.1;

    /// <summary>An oref profile with these preferences set and nothing of the patient's yet.</summary>
    public OrefProfile ToProfile() => new()
    {
        Curve = Curve,
        MaxDailySafetyMultiplier = MaxDailySafetyMultiplier,
        CurrentBasalSafetyMultiplier = CurrentBasalSafetyMultiplier,
        HalfBasalExerciseTarget = HalfBasalExerciseTarget,
        ExerciseMode = ExerciseMode,
        HighTempTargetRaisesSensitivity = HighTempTargetRaisesSensitivity,
        LowTempTargetLowersSensitivity = LowTempTargetLowersSensitivity,
        SensitivityRaisesTarget = SensitivityRaisesTarget,
        ResistanceLowersTarget = ResistanceLowersTarget,
        Min5mCarbImpact = Min5mCarbImpact,
        MaxCob = MaxCob,
        AutosensMin = AutosensMin,
        AutosensMax = AutosensMax,
        RewindResetsAutosens = RewindResetsAutosens,
        MaxIob = MaxIob,
        NoisyCgmTargetMultiplier = NoisyCgmTargetMultiplier,
        SkipNeutralTemps = SkipNeutralTemps,
        CarbsReqThreshold = CarbsReqThreshold,
        RemainingCarbsCap = RemainingCarbsCap,
        RemainingCarbsFraction = RemainingCarbsFraction,
        MaxDeltaBgThreshold = MaxDeltaBgThreshold,
        EnableUam = EnableUam,
        EnableSmbAlways = EnableSmbAlways,
        EnableSmbWithCob = EnableSmbWithCob,
        EnableSmbAfterCarbs = EnableSmbAfterCarbs,
        EnableSmbWithTempTarget = EnableSmbWithTempTarget,
        EnableSmbHighBg = EnableSmbHighBg,
        EnableSmbHighBgTarget = EnableSmbHighBgTarget,
        AllowSmbWithHighTempTarget = AllowSmbWithHighTempTarget,
        A52RiskEnable = A52RiskEnable,
        MaxSmbBasalMinutes = MaxSmbBasalMinutes,
        MaxUamSmbBasalMinutes = MaxUamSmbBasalMinutes,
        SmbInterval = SmbInterval,
        BolusIncrement = BolusIncrement,
    };
}
