//! The oref0 profile (the `profile.json` oref0-get-profile writes) and its schedule lookups.
//!
//! Every setting is optional because oref0 tests each one for presence or truthiness; an
//! absent number behaves like JavaScript's `undefined` (NaN in arithmetic, false in comparisons).

use serde::{Deserialize, Serialize};

use crate::js;
use crate::time::Zone;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct BasalScheduleEntry {
    #[serde(default)]
    pub i: Option<f64>,
    /// Minutes after local midnight.
    pub minutes: f64,
    pub rate: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IsfScheduleEntry {
    /// Minutes after local midnight.
    pub offset: f64,
    pub sensitivity: f64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IsfProfile {
    #[serde(default)]
    pub sensitivities: Vec<IsfScheduleEntry>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[allow(non_snake_case)]
pub struct Profile {
    /// Duration of insulin action in hours.
    pub dia: f64,
    #[serde(default)]
    pub curve: Option<String>,
    #[serde(default, rename = "useCustomPeakTime")]
    pub use_custom_peak_time: Option<bool>,
    #[serde(default, rename = "insulinPeakTime")]
    pub insulin_peak_time: Option<f64>,

    #[serde(default)]
    pub current_basal: Option<f64>,
    #[serde(default)]
    pub basalprofile: Vec<BasalScheduleEntry>,
    #[serde(default)]
    pub max_daily_basal: Option<f64>,
    #[serde(default)]
    pub max_basal: Option<f64>,
    #[serde(default)]
    pub max_daily_safety_multiplier: Option<f64>,
    #[serde(default)]
    pub current_basal_safety_multiplier: Option<f64>,
    #[serde(default)]
    pub model: Option<String>,

    #[serde(default)]
    pub min_bg: Option<f64>,
    #[serde(default)]
    pub max_bg: Option<f64>,
    #[serde(default)]
    pub temptargetSet: Option<bool>,
    #[serde(default)]
    pub half_basal_exercise_target: Option<f64>,
    #[serde(default)]
    pub exercise_mode: Option<bool>,
    #[serde(default)]
    pub high_temptarget_raises_sensitivity: Option<bool>,
    #[serde(default)]
    pub low_temptarget_lowers_sensitivity: Option<bool>,
    #[serde(default)]
    pub sensitivity_raises_target: Option<bool>,
    #[serde(default)]
    pub resistance_lowers_target: Option<bool>,

    #[serde(default)]
    pub sens: Option<f64>,
    #[serde(default, rename = "isfProfile")]
    pub isf_profile: IsfProfile,
    #[serde(default)]
    pub carb_ratio: Option<f64>,
    #[serde(default)]
    pub min_5m_carbimpact: Option<f64>,
    #[serde(default, rename = "maxCOB")]
    pub max_cob: Option<f64>,
    #[serde(default)]
    pub autosens_min: Option<f64>,
    #[serde(default)]
    pub autosens_max: Option<f64>,
    #[serde(default)]
    pub rewind_resets_autosens: Option<bool>,

    #[serde(default)]
    pub max_iob: Option<f64>,
    #[serde(default)]
    pub out_units: Option<String>,
    #[serde(default)]
    pub noisyCGMTargetMultiplier: Option<f64>,
    #[serde(default)]
    pub maxRaw: Option<f64>,
    #[serde(default)]
    pub skip_neutral_temps: Option<bool>,
    #[serde(default)]
    pub carbsReqThreshold: Option<f64>,
    #[serde(default)]
    pub remainingCarbsCap: Option<f64>,
    #[serde(default)]
    pub remainingCarbsFraction: Option<f64>,
    #[serde(default)]
    pub maxDelta_bg_threshold: Option<f64>,
    #[serde(default)]
    pub enableUAM: Option<bool>,
    #[serde(default)]
    pub enableSMB_always: Option<bool>,
    #[serde(default)]
    pub enableSMB_with_COB: Option<bool>,
    #[serde(default)]
    pub enableSMB_after_carbs: Option<bool>,
    #[serde(default)]
    pub enableSMB_with_temptarget: Option<bool>,
    #[serde(default)]
    pub enableSMB_high_bg: Option<bool>,
    #[serde(default)]
    pub enableSMB_high_bg_target: Option<f64>,
    #[serde(default)]
    pub allowSMB_with_high_temptarget: Option<bool>,
    #[serde(default)]
    pub A52_risk_enable: Option<bool>,
    #[serde(default)]
    pub maxSMBBasalMinutes: Option<f64>,
    #[serde(default)]
    pub maxUAMSMBBasalMinutes: Option<f64>,
    #[serde(default)]
    pub SMBInterval: Option<f64>,
    #[serde(default)]
    pub bolus_increment: Option<f64>,
}

impl Profile {
    /// The insulin-curve settings the IOB model reads.
    pub fn insulin(&self) -> crate::iob::InsulinProfile {
        crate::iob::InsulinProfile {
            dia: self.dia,
            curve: self.curve.clone(),
            use_custom_peak_time: self.use_custom_peak_time,
            insulin_peak_time: self.insulin_peak_time,
        }
    }
}

/// An optional number as JavaScript would use it in arithmetic.
pub fn n(value: Option<f64>) -> f64 {
    value.unwrap_or(f64::NAN)
}

/// `=== true`.
pub fn is_true(value: Option<bool>) -> bool {
    value == Some(true)
}

/// oref0's basalLookup: the scheduled rate (U/h, 3 decimals) at a moment, or NaN for a
/// schedule whose last rate is zero (oref0 rejects it as bad).
pub fn basal_lookup(schedule: &[BasalScheduleEntry], zone: &Zone, ms: f64) -> f64 {
    if schedule.is_empty() {
        return f64::NAN;
    }
    let mut sorted: Vec<&BasalScheduleEntry> = schedule.iter().collect();
    if sorted.iter().all(|e| e.i.is_some()) {
        sorted.sort_by(|a, b| a.i.partial_cmp(&b.i).unwrap_or(std::cmp::Ordering::Equal));
    }
    let mut rate = sorted[sorted.len() - 1].rate;
    if rate == 0.0 {
        return f64::NAN;
    }
    let now = zone.minutes_of_day(ms);
    for pair in sorted.windows(2) {
        if now >= pair[0].minutes && now < pair[1].minutes {
            rate = pair[0].rate;
            break;
        }
    }
    js::round(rate * 1000.0) / 1000.0
}

/// oref0's isfLookup: the scheduled sensitivity at a moment; -1 when the schedule does not
/// start at midnight.
pub fn isf_lookup(profile: &IsfProfile, zone: &Zone, ms: f64) -> f64 {
    let mut sorted: Vec<&IsfScheduleEntry> = profile.sensitivities.iter().collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(|a, b| a.offset.partial_cmp(&b.offset).unwrap_or(std::cmp::Ordering::Equal));
    if sorted[0].offset != 0.0 {
        return -1.0;
    }
    let now = zone.minutes_of_day(ms);
    let mut chosen = sorted[sorted.len() - 1];
    for pair in sorted.windows(2) {
        if now >= pair[0].offset && now < pair[1].offset {
            chosen = pair[0];
            break;
        }
    }
    chosen.sensitivity
}

/// oref0's round_basal: the rate rounded to what the pump can deliver.
pub fn round_basal(basal: f64, profile: &Profile) -> f64 {
    let lowest_rate_scale = match profile.model.as_deref() {
        Some(model) if model.ends_with("54") || model.ends_with("23") => 40.0,
        _ => 20.0,
    };
    if basal < 1.0 {
        js::round(basal * lowest_rate_scale) / lowest_rate_scale
    } else if basal < 10.0 {
        js::round(basal * 20.0) / 20.0
    } else {
        js::round(basal * 10.0) / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> Vec<BasalScheduleEntry> {
        vec![
            BasalScheduleEntry { i: Some(0.0), minutes: 0.0, rate: 0.8, start: None },
            BasalScheduleEntry { i: Some(1.0), minutes: 360.0, rate: 1.2, start: None },
            BasalScheduleEntry { i: Some(2.0), minutes: 1320.0, rate: 0.9, start: None },
        ]
    }

    #[test]
    fn basal_lookup_uses_the_local_wall_clock() {
        let noon_utc = 1_795_348_800_000.0;
        assert_eq!(basal_lookup(&schedule(), &Zone::new(0), noon_utc), 1.2);
        assert_eq!(basal_lookup(&schedule(), &Zone::new(-420), noon_utc), 0.8); // 05:00 local
        assert_eq!(basal_lookup(&schedule(), &Zone::new(600), noon_utc), 0.9); // 22:00 local
        assert_eq!(basal_lookup(&schedule(), &Zone::new(0), f64::NAN), 0.9); // invalid date: last rate
    }

    #[test]
    fn pump_rounding_depends_on_the_rate_and_model() {
        let mut profile = Profile::default();
        assert_eq!(round_basal(0.4375, &profile), 0.45);
        profile.model = Some("554".into());
        assert_eq!(round_basal(0.4375, &profile), 0.45);
        assert_eq!(round_basal(0.43, &profile), 0.425);
        assert_eq!(round_basal(12.34, &profile), 12.3);
    }
}
