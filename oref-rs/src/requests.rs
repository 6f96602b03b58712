//! The JSON requests of the C ABI: oref0's inputs under oref0's names, plus the patient's UTC
//! offset (minutes) that oref0 would take from the process time zone.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::autosens::{autosens, AutosensInputs, AutosensResult, TempTarget};
use crate::determine_basal::{determine_basal, CurrentTemp, DetermineBasalInputs};
use crate::glucose::{glucose_status, GlucoseEntry, GlucoseStatus};
use crate::history::HistoryInputs;
use crate::iob_array::{generate, IobTick};
use crate::meal::{meal_data, MealData, MealInputs};
use crate::profile::Profile;
use crate::limits::{check_clock, check_count, check_current_temp, check_glucose, check_profile, check_temp_targets, check_treatments};
use crate::time::{Transition, Zone};

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
pub struct AutosensRatio {
    pub ratio: f64,
}

/// Most offset-table entries accepted: a request window has at most a few changes.
const MAX_TRANSITIONS: usize = 64;

/// The patient's zone as a request gives it: a table of offsets (`utcOffsets`), or one fixed
/// offset (`utcOffset`, minutes) when there is no table.
pub(crate) fn zone_of(offset: i32, table: &Option<Vec<Transition>>) -> Result<Zone, String> {
    let offset_ok = |minutes: i32| (-14 * 60..=14 * 60).contains(&minutes);
    match table {
        None => {
            if offset_ok(offset) {
                Ok(Zone::new(offset))
            } else {
                Err("utcOffset must be minutes between -840 and 840".to_owned())
            }
        }
        Some(entries) => {
            if entries.is_empty() || entries.len() > MAX_TRANSITIONS {
                return Err(format!("utcOffsets must have 1 to {MAX_TRANSITIONS} entries"));
            }
            for (i, entry) in entries.iter().enumerate() {
                if !offset_ok(entry.offset) {
                    return Err(format!("utcOffsets[{i}].offset must be minutes between -840 and 840"));
                }
                if !entry.since.is_finite() || (i > 0 && !(entry.since > entries[i - 1].since)) {
                    return Err(format!("utcOffsets[{i}].since must be epoch milliseconds after the entry before it"));
                }
                if entry.name.as_ref().is_some_and(|n| n.len() > 100) {
                    return Err(format!("utcOffsets[{i}].name is longer than 100 characters"));
                }
            }
            Ok(Zone::from_transitions(entries.clone()))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IobHistoryRequest {
    /// Nightscout treatments, newest first.
    pub history: Vec<Value>,
    pub profile: Profile,
    pub clock: f64,
    #[serde(default)]
    pub utc_offset: i32,
    /// The zone's offsets over the request window; wins over `utcOffset`.
    #[serde(default)]
    pub utc_offsets: Option<Vec<Transition>>,
    #[serde(default)]
    pub autosens: Option<AutosensRatio>,
    #[serde(default)]
    pub current_only: bool,
}

impl IobHistoryRequest {
    pub fn run(self) -> Result<Vec<IobTick>, String> {
        check_clock("clock", self.clock)?;
        check_profile(&self.profile)?;
        let zone = zone_of(self.utc_offset, &self.utc_offsets)?;
        iob_from_history(&self.history, &self.profile, self.clock, &zone, self.autosens.map(|a| a.ratio), self.current_only)
    }
}

/// The IOB array from treatments (newest first) on a checked profile and zone; shared by
/// [`IobHistoryRequest`] and the series, so both give the same answer for the same inputs.
pub(crate) fn iob_from_history(history: &[Value], profile: &Profile, clock: f64, zone: &Zone, autosens_ratio: Option<f64>, current_only: bool) -> Result<Vec<IobTick>, String> {
    check_treatments("history", history, clock, zone)?;
    let inputs = HistoryInputs { history, profile, clock, zone, autosens_ratio };
    Ok(generate(&inputs, current_only))
}

/// Meal data (COB) from treatments and readings (both newest first) on a checked profile and zone;
/// shared by [`MealRequest`] and the series.
pub(crate) fn meal_from_history(history: &[Value], carbs: &[Value], profile: &Profile, glucose: &[GlucoseEntry], clock: f64, zone: &Zone) -> Result<MealData, String> {
    check_treatments("history", history, clock, zone)?;
    check_treatments("carbs", carbs, clock, zone)?;
    check_glucose("glucose", glucose, clock, zone)?;
    let inputs = MealInputs { history, carbs, profile, glucose, clock, zone };
    Ok(meal_data(&inputs))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MealRequest {
    pub history: Vec<Value>,
    #[serde(default)]
    pub carbs: Vec<Value>,
    pub profile: Profile,
    /// Nightscout entries, newest first.
    pub glucose: Vec<GlucoseEntry>,
    pub clock: f64,
    #[serde(default)]
    pub utc_offset: i32,
    /// The zone's offsets over the request window; wins over `utcOffset`.
    #[serde(default)]
    pub utc_offsets: Option<Vec<Transition>>,
}

impl MealRequest {
    pub fn run(self) -> Result<MealData, String> {
        check_clock("clock", self.clock)?;
        check_profile(&self.profile)?;
        let zone = zone_of(self.utc_offset, &self.utc_offsets)?;
        meal_from_history(&self.history, &self.carbs, &self.profile, &self.glucose, self.clock, &zone)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutosensRequest {
    pub glucose: Vec<GlucoseEntry>,
    pub history: Vec<Value>,
    #[serde(default)]
    pub carbs: Vec<Value>,
    #[serde(default)]
    pub temp_targets: Vec<TempTarget>,
    pub profile: Profile,
    pub clock: f64,
    #[serde(default)]
    pub utc_offset: i32,
    /// The zone's offsets over the request window; wins over `utcOffset`.
    #[serde(default)]
    pub utc_offsets: Option<Vec<Transition>>,
    #[serde(default)]
    pub retrospective: bool,
}

impl AutosensRequest {
    pub fn run(self) -> Result<AutosensResult, String> {
        check_clock("clock", self.clock)?;
        check_profile(&self.profile)?;
        let zone = zone_of(self.utc_offset, &self.utc_offsets)?;
        check_treatments("history", &self.history, self.clock, &zone)?;
        check_treatments("carbs", &self.carbs, self.clock, &zone)?;
        check_glucose("glucose", &self.glucose, self.clock, &zone)?;
        check_temp_targets("tempTargets", &self.temp_targets)?;
        let inputs = AutosensInputs {
            glucose: &self.glucose,
            history: &self.history,
            carbs: &self.carbs,
            temp_targets: &self.temp_targets,
            profile: &self.profile,
            clock: self.clock,
            zone: &zone,
            retrospective: self.retrospective,
        };
        Ok(autosens(&inputs))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetermineBasalRequest {
    pub glucose_status: GlucoseStatus,
    #[serde(default)]
    pub current_temp: CurrentTemp,
    pub iob: Vec<IobTick>,
    pub profile: Profile,
    #[serde(default)]
    pub autosens: Option<AutosensRatio>,
    #[serde(default)]
    pub meal: MealData,
    #[serde(default)]
    pub micro_bolus_allowed: bool,
    #[serde(default)]
    pub reservoir: Option<Value>,
    pub current_time: f64,
    #[serde(default)]
    pub utc_offset: i32,
    /// The zone's offsets over the request window; wins over `utcOffset`.
    #[serde(default)]
    pub utc_offsets: Option<Vec<Transition>>,
}

impl DetermineBasalRequest {
    pub fn run(self) -> Result<Map<String, Value>, String> {
        check_clock("currentTime", self.current_time)?;
        check_profile(&self.profile)?;
        check_current_temp(&self.current_temp)?;
        check_count("iob", self.iob.len(), 288)?;
        let zone = zone_of(self.utc_offset, &self.utc_offsets)?;
        let inputs = DetermineBasalInputs {
            glucose_status: &self.glucose_status,
            current_temp: &self.current_temp,
            iob_data: &self.iob,
            profile: &self.profile,
            autosens_ratio: self.autosens.map(|a| a.ratio),
            meal_data: &self.meal,
            micro_bolus_allowed: self.micro_bolus_allowed,
            reservoir: self.reservoir,
            current_time: self.current_time,
            zone: &zone,
        };
        Ok(determine_basal(&inputs))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestRequest {
    /// Nightscout treatments of the last 24 hours or more, newest first.
    pub treatments: Vec<Value>,
    /// Nightscout entries of the last 24 hours, newest first.
    pub glucose: Vec<GlucoseEntry>,
    pub profile: Profile,
    #[serde(default)]
    pub current_temp: CurrentTemp,
    #[serde(default)]
    pub temp_targets: Vec<TempTarget>,
    #[serde(default = "yes")]
    pub use_autosens: bool,
    #[serde(default)]
    pub micro_bolus_allowed: bool,
    pub clock: f64,
    #[serde(default)]
    pub utc_offset: i32,
    /// The zone's offsets over the request window; wins over `utcOffset`.
    #[serde(default)]
    pub utc_offsets: Option<Vec<Transition>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub glucose_status: GlucoseStatus,
    pub autosens: Option<AutosensResult>,
    pub iob: IobTick,
    pub meal: MealData,
    pub suggested: Map<String, Value>,
}

impl SuggestRequest {
    /// The oref0 loop order: autosens, IOB (with the autosens ratio), meal, determine-basal.
    pub fn run(self) -> Result<Suggestion, String> {
        check_clock("clock", self.clock)?;
        check_profile(&self.profile)?;
        check_current_temp(&self.current_temp)?;
        let zone = zone_of(self.utc_offset, &self.utc_offsets)?;
        check_treatments("treatments", &self.treatments, self.clock, &zone)?;
        check_glucose("glucose", &self.glucose, self.clock, &zone)?;
        check_temp_targets("tempTargets", &self.temp_targets)?;
        let zone = &zone;
        let status = glucose_status(&self.glucose, zone).ok_or_else(|| "no glucose readings to decide on".to_owned())?;
        let sensitivity = if self.use_autosens {
            Some(autosens(&AutosensInputs {
                glucose: &self.glucose,
                history: &self.treatments,
                carbs: &[],
                temp_targets: &self.temp_targets,
                profile: &self.profile,
                clock: self.clock,
                zone,
                retrospective: false,
            }))
        } else {
            None
        };
        let ratio = sensitivity.as_ref().map(|s| s.ratio);
        let iob = generate(&HistoryInputs { history: &self.treatments, profile: &self.profile, clock: self.clock, zone, autosens_ratio: ratio }, false);
        let meal = meal_data(&MealInputs { history: &self.treatments, carbs: &[], profile: &self.profile, glucose: &self.glucose, clock: self.clock, zone });
        let suggested = determine_basal(&DetermineBasalInputs {
            glucose_status: &status,
            current_temp: &self.current_temp,
            iob_data: &iob,
            profile: &self.profile,
            autosens_ratio: ratio,
            meal_data: &meal,
            micro_bolus_allowed: self.micro_bolus_allowed,
            reservoir: None,
            current_time: self.clock,
            zone,
        });
        Ok(Suggestion { glucose_status: status, autosens: sensitivity, iob: iob[0].clone(), meal, suggested })
    }
}
