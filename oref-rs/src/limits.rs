//! What the C ABI accepts, and a ceiling on the work one call may do.
//!
//! The library runs inside the server process: an input that made it allocate without bound
//! would abort the process (an allocation failure is not a panic that can be caught), and one
//! that made it loop for minutes would hold a worker thread. So every input is checked before
//! any work proportional to it: counts, spans of time, and the physical range of every number
//! that sizes a loop (temp-basal rates and durations, insulin amounts). A request outside them
//! is refused with a message naming the field. On top of that, the hot loops charge a work
//! meter; a request that passes the checks and still exceeds the budget is refused as a whole
//! (the limits below keep every realistic day far from it).

use std::cell::Cell;

use serde_json::Value;

use crate::glucose::GlucoseEntry;
use crate::history::{text, time_of};
use crate::profile::Profile;
use crate::time::Zone;

/// Records in a treatment history or a dose list (a busy AndroidAPS day has about 600).
pub const MAX_RECORDS: usize = 20_000;
/// CGM readings (one a minute from two uploaders for three days is 8,640).
pub const MAX_READINGS: usize = 20_000;
pub const MAX_TEMP_TARGETS: usize = 1_000;
/// Schedule slots; pumps store at most 48 half-hour slots.
pub const MAX_SCHEDULE_SLOTS: usize = 48;
/// How far before the clock a treatment or reading may be (oref0 reads 24 h plus the DIA).
pub const MAX_SPAN_BEFORE_MS: f64 = 8.0 * 24.0 * 3_600_000.0;
/// How far after the clock (future-dated carbs, a phone clock ahead of the server).
pub const MAX_SPAN_AFTER_MS: f64 = 24.0 * 3_600_000.0;
/// U/h: above the maximum temp basal of any insulin pump (35 U/h is the highest in use).
pub const MAX_RATE: f64 = 50.0;
/// Units in one dose or one delivered temp (pumps cap a bolus at 25–35 U).
pub const MAX_DOSE: f64 = 100.0;
/// Minutes: a temp basal or temp target runs at most a day.
pub const MAX_DURATION: f64 = 24.0 * 60.0;
pub const MAX_CARBS: f64 = 1_000.0;
/// mg/dL: CGMs report 39–400 and error codes below 39.
pub const MAX_GLUCOSE: f64 = 1_000.0;
/// Hours of insulin action.
pub const MAX_DIA: f64 = 24.0;
/// Epoch milliseconds of 2100-01-01: a clock beyond it is not a clock.
pub const MAX_CLOCK: f64 = 4_102_444_800_000.0;
/// Work units for one call (one unit: one dose visited in an IOB sum, one interpolated bucket,
/// one generated micro-dose; reading a CGM record's date costs 100). A busy day (temps and SMBs
/// every 5 minutes, one-minute CGM from two uploaders, ten meals) costs under 3 million; the
/// budget is about 0.1 s of one core when the machine is idle.
pub const WORK_BUDGET: u64 = 25_000_000;

thread_local! {
    static WORK_LEFT: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The unwind payload of a call that ran out of budget; caught at the ABI boundary.
pub struct WorkBudgetExceeded;

/// Starts metering the current thread's call.
pub fn start_meter(budget: u64) {
    WORK_LEFT.with(|left| left.set(Some(budget)));
}

pub fn stop_meter() {
    WORK_LEFT.with(|left| left.set(None));
}

/// Charges `units` of work; unwinds with [`WorkBudgetExceeded`] when the budget is spent.
/// Without a running meter (library use outside the ABI) nothing is counted.
pub fn charge(units: u64) {
    WORK_LEFT.with(|left| {
        if let Some(remaining) = left.get() {
            if units > remaining {
                left.set(None);
                // resume_unwind skips the panic hook: this is an expected refusal, not a bug.
                std::panic::resume_unwind(Box::new(WorkBudgetExceeded));
            }
            left.set(Some(remaining - units));
        }
    });
}

/// Charges a count that may come from floating-point arithmetic (NaN and negatives cost 0).
pub fn charge_f64(units: f64) {
    if units > 0.0 {
        charge(if units >= u64::MAX as f64 { u64::MAX } else { units as u64 });
    }
}

pub fn in_range(field: &str, value: f64, lo: f64, hi: f64, unit: &str) -> Result<(), String> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(format!("{field} is {value}{unit}, outside {lo}–{hi}{unit}"))
    }
}

fn optional(field: &str, value: Option<f64>, lo: f64, hi: f64, unit: &str) -> Result<(), String> {
    value.map_or(Ok(()), |v| in_range(field, v, lo, hi, unit))
}

fn count(field: &str, len: usize, max: usize) -> Result<(), String> {
    if len <= max {
        Ok(())
    } else {
        Err(format!("{field} has {len} items, at most {max} are accepted"))
    }
}

fn within_span(field: &str, time: f64, clock: f64) -> Result<(), String> {
    if time.is_nan() || (time >= clock - MAX_SPAN_BEFORE_MS && time <= clock + MAX_SPAN_AFTER_MS) {
        Ok(())
    } else {
        Err(format!("{field} is {}, outside 8 days before to 1 day after the clock", crate::time::iso_string_or_raw(time)))
    }
}

pub fn check_clock(field: &str, clock: f64) -> Result<(), String> {
    if clock.is_finite() && clock > 0.0 && clock <= MAX_CLOCK {
        Ok(())
    } else {
        Err(format!("{field} must be epoch milliseconds before the year 2100"))
    }
}

pub fn check_dia(dia: f64) -> Result<(), String> {
    if dia.is_finite() && dia > 0.0 && dia <= MAX_DIA {
        Ok(())
    } else {
        Err(format!("profile.dia must be a positive number of hours up to {MAX_DIA}"))
    }
}

pub fn check_profile(profile: &Profile) -> Result<(), String> {
    check_dia(profile.dia)?;
    optional("profile.insulinPeakTime", profile.insulin_peak_time, 0.0, 600.0, " min")?;
    count("profile.basalprofile", profile.basalprofile.len(), MAX_SCHEDULE_SLOTS)?;
    for (i, slot) in profile.basalprofile.iter().enumerate() {
        in_range(&format!("profile.basalprofile[{i}].minutes"), slot.minutes, 0.0, 1439.0, "")?;
        in_range(&format!("profile.basalprofile[{i}].rate"), slot.rate, 0.0, MAX_RATE, " U/h")?;
    }
    count("profile.isfProfile.sensitivities", profile.isf_profile.sensitivities.len(), MAX_SCHEDULE_SLOTS)?;
    for (i, slot) in profile.isf_profile.sensitivities.iter().enumerate() {
        in_range(&format!("profile.isfProfile.sensitivities[{i}].offset"), slot.offset, 0.0, 1439.0, "")?;
        in_range(&format!("profile.isfProfile.sensitivities[{i}].sensitivity"), slot.sensitivity, 0.0, MAX_GLUCOSE, " mg/dL/U")?;
    }
    optional("profile.current_basal", profile.current_basal, 0.0, MAX_RATE, " U/h")?;
    optional("profile.max_basal", profile.max_basal, 0.0, MAX_RATE, " U/h")?;
    optional("profile.max_daily_basal", profile.max_daily_basal, 0.0, MAX_RATE, " U/h")?;
    optional("profile.max_iob", profile.max_iob, 0.0, MAX_DOSE, " U")?;
    optional("profile.sens", profile.sens, 0.0, MAX_GLUCOSE, " mg/dL/U")?;
    optional("profile.carb_ratio", profile.carb_ratio, 0.0, MAX_CARBS, " g/U")?;
    optional("profile.maxCOB", profile.max_cob, 0.0, MAX_CARBS, " g")?;
    optional("profile.min_bg", profile.min_bg, 0.0, MAX_GLUCOSE, " mg/dL")?;
    optional("profile.max_bg", profile.max_bg, 0.0, MAX_GLUCOSE, " mg/dL")?;
    Ok(())
}

fn number_of(record: &Value, key: &str) -> Result<Option<f64>, String> {
    match record.get(key) {
        Some(Value::Number(x)) => Ok(x.as_f64()),
        _ => Ok(None),
    }
}

/// Nightscout treatments as oref0 reads them: count, time span, and the range of every amount,
/// rate and duration that sizes the temp-basal split.
pub fn check_treatments(field: &str, history: &[Value], clock: f64, zone: &Zone) -> Result<(), String> {
    count(field, history.len(), MAX_RECORDS)?;
    for (i, record) in history.iter().enumerate() {
        let at = |key: &str| format!("{field}[{i}].{key}");
        for key in ["created_at", "timestamp"] {
            if let Some(time) = time_of(record.get(key), zone) {
                within_span(&at(key), time, clock)?;
            }
        }
        if let Some(insulin) = number_of(record, "insulin")? {
            in_range(&at("insulin"), insulin, 0.0, MAX_DOSE, " U")?;
        }
        if let Some(carbs) = number_of(record, "carbs")? {
            in_range(&at("carbs"), carbs, -MAX_CARBS, MAX_CARBS, " g")?;
        }
        if text(record, "eventType") != Some("Temp Basal") {
            continue;
        }
        for key in ["absolute", "rate"] {
            if let Some(rate) = number_of(record, key)? {
                in_range(&at(key), rate, 0.0, MAX_RATE, " U/h")?;
            }
        }
        let duration = number_of(record, "duration")?;
        if let Some(minutes) = duration {
            in_range(&at("duration"), minutes, 0.0, MAX_DURATION, " min")?;
        }
        if let Some(amount) = number_of(record, "amount")? {
            in_range(&at("amount"), amount, 0.0, MAX_DOSE, " U")?;
            // Loop's delivered amount becomes a rate over the duration; that rate must be one a
            // pump can run. A temp without a positive duration delivers nothing and oref0 ignores
            // it, so only positive durations are checked.
            let minutes = duration.unwrap_or(f64::NAN);
            let rate = amount / minutes * 60.0;
            if minutes > 0.0 && !(rate <= MAX_RATE) {
                return Err(format!("{} is {amount} U over {minutes} min, a rate above {MAX_RATE} U/h", at("amount")));
            }
        }
    }
    Ok(())
}

/// CGM readings: count, order (newest first), span and value range.
pub fn check_glucose(field: &str, glucose: &[GlucoseEntry], clock: f64, zone: &Zone) -> Result<(), String> {
    count(field, glucose.len(), MAX_READINGS)?;
    let mut newer = f64::INFINITY;
    for (i, entry) in glucose.iter().enumerate() {
        for (key, value) in [("sgv", entry.sgv), ("glucose", entry.glucose)] {
            if let Some(v) = value {
                in_range(&format!("{field}[{i}].{key}"), v, 0.0, MAX_GLUCOSE, " mg/dL")?;
            }
        }
        if let Some(date) = entry.date {
            if !date.is_finite() {
                return Err(format!("{field}[{i}].date must be epoch milliseconds"));
            }
            within_span(&format!("{field}[{i}].date"), date, clock)?;
        }
        let time = entry.time_from_date_string(zone);
        within_span(&format!("{field}[{i}].dateString"), time, clock)?;
        if time > newer {
            return Err(format!("{field} must be newest first: {field}[{i}] is newer than the reading before it"));
        }
        if !time.is_nan() {
            newer = time;
        }
    }
    Ok(())
}

pub fn check_temp_targets(field: &str, targets: &[crate::autosens::TempTarget]) -> Result<(), String> {
    count(field, targets.len(), MAX_TEMP_TARGETS)?;
    for (i, target) in targets.iter().enumerate() {
        optional(&format!("{field}[{i}].duration"), target.duration, 0.0, MAX_DURATION, " min")?;
        optional(&format!("{field}[{i}].targetTop"), target.target_top, 0.0, MAX_GLUCOSE, " mg/dL")?;
        optional(&format!("{field}[{i}].targetBottom"), target.target_bottom, 0.0, MAX_GLUCOSE, " mg/dL")?;
    }
    Ok(())
}

pub fn check_current_temp(temp: &crate::determine_basal::CurrentTemp) -> Result<(), String> {
    optional("currentTemp.rate", temp.rate, 0.0, MAX_RATE, " U/h")?;
    optional("currentTemp.duration", temp.duration, 0.0, MAX_DURATION, " min")
}

pub fn check_count(field: &str, len: usize, max: usize) -> Result<(), String> {
    count(field, len, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CLOCK: f64 = 1_795_348_800_000.0;

    fn temp(fields: Value) -> Vec<Value> {
        let mut record = json!({"eventType": "Temp Basal", "created_at": "2026-11-22T11:30:00.000Z"});
        for (k, v) in fields.as_object().unwrap() {
            record[k] = v.clone();
        }
        vec![record]
    }

    fn treatments(history: &[Value]) -> Result<(), String> {
        check_treatments("treatments", history, CLOCK, &Zone::new(0))
    }

    #[test]
    fn rates_amounts_and_durations_outside_physical_ranges_are_refused_by_name() {
        assert_eq!(treatments(&temp(json!({"absolute": 1e12, "duration": 30}))).unwrap_err(), "treatments[0].absolute is 1000000000000 U/h, outside 0–50 U/h");
        assert!(treatments(&temp(json!({"rate": 1, "amount": 1e6, "duration": 1e-9}))).unwrap_err().starts_with("treatments[0].amount is 1000000 U"));
        assert!(treatments(&temp(json!({"rate": 1, "amount": 10, "duration": 1e-3}))).unwrap_err().contains("a rate above 50 U/h"));
        assert!(treatments(&temp(json!({"rate": 1, "duration": 1e9}))).unwrap_err().starts_with("treatments[0].duration"));
        // Physical values, and a Loop temp that delivered nothing (oref0 ignores it), pass.
        assert!(treatments(&temp(json!({"rate": 35, "amount": 1.2, "duration": 30}))).is_ok());
        assert!(treatments(&temp(json!({"rate": 1, "amount": 0, "duration": 0}))).is_ok());
        assert!(treatments(&temp(json!({"rate": 1, "amount": 1, "duration": 0}))).is_ok());
    }

    #[test]
    fn counts_and_spans_are_bounded() {
        let many: Vec<Value> = (0..MAX_RECORDS + 1).map(|_| json!({"eventType": "Note"})).collect();
        assert_eq!(treatments(&many).unwrap_err(), "treatments has 20001 items, at most 20000 are accepted");
        let old = vec![json!({"eventType": "Correction Bolus", "created_at": "2026-05-01T00:00:00Z", "insulin": 1})];
        assert!(treatments(&old).unwrap_err().starts_with("treatments[0].created_at is 2026-05-01T00:00:00.000Z, outside 8 days before"));
    }

    #[test]
    fn readings_must_be_newest_first_and_in_range() {
        let reading = |minutes_ago: f64, sgv: f64| {
            let date = CLOCK - minutes_ago * 60_000.0;
            GlucoseEntry { sgv: Some(sgv), date: Some(date), date_string: Some(crate::time::iso_string(date)), ..Default::default() }
        };
        let zone = Zone::new(0);
        assert!(check_glucose("glucose", &[reading(1.0, 120.0), reading(1.0, 121.0), reading(6.0, 10.0)], CLOCK, &zone).is_ok());
        assert_eq!(check_glucose("glucose", &[reading(6.0, 120.0), reading(1.0, 121.0)], CLOCK, &zone).unwrap_err(), "glucose must be newest first: glucose[1] is newer than the reading before it");
        assert!(check_glucose("glucose", &[reading(1.0, 1e300)], CLOCK, &zone).unwrap_err().starts_with("glucose[0].sgv"));
    }
}
