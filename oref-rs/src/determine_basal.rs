//! The oref0 dosing decision (determine-basal): a temp basal (rate, duration), optionally a
//! super-micro-bolus, the eventual BG and four 4-hour predictions (IOB, ZT, COB, UAM), with the
//! reason oref0 gives, the same safety limits (max_iob, max_basal, the daily and current basal
//! safety multipliers, low-glucose suspend) and the same rounding for the pump.
//!
//! The result is a JSON object with oref0's field names, built in oref0's order, because loop
//! apps and Nightscout's OpenAPS plugin read it as such.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::glucose::GlucoseStatus;
use crate::iob_array::IobTick;
use crate::js::{self, num, round, round_to, to_fixed, truthy};
use crate::meal::MealData;
use crate::profile::{is_true, n, round_basal, Profile};
use crate::time::{iso_string, Zone};

/// The temp basal running on the pump now.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CurrentTemp {
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub temp: Option<String>,
}

pub struct DetermineBasalInputs<'a> {
    pub glucose_status: &'a GlucoseStatus,
    pub current_temp: &'a CurrentTemp,
    /// oref0's IOB array (48 points; a single point is rejected as oref0 does).
    pub iob_data: &'a [IobTick],
    pub profile: &'a Profile,
    /// None when autosens is not used.
    pub autosens_ratio: Option<f64>,
    pub meal_data: &'a MealData,
    pub micro_bolus_allowed: bool,
    pub reservoir: Option<Value>,
    /// Epoch ms of "now".
    pub current_time: f64,
    pub zone: &'a Zone,
}

type Reply = Map<String, Value>;

fn number(x: f64) -> Value {
    // oref0 writes NaN and infinities as null (JSON.stringify).
    serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
}

fn append_reason(rt: &mut Reply, text: &str) {
    let current = match rt.get("reason") {
        Some(Value::String(s)) => s.clone(),
        None => "undefined".to_owned(),
        Some(other) => other.to_string(),
    };
    rt.insert("reason".into(), Value::String(current + text));
}

/// basal-set-temp.js reason(): joins with ". ".
fn add_reason(rt: &mut Reply, text: &str) {
    let joined = match rt.get("reason") {
        Some(Value::String(s)) if !s.is_empty() => format!("{s}. {text}"),
        _ => text.to_owned(),
    };
    rt.insert("reason".into(), Value::String(joined));
}

fn get_max_safe_basal(profile: &Profile) -> f64 {
    let daily = profile.max_daily_safety_multiplier.filter(|m| !m.is_nan()).unwrap_or(3.0);
    let current = profile.current_basal_safety_multiplier.filter(|m| !m.is_nan()).unwrap_or(4.0);
    js::min(&[n(profile.max_basal), daily * n(profile.max_daily_basal), current * n(profile.current_basal)])
}

fn set_temp_basal(rate: f64, duration: f64, profile: &Profile, mut rt: Reply, current: &CurrentTemp) -> Reply {
    let max_safe = get_max_safe_basal(profile);
    let rate = if rate < 0.0 { 0.0 } else if rate > max_safe { max_safe } else { rate };
    let suggested = round_basal(rate, profile);
    if let (Some(ct_duration), Some(ct_rate)) = (current.duration, current.rate) {
        if ct_duration > duration - 10.0 && ct_duration <= 120.0 && suggested <= ct_rate * 1.2 && suggested >= ct_rate * 0.8 && duration > 0.0 {
            append_reason(&mut rt, &format!(" {}m left and {} ~ req {}U/hr: no temp required", num(ct_duration), num(ct_rate), num(suggested)));
            return rt;
        }
    }
    if Some(suggested) == profile.current_basal {
        if is_true(profile.skip_neutral_temps) {
            if current.duration.is_some_and(|d| d > 0.0) {
                add_reason(&mut rt, "Suggested rate is same as profile rate, a temp basal is active, canceling current temp");
                rt.insert("duration".into(), json!(0));
                rt.insert("rate".into(), json!(0));
            } else {
                add_reason(&mut rt, "Suggested rate is same as profile rate, no temp basal is active, doing nothing");
            }
            return rt;
        }
        add_reason(&mut rt, &format!("Setting neutral temp basal of {}U/hr", num(n(profile.current_basal))));
    }
    rt.insert("duration".into(), number(duration));
    rt.insert("rate".into(), number(suggested));
    rt
}

fn convert_bg(value: f64, profile: &Profile) -> Value {
    if profile.out_units.as_deref() == Some("mmol/L") {
        Value::String(to_fixed(round_to(value / 18.0, 1), 1))
    } else {
        number(round(value))
    }
}

/// The text form of convert_bg, as it appears in reasons.
fn bg_text(value: f64, profile: &Profile) -> String {
    match convert_bg(value, profile) {
        Value::String(s) => s,
        Value::Number(x) => num(x.as_f64().unwrap_or(f64::NAN)),
        _ => "NaN".to_owned(),
    }
}

fn calculate_expected_delta(target_bg: f64, eventual_bg: f64, bgi: f64) -> f64 {
    let five_min_blocks = (2.0 * 60.0) / 5.0;
    round_to(bgi + (target_bg - eventual_bg) / five_min_blocks, 1)
}

fn enable_smb(profile: &Profile, micro_bolus_allowed: bool, meal: &MealData, bg: f64, target_bg: f64, high_bg: f64) -> bool {
    if !micro_bolus_allowed {
        return false;
    }
    if !is_true(profile.allowSMB_with_high_temptarget) && is_true(profile.temptargetSet) && target_bg > 100.0 {
        return false;
    }
    if meal.bw_found == Some(true) && profile.A52_risk_enable == Some(false) {
        return false;
    }
    if is_true(profile.enableSMB_always) {
        return true;
    }
    if is_true(profile.enableSMB_with_COB) && meal.meal_cob.is_some_and(truthy) {
        return true;
    }
    if is_true(profile.enableSMB_after_carbs) && meal.carbs.is_some_and(truthy) {
        return true;
    }
    if is_true(profile.enableSMB_with_temptarget) && is_true(profile.temptargetSet) && target_bg < 100.0 {
        return true;
    }
    if is_true(profile.enableSMB_high_bg) && bg >= high_bg {
        return true;
    }
    false
}

fn keep_or_set_basal(rt: Reply, basal: f64, profile: &Profile, current: &CurrentTemp) -> Reply {
    let mut rt = rt;
    if n(current.duration) > 15.0 && round_basal(basal, profile) == round_basal(n(current.rate), profile) {
        append_reason(&mut rt, &format!(", temp {} ~ req {}U/hr. ", num(n(current.rate)), num(basal)));
        return rt;
    }
    append_reason(&mut rt, &format!("; setting current basal of {} as temp. ", num(basal)));
    set_temp_basal(basal, 30.0, profile, rt, current)
}

/// oref0's determine_basal.
pub fn determine_basal(inputs: &DetermineBasalInputs) -> Reply {
    let DetermineBasalInputs { glucose_status: gs, current_temp: ct, iob_data, profile, meal_data: meal, zone, .. } = *inputs;
    let mut rt = Reply::new();
    let deliver_at = inputs.current_time;
    let deliver_at_text = Value::String(iso_string(deliver_at));
    if profile.current_basal.is_none() {
        rt.insert("error".into(), json!("Error: could not get current basal rate"));
        return rt;
    }
    let current_basal = n(profile.current_basal);
    let profile_current_basal = round_basal(current_basal, profile);
    let mut basal = profile_current_basal;
    let system_time = inputs.current_time;
    let bg_time = gs.date;
    let min_ago = round_to((system_time - bg_time) / 60.0 / 1000.0, 1);
    let bg = gs.glucose;
    let noise = n(gs.noise);
    let tick = if gs.delta > -0.5 { Value::String(format!("+{}", num(round_to(gs.delta, 0)))) } else { number(round_to(gs.delta, 0)) };
    let tick_value = round_to(gs.delta, 0);
    let min_delta = js::min(&[gs.delta, gs.short_avgdelta]);
    let min_avg_delta = js::min(&[gs.short_avgdelta, gs.long_avgdelta]);
    let max_delta = js::max(&[gs.delta, gs.short_avgdelta, gs.long_avgdelta]);

    if bg <= 10.0 || bg == 38.0 || noise >= 3.0 {
        rt.insert("reason".into(), json!("CGM is calibrating, in ??? state, or noise is high"));
    }
    let mut too_flat = false;
    if bg > 60.0 && gs.delta == 0.0 && gs.short_avgdelta > -1.0 && gs.short_avgdelta < 1.0 && gs.long_avgdelta > -1.0 && gs.long_avgdelta < 1.0 && gs.device.as_deref() != Some("fakecgm") {
        too_flat = true;
    }
    if min_ago > 12.0 || min_ago < -5.0 {
        rt.insert(
            "reason".into(),
            Value::String(format!(
                "If current system time {} is correct, then BG data is too old. The last BG data was read {}m ago at {}",
                zone.date_to_string(system_time),
                num(min_ago),
                zone.date_to_string(bg_time)
            )),
        );
    } else if too_flat {
        if gs.last_cal != 0.0 && gs.last_cal < 3.0 {
            rt.insert("reason".into(), json!("CGM was just calibrated"));
        } else {
            rt.insert(
                "reason".into(),
                Value::String(format!(
                    "CGM data is unchanged ({}+{}) for 5m w/ {} mg/dL ~15m change & {} mg/dL ~45m change",
                    num(bg),
                    num(gs.delta),
                    num(gs.short_avgdelta),
                    num(gs.long_avgdelta)
                )),
            );
        }
    }
    if bg <= 10.0 || bg == 38.0 || noise >= 3.0 || min_ago > 12.0 || min_ago < -5.0 || too_flat {
        if n(ct.rate) > basal {
            append_reason(&mut rt, &format!(". Replacing high temp basal of {} with neutral temp of {}", num(n(ct.rate)), num(basal)));
            rt.insert("deliverAt".into(), deliver_at_text);
            rt.insert("temp".into(), json!("absolute"));
            rt.insert("duration".into(), json!(30));
            rt.insert("rate".into(), number(basal));
        } else if ct.rate == Some(0.0) && n(ct.duration) > 30.0 {
            append_reason(&mut rt, &format!(". Shortening {}m long zero temp to 30m. ", num(n(ct.duration))));
            rt.insert("deliverAt".into(), deliver_at_text);
            rt.insert("temp".into(), json!("absolute"));
            rt.insert("duration".into(), json!(30));
            rt.insert("rate".into(), json!(0));
        } else {
            append_reason(&mut rt, &format!(". Temp {} <= current basal {}U/hr; doing nothing. ", num(n(ct.rate)), num(basal)));
        }
        return rt;
    }

    let max_iob = n(profile.max_iob);
    let mut min_bg = n(profile.min_bg);
    let mut max_bg = n(profile.max_bg);
    let high_bg = n(profile.enableSMB_high_bg_target);
    let mut target_bg = match (profile.min_bg, profile.max_bg) {
        (Some(lo), Some(hi)) => (lo + hi) / 2.0,
        _ => {
            rt.insert("error".into(), json!("Error: could not determine target_bg. "));
            return rt;
        }
    };

    let mut sensitivity_ratio = f64::NAN;
    let has_sensitivity_ratio;
    let high_temptarget_raises_sensitivity = is_true(profile.exercise_mode) || is_true(profile.high_temptarget_raises_sensitivity);
    let normal_target = 100.0;
    let half_basal_target = profile.half_basal_exercise_target.filter(|t| truthy(*t)).unwrap_or(160.0);
    let temptarget_set = is_true(profile.temptargetSet);
    if (high_temptarget_raises_sensitivity && temptarget_set && target_bg > normal_target) || (is_true(profile.low_temptarget_lowers_sensitivity) && temptarget_set && target_bg < normal_target) {
        let c = half_basal_target - normal_target;
        sensitivity_ratio = if c * (c + target_bg - normal_target) <= 0.0 { n(profile.autosens_max) } else { c / (c + target_bg - normal_target) };
        sensitivity_ratio = js::min(&[sensitivity_ratio, n(profile.autosens_max)]);
        sensitivity_ratio = round_to(sensitivity_ratio, 2);
        has_sensitivity_ratio = true;
    } else if let Some(ratio) = inputs.autosens_ratio {
        sensitivity_ratio = ratio;
        has_sensitivity_ratio = true;
    } else {
        has_sensitivity_ratio = false;
    }
    if truthy(sensitivity_ratio) {
        basal = round_basal(current_basal * sensitivity_ratio, profile);
    }
    if !temptarget_set {
        if let Some(ratio) = inputs.autosens_ratio {
            if (is_true(profile.sensitivity_raises_target) && ratio < 1.0) || (is_true(profile.resistance_lowers_target) && ratio > 1.0) {
                min_bg = round_to((min_bg - 60.0) / ratio, 0) + 60.0;
                max_bg = round_to((max_bg - 60.0) / ratio, 0) + 60.0;
                let new_target = js::max(&[80.0, round_to((target_bg - 60.0) / ratio, 0) + 60.0]);
                target_bg = new_target;
            }
        }
    }
    if n(gs.noise) >= 2.0 {
        let multiplier = js::max(&[1.1, n(profile.noisyCGMTargetMultiplier)]);
        let adjusted_min = round_to(js::min(&[200.0, min_bg * multiplier]), 0);
        let adjusted_target = round_to(js::min(&[200.0, target_bg * multiplier]), 0);
        let adjusted_max = round_to(js::min(&[200.0, max_bg * multiplier]), 0);
        min_bg = adjusted_min;
        target_bg = adjusted_target;
        max_bg = adjusted_max;
    }
    let threshold = min_bg - 0.5 * (min_bg - 40.0);
    let profile_sens = n(profile.sens);
    let mut sens = profile_sens;
    if inputs.autosens_ratio.is_some() {
        sens = round_to(profile_sens / sensitivity_ratio, 1);
    }

    if iob_data.len() < 2 {
        rt.insert("error".into(), json!("Error: iob_data missing some property. "));
        return rt;
    }
    let iob_now = &iob_data[0];
    let last_temp = iob_now.last_temp.clone();
    let last_temp_age = match &last_temp {
        Some(t) => round_to((system_time - t.date) / 60000.0, 0),
        None => 0.0,
    };
    rt.insert("temp".into(), json!("absolute"));
    rt.insert("deliverAt".into(), deliver_at_text.clone());
    if let Some(t) = &last_temp {
        if inputs.micro_bolus_allowed && ct.rate != t.rate && last_temp_age > 10.0 && ct.duration.is_some_and(truthy) {
            rt.insert(
                "reason".into(),
                Value::String(format!(
                    "Warning: currenttemp rate {} != lastTemp rate {} from pumphistory; canceling temp",
                    ct.rate.map(num).unwrap_or_else(|| "undefined".into()),
                    t.rate.map(num).unwrap_or_else(|| "undefined".into())
                )),
            );
            return set_temp_basal(0.0, 0.0, profile, rt, ct);
        }
        if n(ct.duration) > 0.0 {
            let last_temp_ended = last_temp_age - n(t.duration);
            if last_temp_ended > 5.0 && last_temp_age > 10.0 {
                rt.insert("reason".into(), Value::String(format!("Warning: currenttemp running but lastTemp from pumphistory ended {}m ago; canceling temp", num(last_temp_ended))));
                return set_temp_basal(0.0, 0.0, profile, rt, ct);
            }
        }
    }

    let iob = iob_now.totals.iob;
    let activity = iob_now.totals.activity;
    let bgi = round_to(-activity * sens * 5.0, 2);
    let mut deviation = round_to(30.0 / 5.0 * (min_delta - bgi), 0);
    if deviation < 0.0 {
        deviation = round_to((30.0 / 5.0) * (min_avg_delta - bgi), 0);
        if deviation < 0.0 {
            deviation = round_to((30.0 / 5.0) * (gs.long_avgdelta - bgi), 0);
        }
    }
    let naive_eventual_bg = if iob > 0.0 { round_to(bg - iob * sens, 0) } else { round_to(bg - iob * js::min(&[sens, profile_sens]), 0) };
    let mut eventual_bg = naive_eventual_bg + deviation;
    if eventual_bg.is_nan() {
        rt.insert("error".into(), json!("Error: could not calculate eventualBG. "));
        return rt;
    }
    let expected_delta = calculate_expected_delta(target_bg, eventual_bg, bgi);

    let mut rt = Reply::new();
    rt.insert("temp".into(), json!("absolute"));
    rt.insert("bg".into(), number(bg));
    rt.insert("tick".into(), tick);
    rt.insert("eventualBG".into(), number(eventual_bg));
    rt.insert("insulinReq".into(), json!(0));
    rt.insert("reservoir".into(), inputs.reservoir.clone().unwrap_or(Value::Null));
    rt.insert("deliverAt".into(), deliver_at_text);
    if has_sensitivity_ratio {
        rt.insert("sensitivityRatio".into(), number(sensitivity_ratio));
    }

    let mut cob_pred = vec![bg];
    let mut iob_pred = vec![bg];
    let mut zt_pred = vec![bg];
    let mut uam_pred = vec![bg];
    let mut enable_smb = enable_smb(profile, inputs.micro_bolus_allowed, meal, bg, target_bg, high_bg);
    let enable_uam = is_true(profile.enableUAM);
    let carb_ratio = n(profile.carb_ratio);
    let mut ci = round_to(min_delta - bgi, 1);
    let uci = round_to(min_delta - bgi, 1);
    let csf = sens / carb_ratio;
    let max_carb_absorption_rate = 30.0;
    let max_ci = round_to(max_carb_absorption_rate * csf * 5.0 / 60.0, 1);
    if ci > max_ci {
        ci = max_ci;
    }
    let meal_cob = n(meal.meal_cob);
    let meal_carbs = n(meal.carbs);
    let mut remaining_ca_time_min = 3.0;
    if truthy(sensitivity_ratio) {
        remaining_ca_time_min /= sensitivity_ratio;
    }
    let assumed_carb_absorption_rate = 20.0;
    let mut remaining_ca_time = remaining_ca_time_min;
    if truthy(meal_carbs) {
        remaining_ca_time_min = js::max(&[remaining_ca_time_min, meal_cob / assumed_carb_absorption_rate]);
        let last_carb_age = round_to((system_time - n(meal.last_carb_time)) / 60000.0, 0);
        remaining_ca_time = remaining_ca_time_min + 1.5 * last_carb_age / 60.0;
        remaining_ca_time = round_to(remaining_ca_time, 1);
    }
    let total_ci = js::max(&[0.0, ci / 5.0 * 60.0 * remaining_ca_time / 2.0]);
    let total_ca = total_ci / csf;
    let remaining_carbs_cap = match profile.remainingCarbsCap {
        Some(cap) if truthy(cap) => js::min(&[90.0, cap]),
        _ => 90.0,
    };
    let remaining_carbs_fraction = match profile.remainingCarbsFraction {
        Some(f) if truthy(f) => js::min(&[1.0, f]),
        _ => 1.0,
    };
    let remaining_carbs_ignore = 1.0 - remaining_carbs_fraction;
    let mut remaining_carbs = js::max(&[0.0, meal_cob - total_ca - meal_carbs * remaining_carbs_ignore]);
    remaining_carbs = js::min(&[remaining_carbs_cap, remaining_carbs]);
    let remaining_ci_peak = remaining_carbs * csf * 5.0 / 60.0 / (remaining_ca_time / 2.0);
    // null (None) is 0 in JavaScript arithmetic; an absent slope is NaN (see MealData).
    let slope_from_max_deviation = round_to(meal.slope_from_max_deviation.unwrap_or(0.0), 2);
    let slope_from_min_deviation = round_to(meal.slope_from_min_deviation.unwrap_or(0.0), 2);
    let slope_from_deviations = js::min(&[slope_from_max_deviation, -slope_from_min_deviation / 3.0]);
    let cid = if ci == 0.0 { 0.0 } else { js::min(&[remaining_ca_time * 60.0 / 5.0 / 2.0, js::max(&[0.0, meal_cob * csf / ci])]) };

    let mut min_iob_pred_bg = 999.0;
    let mut min_cob_pred_bg = 999.0;
    let mut min_uam_pred_bg = 999.0;
    let mut min_cob_guard_bg = 999.0;
    let mut min_uam_guard_bg = 999.0;
    let mut min_iob_guard_bg = 999.0;
    let mut min_zt_guard_bg = 999.0;
    let mut iob_pred_bg = eventual_bg;
    let mut max_iob_pred_bg = bg;
    let mut max_cob_pred_bg = bg;
    let mut cob_pred_bg = f64::NAN;
    let mut uam_pred_bg = f64::NAN;
    let insulin_peak_5m = (90.0 / 60.0) * 12.0;
    for tick in iob_data {
        let pred_bgi = round_to(-tick.totals.activity * sens * 5.0, 2);
        let pred_zt_bgi = round_to(-tick.iob_with_zero_temp.totals.activity * sens * 5.0, 2);
        let pred_dev = ci * (1.0 - js::min(&[1.0, iob_pred.len() as f64 / (60.0 / 5.0)]));
        iob_pred_bg = iob_pred[iob_pred.len() - 1] + pred_bgi + pred_dev;
        let zt_pred_bg = zt_pred[zt_pred.len() - 1] + pred_zt_bgi;
        let cob_len = cob_pred.len() as f64;
        let pred_ci = js::max(&[0.0, js::max(&[0.0, ci]) * (1.0 - cob_len / js::max(&[cid * 2.0, 1.0]))]);
        let intervals = js::min(&[cob_len, (remaining_ca_time * 12.0) - cob_len]);
        let remaining_ci = js::max(&[0.0, intervals / (remaining_ca_time / 2.0 * 12.0) * remaining_ci_peak]);
        cob_pred_bg = cob_pred[cob_pred.len() - 1] + pred_bgi + js::min(&[0.0, pred_dev]) + pred_ci + remaining_ci;
        let uam_len = uam_pred.len() as f64;
        let pred_uci_slope = js::max(&[0.0, uci + (uam_len * slope_from_deviations)]);
        let pred_uci_max = js::max(&[0.0, uci * (1.0 - uam_len / js::max(&[3.0 * 60.0 / 5.0, 1.0]))]);
        let pred_uci = js::min(&[pred_uci_slope, pred_uci_max]);
        uam_pred_bg = uam_pred[uam_pred.len() - 1] + pred_bgi + js::min(&[0.0, pred_dev]) + pred_uci;
        if iob_pred.len() < 48 {
            iob_pred.push(iob_pred_bg);
        }
        if cob_pred.len() < 48 {
            cob_pred.push(cob_pred_bg);
        }
        if uam_pred.len() < 48 {
            uam_pred.push(uam_pred_bg);
        }
        if zt_pred.len() < 48 {
            zt_pred.push(zt_pred_bg);
        }
        if cob_pred_bg < min_cob_guard_bg {
            min_cob_guard_bg = round(cob_pred_bg);
        }
        if uam_pred_bg < min_uam_guard_bg {
            min_uam_guard_bg = round(uam_pred_bg);
        }
        if iob_pred_bg < min_iob_guard_bg {
            min_iob_guard_bg = round(iob_pred_bg);
        }
        if zt_pred_bg < min_zt_guard_bg {
            min_zt_guard_bg = round(zt_pred_bg);
        }
        if iob_pred.len() as f64 > insulin_peak_5m && iob_pred_bg < min_iob_pred_bg {
            min_iob_pred_bg = round(iob_pred_bg);
        }
        if iob_pred_bg > max_iob_pred_bg {
            max_iob_pred_bg = iob_pred_bg;
        }
        let carbs_expected = truthy(cid) || remaining_ci_peak > 0.0;
        if carbs_expected && cob_pred.len() as f64 > insulin_peak_5m && cob_pred_bg < min_cob_pred_bg {
            min_cob_pred_bg = round(cob_pred_bg);
        }
        if carbs_expected && cob_pred_bg > max_iob_pred_bg {
            max_cob_pred_bg = cob_pred_bg;
        }
        if enable_uam && uam_pred.len() > 12 && uam_pred_bg < min_uam_pred_bg {
            min_uam_pred_bg = round(uam_pred_bg);
        }
    }

    let clamp_round = |p: &mut Vec<f64>| {
        for value in p.iter_mut() {
            *value = round(js::min(&[401.0, js::max(&[39.0, *value])]));
        }
    };
    let trim_flat_tail = |p: &mut Vec<f64>| {
        let mut i = p.len() - 1;
        while i > 12 {
            if p[i - 1] != p[i] {
                break;
            }
            p.pop();
            i -= 1;
        }
    };
    let mut pred_bgs = Map::new();
    clamp_round(&mut iob_pred);
    trim_flat_tail(&mut iob_pred);
    pred_bgs.insert("IOB".into(), json!(iob_pred));
    let last_iob_pred_bg = round(iob_pred[iob_pred.len() - 1]);
    clamp_round(&mut zt_pred);
    {
        let mut i = zt_pred.len() - 1;
        while i > 6 {
            if zt_pred[i - 1] >= zt_pred[i] || zt_pred[i] <= target_bg {
                break;
            }
            zt_pred.pop();
            i -= 1;
        }
    }
    pred_bgs.insert("ZT".into(), json!(zt_pred));
    let mut last_cob_pred_bg = f64::NAN;
    let mut last_uam_pred_bg = f64::NAN;
    let carbs_showing = meal_cob > 0.0 && (ci > 0.0 || remaining_ci_peak > 0.0);
    if carbs_showing {
        clamp_round(&mut cob_pred);
        trim_flat_tail(&mut cob_pred);
        pred_bgs.insert("COB".into(), json!(cob_pred));
        last_cob_pred_bg = round(cob_pred[cob_pred.len() - 1]);
        eventual_bg = js::max(&[eventual_bg, round(cob_pred[cob_pred.len() - 1])]);
    }
    if ci > 0.0 || remaining_ci_peak > 0.0 {
        if enable_uam {
            clamp_round(&mut uam_pred);
            trim_flat_tail(&mut uam_pred);
            pred_bgs.insert("UAM".into(), json!(uam_pred));
            last_uam_pred_bg = round(uam_pred[uam_pred.len() - 1]);
            if truthy(uam_pred[uam_pred.len() - 1]) {
                eventual_bg = js::max(&[eventual_bg, round(uam_pred[uam_pred.len() - 1])]);
            }
        }
        rt.insert("eventualBG".into(), number(eventual_bg));
    }
    rt.insert("predBGs".into(), Value::Object(pred_bgs));

    min_iob_pred_bg = js::max(&[39.0, min_iob_pred_bg]);
    min_cob_pred_bg = js::max(&[39.0, min_cob_pred_bg]);
    min_uam_pred_bg = js::max(&[39.0, min_uam_pred_bg]);
    let mut min_pred_bg = round(min_iob_pred_bg);
    let fraction_carbs_left = meal_cob / meal_carbs;
    let mut avg_pred_bg = if min_uam_pred_bg < 999.0 && min_cob_pred_bg < 999.0 {
        round((1.0 - fraction_carbs_left) * uam_pred_bg + fraction_carbs_left * cob_pred_bg)
    } else if min_cob_pred_bg < 999.0 {
        round((iob_pred_bg + cob_pred_bg) / 2.0)
    } else if min_uam_pred_bg < 999.0 {
        round((iob_pred_bg + uam_pred_bg) / 2.0)
    } else {
        round(iob_pred_bg)
    };
    if min_zt_guard_bg > avg_pred_bg {
        avg_pred_bg = min_zt_guard_bg;
    }
    let mut min_guard_bg = if truthy(cid) || remaining_ci_peak > 0.0 {
        if enable_uam {
            fraction_carbs_left * min_cob_guard_bg + (1.0 - fraction_carbs_left) * min_uam_guard_bg
        } else {
            min_cob_guard_bg
        }
    } else if enable_uam {
        min_uam_guard_bg
    } else {
        min_iob_guard_bg
    };
    min_guard_bg = round(min_guard_bg);
    let mut min_zt_uam_pred_bg = min_uam_pred_bg;
    if min_zt_guard_bg < threshold {
        min_zt_uam_pred_bg = (min_uam_pred_bg + min_zt_guard_bg) / 2.0;
    } else if min_zt_guard_bg < target_bg {
        let blend_pct = (min_zt_guard_bg - threshold) / (target_bg - threshold);
        let blended = min_uam_pred_bg * blend_pct + min_zt_guard_bg * (1.0 - blend_pct);
        min_zt_uam_pred_bg = (min_uam_pred_bg + blended) / 2.0;
    } else if min_zt_guard_bg > min_uam_pred_bg {
        min_zt_uam_pred_bg = (min_uam_pred_bg + min_zt_guard_bg) / 2.0;
    }
    min_zt_uam_pred_bg = round(min_zt_uam_pred_bg);
    if truthy(meal_carbs) {
        if !enable_uam && min_cob_pred_bg < 999.0 {
            min_pred_bg = round(js::max(&[min_iob_pred_bg, min_cob_pred_bg]));
        } else if min_cob_pred_bg < 999.0 {
            let blended = fraction_carbs_left * min_cob_pred_bg + (1.0 - fraction_carbs_left) * min_zt_uam_pred_bg;
            min_pred_bg = round(js::max(&[min_iob_pred_bg, min_cob_pred_bg, blended]));
        } else if enable_uam {
            min_pred_bg = min_zt_uam_pred_bg;
        } else {
            min_pred_bg = min_guard_bg;
        }
    } else if enable_uam {
        min_pred_bg = round(js::max(&[min_iob_pred_bg, min_zt_uam_pred_bg]));
    }
    min_pred_bg = js::min(&[min_pred_bg, avg_pred_bg]);
    if max_cob_pred_bg > bg {
        min_pred_bg = js::min(&[min_pred_bg, max_cob_pred_bg]);
    }

    if let Some(cob) = meal.meal_cob {
        rt.insert("COB".into(), number(cob));
    }
    rt.insert("IOB".into(), number(iob));
    rt.insert("BGI".into(), convert_bg(bgi, profile));
    rt.insert("deviation".into(), convert_bg(deviation, profile));
    rt.insert("ISF".into(), convert_bg(sens, profile));
    rt.insert("CR".into(), number(round_to(carb_ratio, 2)));
    rt.insert("target_bg".into(), convert_bg(target_bg, profile));
    let mut reason = format!(
        "COB: {}, Dev: {}, BGI: {}, ISF: {}, CR: {}, minPredBG {}, minGuardBG {}, IOBpredBG {}",
        meal.meal_cob.map(num).unwrap_or_else(|| "undefined".into()),
        bg_text(deviation, profile),
        bg_text(bgi, profile),
        bg_text(sens, profile),
        num(round_to(carb_ratio, 2)),
        bg_text(min_pred_bg, profile),
        bg_text(min_guard_bg, profile),
        bg_text(last_iob_pred_bg, profile)
    );
    if last_cob_pred_bg > 0.0 {
        reason += &format!(", COBpredBG {}", bg_text(last_cob_pred_bg, profile));
    }
    if last_uam_pred_bg > 0.0 {
        reason += &format!(", UAMpredBG {}", bg_text(last_uam_pred_bg, profile));
    }
    reason += "; ";
    rt.insert("reason".into(), Value::String(reason));

    let mut carbs_req_bg = naive_eventual_bg;
    if carbs_req_bg < 40.0 {
        carbs_req_bg = js::min(&[min_guard_bg, carbs_req_bg]);
    }
    let mut bg_undershoot = threshold - carbs_req_bg;
    // oref0 also computes minutes above min_bg, but only to log it.
    let prediction = if carbs_showing { &cob_pred } else { &iob_pred };
    let minutes_above_threshold = prediction.iter().position(|v| *v < threshold).map(|i| 5.0 * i as f64).unwrap_or(240.0);
    if enable_smb && min_guard_bg < threshold {
        enable_smb = false;
    }
    let max_delta_bg_threshold = match profile.maxDelta_bg_threshold {
        None => 0.2,
        Some(t) => js::min(&[t, 0.3]),
    };
    if max_delta > max_delta_bg_threshold * bg {
        append_reason(
            &mut rt,
            &format!("maxDelta {} > {}% of BG {}: SMB disabled; ", bg_text(max_delta, profile), num(100.0 * max_delta_bg_threshold), bg_text(bg, profile)),
        );
        enable_smb = false;
    }
    let zero_temp_duration = minutes_above_threshold;
    let zero_temp_effect = current_basal * sens * zero_temp_duration / 60.0;
    let cob_for_carbs_req = js::max(&[0.0, meal_cob - 0.25 * meal_carbs]);
    let carbs_req = round((bg_undershoot - zero_temp_effect) / csf - cob_for_carbs_req);
    if meal.reason.as_deref() == Some("Could not parse clock data") {
        // oref0 cannot tell how many carbs are needed without a clock.
    } else if carbs_req >= n(profile.carbsReqThreshold) && minutes_above_threshold <= 45.0 {
        rt.insert("carbsReq".into(), number(carbs_req));
        append_reason(&mut rt, &format!("{} add'l carbs req w/in {}m; ", num(carbs_req), num(minutes_above_threshold)));
    }

    if bg < threshold && iob < -current_basal * 20.0 / 60.0 && min_delta > 0.0 && min_delta > expected_delta {
        append_reason(&mut rt, &format!("IOB {} < {}", num(iob), num(round_to(-current_basal * 20.0 / 60.0, 2))));
        append_reason(&mut rt, &format!(" and minDelta {} > expectedDelta {}; ", bg_text(min_delta, profile), bg_text(expected_delta, profile)));
    } else if bg < threshold || min_guard_bg < threshold {
        append_reason(&mut rt, &format!("minGuardBG {}<{}", bg_text(min_guard_bg, profile), bg_text(threshold, profile)));
        bg_undershoot = target_bg - min_guard_bg;
        let worst_case_insulin_req = bg_undershoot / sens;
        let mut duration_req = round_to(60.0 * worst_case_insulin_req / current_basal, 0);
        duration_req = round_to(duration_req / 30.0, 0) * 30.0;
        duration_req = js::min(&[120.0, js::max(&[30.0, duration_req])]);
        return set_temp_basal(0.0, duration_req, profile, rt, ct);
    }

    if is_true(profile.skip_neutral_temps) && zone.minute(deliver_at) >= 55.0 {
        append_reason(&mut rt, &format!("; Canceling temp at {}m past the hour. ", num(zone.minute(deliver_at))));
        return set_temp_basal(0.0, 0.0, profile, rt, ct);
    }

    if eventual_bg < min_bg {
        append_reason(&mut rt, &format!("Eventual BG {} < {}", bg_text(eventual_bg, profile), bg_text(min_bg, profile)));
        if min_delta > expected_delta && min_delta > 0.0 && !truthy(carbs_req) {
            if naive_eventual_bg < 40.0 {
                append_reason(&mut rt, ", naive_eventualBG < 40. ");
                return set_temp_basal(0.0, 30.0, profile, rt, ct);
            }
            if gs.delta > min_delta {
                append_reason(&mut rt, &format!(", but Delta {} > expectedDelta {}", bg_text(tick_value, profile), bg_text(expected_delta, profile)));
            } else {
                append_reason(&mut rt, &format!(", but Min. Delta {} > Exp. Delta {}", to_fixed(min_delta, 2), bg_text(expected_delta, profile)));
            }
            return keep_or_set_basal(rt, basal, profile, ct);
        }
        let mut insulin_req = 2.0 * js::min(&[0.0, (eventual_bg - target_bg) / sens]);
        insulin_req = round_to(insulin_req, 2);
        let naive_insulin_req = round_to(js::min(&[0.0, (naive_eventual_bg - target_bg) / sens]), 2);
        if min_delta < 0.0 && min_delta > expected_delta {
            insulin_req = round_to(insulin_req * (min_delta / expected_delta), 2);
        }
        let rate = round_basal(basal + (2.0 * insulin_req), profile);
        let insulin_scheduled = n(ct.duration) * (n(ct.rate) - basal) / 60.0;
        let min_insulin_req = js::min(&[insulin_req, naive_insulin_req]);
        if insulin_scheduled < min_insulin_req - basal * 0.3 {
            append_reason(&mut rt, &format!(", {}m@{} is a lot less than needed. ", num(n(ct.duration)), to_fixed(n(ct.rate), 2)));
            return set_temp_basal(rate, 30.0, profile, rt, ct);
        }
        if ct.rate.is_some() && n(ct.duration) > 5.0 && rate >= n(ct.rate) * 0.8 {
            append_reason(&mut rt, &format!(", temp {} ~< req {}U/hr. ", num(n(ct.rate)), num(rate)));
            return rt;
        }
        if rate <= 0.0 {
            let bg_undershoot = target_bg - naive_eventual_bg;
            let worst_case_insulin_req = bg_undershoot / sens;
            let mut duration_req = round_to(60.0 * worst_case_insulin_req / current_basal, 0);
            if duration_req < 0.0 {
                duration_req = 0.0;
            } else {
                duration_req = round_to(duration_req / 30.0, 0) * 30.0;
                duration_req = js::min(&[120.0, js::max(&[0.0, duration_req])]);
            }
            if duration_req > 0.0 {
                append_reason(&mut rt, &format!(", setting {}m zero temp. ", num(duration_req)));
                return set_temp_basal(rate, duration_req, profile, rt, ct);
            }
        } else {
            append_reason(&mut rt, &format!(", setting {}U/hr. ", num(rate)));
        }
        return set_temp_basal(rate, 30.0, profile, rt, ct);
    }

    if min_delta < expected_delta && !(inputs.micro_bolus_allowed && enable_smb) {
        if gs.delta < min_delta {
            append_reason(
                &mut rt,
                &format!(
                    "Eventual BG {} > {} but Delta {} < Exp. Delta {}",
                    bg_text(eventual_bg, profile),
                    bg_text(min_bg, profile),
                    bg_text(tick_value, profile),
                    bg_text(expected_delta, profile)
                ),
            );
        } else {
            append_reason(
                &mut rt,
                &format!(
                    "Eventual BG {} > {} but Min. Delta {} < Exp. Delta {}",
                    bg_text(eventual_bg, profile),
                    bg_text(min_bg, profile),
                    to_fixed(min_delta, 2),
                    bg_text(expected_delta, profile)
                ),
            );
        }
        return keep_or_set_basal(rt, basal, profile, ct);
    }

    if js::min(&[eventual_bg, min_pred_bg]) < max_bg && !(inputs.micro_bolus_allowed && enable_smb) {
        append_reason(&mut rt, &format!("{}-{} in range: no temp required", bg_text(eventual_bg, profile), bg_text(min_pred_bg, profile)));
        return keep_or_set_basal(rt, basal, profile, ct);
    }

    if eventual_bg >= max_bg {
        append_reason(&mut rt, &format!("Eventual BG {} >= {}, ", bg_text(eventual_bg, profile), bg_text(max_bg, profile)));
    }
    if iob > max_iob {
        append_reason(&mut rt, &format!("IOB {} > max_iob {}", num(round_to(iob, 2)), num(max_iob)));
        return keep_or_set_basal(rt, basal, profile, ct);
    }

    let mut insulin_req = round_to((js::min(&[min_pred_bg, eventual_bg]) - target_bg) / sens, 2);
    if insulin_req > max_iob - iob {
        append_reason(&mut rt, &format!("max_iob {}, ", num(max_iob)));
        insulin_req = max_iob - iob;
    }
    let mut rate = round_basal(basal + (2.0 * insulin_req), profile);
    insulin_req = round_to(insulin_req, 3);
    rt.insert("insulinReq".into(), number(insulin_req));
    let last_bolus_age = round_to((system_time - n(iob_now.last_bolus_time)) / 60000.0, 1);
    if inputs.micro_bolus_allowed && enable_smb && bg > threshold {
        let meal_insulin_req = round_to(meal_cob / carb_ratio, 3);
        let max_bolus = if profile.maxSMBBasalMinutes.is_none() {
            round_to(current_basal * 30.0 / 60.0, 1)
        } else if iob > meal_insulin_req && iob > 0.0 {
            match profile.maxUAMSMBBasalMinutes {
                Some(minutes) if truthy(minutes) => round_to(current_basal * minutes / 60.0, 1),
                _ => round_to(current_basal * 30.0 / 60.0, 1),
            }
        } else {
            round_to(current_basal * n(profile.maxSMBBasalMinutes) / 60.0, 1)
        };
        let bolus_increment = profile.bolus_increment.filter(|b| truthy(*b)).unwrap_or(0.1);
        let round_smb_to = 1.0 / bolus_increment;
        let micro_bolus = (js::min(&[insulin_req / 2.0, max_bolus]) * round_smb_to).floor() / round_smb_to;
        let smb_target = target_bg;
        let worst_case_insulin_req = (smb_target - (naive_eventual_bg + min_iob_pred_bg) / 2.0) / sens;
        let mut duration_req = round_to(60.0 * worst_case_insulin_req / current_basal, 0);
        if insulin_req > 0.0 && micro_bolus < bolus_increment {
            duration_req = 0.0;
        }
        let mut smb_low_temp_req = 0.0;
        if duration_req <= 0.0 {
            duration_req = 0.0;
        } else if duration_req >= 30.0 {
            duration_req = round_to(duration_req / 30.0, 0) * 30.0;
            duration_req = js::min(&[60.0, js::max(&[0.0, duration_req])]);
        } else {
            smb_low_temp_req = round_to(basal * duration_req / 30.0, 2);
            duration_req = 30.0;
        }
        append_reason(&mut rt, &format!(" insulinReq {}", num(insulin_req)));
        if micro_bolus >= max_bolus {
            append_reason(&mut rt, &format!("; maxBolus {}", num(max_bolus)));
        }
        if duration_req > 0.0 {
            append_reason(&mut rt, &format!("; setting {}m low temp of {}U/h", num(duration_req), num(smb_low_temp_req)));
        }
        append_reason(&mut rt, ". ");
        let smb_interval = match profile.SMBInterval {
            Some(i) if truthy(i) => js::min(&[10.0, js::max(&[1.0, i])]),
            _ => 3.0,
        };
        let next_bolus_mins = round_to(smb_interval - last_bolus_age, 0);
        let next_bolus_seconds = round_to((smb_interval - last_bolus_age) * 60.0, 0) % 60.0;
        if last_bolus_age > smb_interval {
            if micro_bolus > 0.0 {
                rt.insert("units".into(), number(micro_bolus));
                append_reason(&mut rt, &format!("Microbolusing {}U. ", num(micro_bolus)));
            }
        } else {
            append_reason(&mut rt, &format!("Waiting {}m {}s to microbolus again. ", num(next_bolus_mins), num(next_bolus_seconds)));
        }
        if duration_req > 0.0 {
            rt.insert("rate".into(), number(smb_low_temp_req));
            rt.insert("duration".into(), number(duration_req));
            return rt;
        }
    }

    let max_safe_basal = get_max_safe_basal(profile);
    if rate > max_safe_basal {
        append_reason(&mut rt, &format!("adj. req. rate: {} to maxSafeBasal: {}, ", num(rate), num(max_safe_basal)));
        rate = round_basal(max_safe_basal, profile);
    }
    let insulin_scheduled = n(ct.duration) * (n(ct.rate) - basal) / 60.0;
    if insulin_scheduled >= insulin_req * 2.0 {
        append_reason(&mut rt, &format!("{}m@{} > 2 * insulinReq. Setting temp basal of {}U/hr. ", num(n(ct.duration)), to_fixed(n(ct.rate), 2), num(rate)));
        return set_temp_basal(rate, 30.0, profile, rt, ct);
    }
    if ct.duration.is_none() || ct.duration == Some(0.0) {
        append_reason(&mut rt, &format!("no temp, setting {}U/hr. ", num(rate)));
        return set_temp_basal(rate, 30.0, profile, rt, ct);
    }
    if n(ct.duration) > 5.0 && round_basal(rate, profile) <= round_basal(n(ct.rate), profile) {
        append_reason(&mut rt, &format!("temp {} >~ req {}U/hr. ", num(n(ct.rate)), num(rate)));
        return rt;
    }
    append_reason(&mut rt, &format!("temp {}<{}U/hr. ", num(n(ct.rate)), num(rate)));
    set_temp_basal(rate, 30.0, profile, rt, ct)
}
