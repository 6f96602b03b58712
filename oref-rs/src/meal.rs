//! Carbs on board and meal data (oref0's meal module: history, then totals).
//!
//! Carb entries of the last 6 hours are found in the treatments; for each, the carbs absorbed
//! since it (by BG deviations) are subtracted, and the largest remainder is the COB, capped at
//! the profile's maxCOB. Deviation statistics of the last 45 minutes go along for the UAM and
//! COB predictions of determine-basal.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cob::detect_carb_absorption;
use crate::glucose::GlucoseEntry;
use crate::history::{find_insulin, number, text, time_of, HistoryInputs};
use crate::iob_array::doses_of;
use crate::js;
use crate::profile::Profile;
use crate::time::Zone;

/// A carb (or bolus) record found by oref0's meal history.
#[derive(Debug, Clone)]
pub struct MealInput {
    /// The record's timestamp as given (oref0 compares these for duplicates).
    pub timestamp: Option<Value>,
    pub time: f64,
    pub carbs: Option<f64>,
    pub ns_carbs: Option<f64>,
    pub bolus: Option<f64>,
}

fn undefined() -> Option<f64> {
    Some(f64::NAN)
}

/// What oref0 hands determine-basal as meal_data.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MealData {
    #[serde(default)]
    pub carbs: Option<f64>,
    #[serde(default)]
    pub ns_carbs: Option<f64>,
    #[serde(default)]
    pub bw_carbs: Option<f64>,
    #[serde(default)]
    pub journal_carbs: Option<f64>,
    #[serde(default, rename = "mealCOB")]
    pub meal_cob: Option<f64>,
    #[serde(default)]
    pub current_deviation: Option<f64>,
    #[serde(default)]
    pub max_deviation: Option<f64>,
    #[serde(default)]
    pub min_deviation: Option<f64>,
    /// oref0 writes NaN slopes to meal.json as null, which determine-basal's arithmetic reads
    /// as 0; an absent slope is undefined (NaN). So null is None and absent is NaN here.
    #[serde(default = "undefined")]
    pub slope_from_max_deviation: Option<f64>,
    #[serde(default = "undefined")]
    pub slope_from_min_deviation: Option<f64>,
    #[serde(default)]
    pub all_deviations: Vec<Option<f64>>,
    #[serde(default)]
    pub last_carb_time: Option<f64>,
    #[serde(default)]
    pub bw_found: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub struct MealInputs<'a> {
    /// Treatments, newest first.
    pub history: &'a [Value],
    /// Separate carb records (oref0's carbhistory); may be empty when the carbs are in `history`.
    pub carbs: &'a [Value],
    pub profile: &'a Profile,
    pub glucose: &'a [GlucoseEntry],
    pub clock: f64,
    pub zone: &'a Zone,
}

fn has_same_time_and_property(found: &[MealInput], t: Option<&Value>, property: fn(&MealInput) -> Option<f64>, zone: &Zone) -> bool {
    let t_time = match t {
        Some(Value::String(s)) => zone.parse(s).unwrap_or(f64::NAN),
        Some(Value::Number(x)) => x.as_f64().unwrap_or(f64::NAN),
        _ => f64::NAN,
    };
    crate::limits::charge(20 * found.len() as u64);
    found.iter().any(|element| {
        if property(element).is_none() {
            return false;
        }
        if element.timestamp.as_ref() == t {
            return true;
        }
        let e_time = time_of(element.timestamp.as_ref(), zone).unwrap_or(f64::NAN);
        e_time > t_time - 2000.0 && e_time < t_time + 2000.0
    })
}

/// oref0's find_meals. `timestamps_from_created_at` reproduces oref0's autosens, which reads the
/// history after the insulin module copied every created_at over the timestamp field.
pub fn find_meals(history: &[Value], carbs: &[Value], zone: &Zone, timestamps_from_created_at: bool) -> Vec<MealInput> {
    let mut found: Vec<MealInput> = Vec::new();
    let carbs_of = |m: &MealInput| m.carbs;
    let make = |stamp: Option<&Value>, carbs: Option<f64>, bolus: Option<f64>| MealInput {
        timestamp: stamp.cloned(),
        time: time_of(stamp, zone).unwrap_or(f64::NAN),
        carbs,
        ns_carbs: carbs,
        bolus,
    };
    for record in carbs {
        let amount = number(record, "carbs");
        if amount.is_some_and(js::truthy) && record.get("created_at").is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()) || v.is_number()) {
            let stamp = record.get("created_at");
            if has_same_time_and_property(&found, stamp, carbs_of, zone) {
                continue;
            }
            found.push(make(stamp, amount, None));
        }
    }
    for record in history {
        let created_at = record.get("created_at");
        let timestamp = if timestamps_from_created_at && created_at.is_some_and(|v| !v.is_null()) { created_at } else { record.get("timestamp") };
        let amount = number(record, "carbs");
        if text(record, "enteredBy") == Some("xdrip") || amount.is_some_and(|c| c > 0.0) {
            if has_same_time_and_property(&found, timestamp, carbs_of, zone) {
                continue;
            }
            found.push(make(created_at, amount, number(record, "insulin")));
        }
    }
    found
}

/// oref0's meal module: COB and deviation statistics at `clock`.
pub fn meal_data(inputs: &MealInputs) -> MealData {
    let zone = inputs.zone;
    let profile = inputs.profile;
    let mut meals = find_meals(inputs.history, inputs.carbs, zone, false);
    meals.sort_by(|a, b| b.time.partial_cmp(&a.time).unwrap_or(std::cmp::Ordering::Equal));

    // oref0 reads the treatment history as of the clock its previous absorption call left behind.
    let mut iob_clock = inputs.clock;
    let doses_as_of = |clock: f64| doses_of(&find_insulin(&HistoryInputs { history: inputs.history, profile, clock, zone, autosens_ratio: None }, 0.0));
    let now = inputs.clock;
    // One set of readings for every pass: oref0 averages into them in place (see cob.rs).
    let mut readings = inputs.glucose.to_vec();
    let carb_window = now - 6.0 * 3_600_000.0;

    let (mut carbs, mut ns_carbs) = (0.0, 0.0);
    let mut meal_cob: f64 = 0.0;
    let mut last_carb_time: f64 = 0.0;
    let (mut carbs_to_remove, mut ns_carbs_to_remove) = (0.0, 0.0);
    for meal in &meals {
        if !(meal.time > carb_window && meal.time <= now) {
            continue;
        }
        let amount = meal.carbs.unwrap_or(f64::NAN);
        if !(amount >= 1.0) {
            continue;
        }
        if meal.ns_carbs.is_some_and(|c| c >= 1.0) {
            ns_carbs += meal.ns_carbs.unwrap_or(0.0);
        }
        carbs += amount;
        last_carb_time = js::max(&[last_carb_time, meal.time]);
        let absorption = detect_carb_absorption(&mut readings, &doses_as_of(iob_clock), profile, zone, meal.time, f64::NAN);
        iob_clock = absorption.last_iob_clock.unwrap_or(iob_clock);
        let absorbed = absorption.carbs_absorbed;
        let my_meal_cob = js::max(&[0.0, carbs - absorbed]);
        if !my_meal_cob.is_nan() {
            meal_cob = js::max(&[meal_cob, my_meal_cob]);
        }
        if my_meal_cob < meal_cob {
            carbs_to_remove += amount;
            if meal.ns_carbs.is_some_and(|c| c >= 1.0) {
                ns_carbs_to_remove += meal.ns_carbs.unwrap_or(0.0);
            }
        } else {
            carbs_to_remove = 0.0;
            ns_carbs_to_remove = 0.0;
        }
    }
    carbs -= carbs_to_remove;
    ns_carbs -= ns_carbs_to_remove;

    let c = detect_carb_absorption(&mut readings, &doses_as_of(iob_clock), profile, zone, now - 6.0 * 3_600_000.0, now);
    if let Some(max_cob) = profile.max_cob.filter(|m| !m.is_nan()) {
        meal_cob = js::min(&[max_cob, meal_cob]);
    }
    if c.current_deviation.is_nan() {
        // oref0 zeroes COB when the current deviation is unknown (no recent BG).
        meal_cob = 0.0;
    }
    let nan_to_none = |x: f64| if x.is_nan() { None } else { Some(x) };
    MealData {
        carbs: Some(js::round(carbs * 1000.0) / 1000.0),
        ns_carbs: Some(js::round(ns_carbs * 1000.0) / 1000.0),
        bw_carbs: Some(0.0),
        journal_carbs: Some(0.0),
        meal_cob: Some(js::round(meal_cob)),
        current_deviation: nan_to_none(js::round(c.current_deviation * 100.0) / 100.0),
        max_deviation: nan_to_none(js::round(c.max_deviation * 100.0) / 100.0),
        min_deviation: nan_to_none(js::round(c.min_deviation * 100.0) / 100.0),
        slope_from_max_deviation: nan_to_none(js::round(c.slope_from_max_deviation * 1000.0) / 1000.0),
        slope_from_min_deviation: nan_to_none(js::round(c.slope_from_min_deviation * 1000.0) / 1000.0),
        all_deviations: c.all_deviations.iter().map(|d| nan_to_none(*d)).collect(),
        last_carb_time: Some(last_carb_time),
        bw_found: Some(false),
        reason: None,
    }
}
