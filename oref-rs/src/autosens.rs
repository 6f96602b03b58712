//! Sensitivity ratio from the last 8 and 24 hours of BG deviations (oref0's autosens).
//!
//! Each 5-minute deviation of BG from what insulin alone explains is classified as meal
//! (carbs absorbing), unannounced meal, or non-meal; the median of the non-meal deviations says
//! whether the patient is more sensitive (negative) or more resistant (positive) than the
//! profile, as a ratio of basal. oref0 runs it over the last 96 and 288 deviations and keeps the
//! lower ratio.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::glucose::GlucoseEntry;
use crate::history::{find_insulin, time_of, HistoryInputs};
use crate::iob::iob_at;
use crate::iob_array::doses_of;
use crate::js;
use crate::meal::find_meals;
use crate::profile::{basal_lookup, is_true, isf_lookup, n, Profile};
use crate::time::Zone;

/// A temp target as Nightscout stores it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TempTarget {
    #[serde(default, rename = "created_at")]
    pub created_at: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub target_top: Option<f64>,
    #[serde(default)]
    pub target_bottom: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct AutosensResult {
    pub ratio: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newisf: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio8h: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio24h: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub struct AutosensInputs<'a> {
    /// Readings, newest first (up to 24 hours).
    pub glucose: &'a [GlucoseEntry],
    /// Treatments, newest first.
    pub history: &'a [Value],
    pub carbs: &'a [Value],
    pub temp_targets: &'a [TempTarget],
    pub profile: &'a Profile,
    /// The moment "now": the last 24 hours before it are considered.
    pub clock: f64,
    pub zone: &'a Zone,
    /// oref0's retrospective mode (autotune): no site-change window from now, no UAM by IOB.
    pub retrospective: bool,
}

/// oref0-detect-sensitivity: the lower of the 8 h and 24 h ratios; 1 with a reason when there
/// are fewer than 72 readings.
pub fn autosens(inputs: &AutosensInputs) -> AutosensResult {
    if inputs.glucose.len() < 72 {
        return AutosensResult { ratio: 1.0, reason: Some("not enough glucose data to calculate autosens".into()), ..Default::default() };
    }
    // oref0-detect-sensitivity shares one IOB input between both runs, and the first leaves its
    // last reading time there as the clock, and temptargetSet cleared in the profile, that the
    // second reads the treatment history with.
    // The readings are shared too: the 8 h run averages readings at most 2 minutes apart into
    // them, and the 24 h run reads those averages.
    let mut readings = inputs.glucose.to_vec();
    let (short, clock_after_short) = detect_sensitivity(inputs, &mut readings, 96, inputs.clock, inputs.profile);
    let mut cleared = inputs.profile.clone();
    cleared.temptargetSet = Some(false);
    let (long, _) = detect_sensitivity(inputs, &mut readings, 288, clock_after_short.unwrap_or(inputs.clock), &cleared);
    let chosen = if short.ratio < long.ratio { &short } else { &long };
    AutosensResult { ratio: js::min(&[short.ratio, long.ratio]), newisf: chosen.newisf, ratio8h: Some(short.ratio), ratio24h: Some(long.ratio), reason: None }
}

#[derive(Clone, Copy)]
struct Bucket {
    date: f64,
    glucose: f64,
    /// Index (newest first) of the reading this bucket is; oref0 buckets the reading objects.
    reading: usize,
}

fn temp_target_running(targets: &[TempTarget], time: f64, zone: &Zone) -> f64 {
    // oref0 "sorts" these with a comparator that never reports "less", which V8 treats as
    // already sorted: the given order is what counts.
    for target in targets {
        let start = target.created_at.as_deref().and_then(|s| zone.parse(s)).unwrap_or(f64::NAN);
        let duration = n(target.duration);
        let expires = start + duration * 60_000.0;
        if time >= start && duration == 0.0 {
            return 0.0;
        } else if time >= start && time < expires {
            return (n(target.target_top) + n(target.target_bottom)) / 2.0;
        }
    }
    f64::NAN
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    if p <= 0.0 {
        return sorted[0];
    }
    if p >= 1.0 {
        return sorted[sorted.len() - 1];
    }
    let index = sorted.len() as f64 * p;
    let lower = index.floor() as usize;
    let upper = lower + 1;
    let weight = index % 1.0;
    if upper >= sorted.len() {
        return sorted[lower];
    }
    sorted[lower] * (1.0 - weight) + sorted[upper] * weight
}

/// oref0's detectSensitivity over the last `lookback` deviations, reading the treatment history
/// as of `history_clock` with `history_profile`; also returns the last reading time evaluated.
/// `readings` (newest first) are written into as oref0 does: `glucose` from `sgv`, and the
/// average of readings at most 2 minutes apart in the older one.
pub fn detect_sensitivity(inputs: &AutosensInputs, readings: &mut [GlucoseEntry], lookback: usize, history_clock: f64, history_profile: &Profile) -> (AutosensResult, Option<f64>) {
    let zone = inputs.zone;
    let profile = inputs.profile;
    let mut last_site_change = if inputs.retrospective {
        readings.first().and_then(|g| g.date).unwrap_or(f64::NAN) - 24.0 * 3_600_000.0
    } else {
        inputs.clock - 24.0 * 3_600_000.0
    };
    if is_true(profile.rewind_resets_autosens) {
        for record in inputs.history.iter().skip(1) {
            if record.get("_type").and_then(Value::as_str) != Some("Rewind") {
                continue;
            }
            if let Some(at) = time_of(record.get("timestamp"), zone) {
                last_site_change = at;
                break;
            }
        }
    }

    let history = HistoryInputs { history: inputs.history, profile: history_profile, clock: history_clock, zone, autosens_ratio: None };
    let mut last_clock = None;
    let doses = doses_of(&find_insulin(&history, 0.0));
    let mut meals = find_meals(inputs.history, inputs.carbs, zone, true);
    meals.sort_by(|a, b| b.time.partial_cmp(&a.time).unwrap_or(std::cmp::Ordering::Equal));

    crate::limits::charge(100 * readings.len() as u64);
    for entry in readings.iter_mut() {
        entry.prepare();
    }
    // Oldest first from here on: position i is reading n - 1 - i.
    let n_readings = readings.len();
    let at = |i: usize| n_readings - 1 - i;
    let mut buckets: Vec<Bucket> = Vec::new();
    if let Some(first) = readings.last() {
        buckets.push(Bucket { date: first.date.unwrap_or(f64::NAN), glucose: first.value(), reading: n_readings - 1 });
    }
    for i in 1..n_readings {
        let (this, previous) = (&readings[at(i)], &readings[at(i - 1)]);
        let bg_time = this.time_from_date_string(zone);
        let last_bg_time = previous.time_from_date_string(zone);
        if this.value() < 39.0 || previous.value() < 39.0 {
            continue;
        }
        if (bg_time - last_site_change) / 3_600_000.0 < 0.0 {
            continue;
        }
        let elapsed = (bg_time - last_bg_time) / 60_000.0;
        let value = this.value();
        if elapsed.abs() > 2.0 {
            readings[at(i)].date = Some(bg_time);
            buckets.push(Bucket { date: bg_time, glucose: value, reading: at(i) });
        } else if let Some(last) = buckets.last_mut() {
            last.glucose = (last.glucose + value) / 2.0;
            readings[last.reading].glucose = Some(last.glucose);
        }
    }
    if !buckets.is_empty() {
        buckets.remove(0);
    }

    // Meals before the first reading do not count (oref0 keeps the newest one regardless).
    if let Some(first_bucket) = buckets.first().filter(|b| js::truthy(b.date)) {
        let mut i = meals.len();
        while i > 1 {
            i -= 1;
            if meals[i].time < first_bucket.date {
                meals.remove(i);
            }
        }
    }

    let insulin = profile.insulin();
    let mut deviations: Vec<f64> = Vec::new();
    let mut absorbing = false;
    let mut uam = false;
    let mut meal_cob = 0.0;
    let mut meal_carbs = 0.0;
    let mut meal_start_counter = 999;
    let mut kind = "";
    for i in 3..buckets.len() {
        let bg_time = buckets[i].date;
        let sens = isf_lookup(&profile.isf_profile, zone, bg_time);
        let bg = buckets[i].glucose;
        let last_bg = buckets[i - 1].glucose;
        let old_bg = buckets[i - 3].glucose;
        if !js::truthy(bg) || bg < 40.0 || !js::truthy(old_bg) || old_bg < 40.0 || !js::truthy(last_bg) || last_bg < 40.0 {
            continue;
        }
        last_clock = Some(bg_time);
        let delta = bg - last_bg;
        let current_basal = basal_lookup(&profile.basalprofile, zone, bg_time);
        let iob = iob_at(&doses, &insulin, bg_time);
        let bgi = js::fixed(js::round((-iob.activity * sens * 5.0) * 100.0) / 100.0, 2);
        let mut deviation = delta - bgi;
        if bg < 80.0 && deviation > 0.0 {
            deviation = 0.0;
        }
        let deviation = js::fixed(deviation, 2);

        if let Some(meal) = meals.last() {
            if meal.time < bg_time {
                if let Some(carbs) = meal.carbs.filter(|c| *c >= 1.0) {
                    meal_cob += carbs;
                    meal_carbs += carbs;
                }
                meals.pop();
            }
        }
        if meal_cob > 0.0 {
            let ci = js::max(&[deviation, n(profile.min_5m_carbimpact)]);
            let absorbed = ci * n(profile.carb_ratio) / sens;
            if js::truthy(absorbed) {
                meal_cob = js::max(&[0.0, meal_cob - absorbed]);
            }
        }
        if meal_cob > 0.0 || absorbing || meal_carbs > 0.0 {
            absorbing = deviation > 0.0;
            if meal_start_counter > 60 && meal_cob < 0.5 {
                absorbing = false;
            }
            if !absorbing && meal_cob < 0.5 {
                meal_carbs = 0.0;
            }
            if kind != "csf" {
                meal_start_counter = 0;
            }
            meal_start_counter += 1;
            kind = "csf";
        } else if (!inputs.retrospective && iob.iob > 2.0 * current_basal) || uam || meal_start_counter < 9 {
            meal_start_counter += 1;
            uam = deviation > 0.0;
            kind = "uam";
        } else {
            kind = "non-meal";
        }
        if kind == "non-meal" {
            deviations.push(deviation);
        }
        if is_true(profile.high_temptarget_raises_sensitivity) || is_true(profile.exercise_mode) {
            let target = temp_target_running(inputs.temp_targets, bg_time, zone);
            if target > 100.0 {
                deviations.push(-(target - 100.0) / 20.0);
            }
        }
        // A zero every other hour keeps a long stretch of one sign from dominating.
        let (minutes, hours) = (zone.minute(bg_time), zone.hour(bg_time));
        if (0.0..5.0).contains(&minutes) && hours % 2.0 == 0.0 {
            deviations.push(0.0);
        }
        if deviations.len() > lookback {
            deviations.remove(0);
        }
    }

    if deviations.len() < 96 {
        let pad = js::round((1.0 - deviations.len() as f64 / 96.0) * 18.0) as usize;
        deviations.extend(std::iter::repeat(0.0).take(pad));
    }
    deviations.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let median = percentile(&deviations, 0.50);
    let sens = n(profile.sens);
    let basal_off = if median < 0.0 || median > 0.0 { median * (60.0 / 5.0) / sens } else { 0.0 };
    let mut ratio = 1.0 + basal_off / n(profile.max_daily_basal);
    ratio = js::max(&[ratio, n(profile.autosens_min)]);
    ratio = js::min(&[ratio, n(profile.autosens_max)]);
    ratio = js::round(ratio * 100.0) / 100.0;
    (AutosensResult { ratio, newisf: Some(js::round(sens / ratio)), ..Default::default() }, last_clock)
}
