//! From Nightscout treatments to insulin doses (oref0's iob/history module).
//!
//! Boluses count as they are. Temp basals are cut at every 30 minutes and at basal schedule
//! changes, and each piece becomes a train of ±0.05 U micro-doses for its difference from the
//! scheduled rate (adjusted by autosens or an exercise temp target). A zero temp one minute in
//! the future is appended so that predictions can ask "what if the pump stopped now".
//!
//! The treatments are read as JSON values because oref0 distinguishes a missing field, a null
//! and a number, and the results depend on it. oref0 expects them newest first and ignores a
//! record newer than the one before it (how it drops overlap between pump history downloads);
//! that is kept. Pump-history records (`_type` Bolus, TempBasal, PumpSuspend, ...) are a
//! Medtronic download format that Nightscout never stores; only Nightscout treatments are read.

use serde_json::Value;

use crate::js;
use crate::profile::{basal_lookup, is_true, n, Profile};
use crate::time::Zone;

/// One element of oref0's treatment list: a dose, a temp basal, or both absent (ignored).
#[derive(Debug, Clone)]
pub struct InsulinEvent {
    /// Epoch milliseconds; temp-basal micro-doses fall on fractional milliseconds.
    pub date: f64,
    pub insulin: Option<f64>,
    /// Boluses carry oref0's `started_at`; micro-doses from temp basals do not.
    pub is_bolus: bool,
    /// U/h for temp basals.
    pub rate: Option<f64>,
    /// Minutes; NaN when the record had none.
    pub duration: f64,
    pub duration_is_null: bool,
    /// Epoch ms of the record's timestamp (used for the basal lookup); None when it had none.
    pub timestamp: Option<f64>,
}

impl InsulinEvent {
    fn dose(date: f64, insulin: Option<f64>, is_bolus: bool) -> Self {
        InsulinEvent { date, insulin, is_bolus, rate: None, duration: f64::NAN, duration_is_null: false, timestamp: Some(date) }
    }

    fn temp(date: f64, rate: Option<f64>, duration: f64, duration_is_null: bool, timestamp: Option<f64>) -> Self {
        InsulinEvent { date, insulin: None, is_bolus: false, rate, duration, duration_is_null, timestamp }
    }

    /// `duration * 60 * 1000` with JavaScript's null-as-zero.
    fn duration_ms(&self) -> f64 {
        if self.duration_is_null { 0.0 } else { self.duration * 60_000.0 }
    }
}

/// oref0's IOB inputs: treatments newest first, the profile, the clock and (optionally) the
/// autosens ratio.
pub struct HistoryInputs<'a> {
    pub history: &'a [Value],
    pub profile: &'a Profile,
    pub clock: f64,
    pub zone: &'a Zone,
    /// The autosens ratio, when oref0 would be given autosens data.
    pub autosens_ratio: Option<f64>,
}

pub(crate) fn number(record: &Value, key: &str) -> Option<f64> {
    record.get(key).and_then(Value::as_f64)
}

pub(crate) fn text<'a>(record: &'a Value, key: &str) -> Option<&'a str> {
    record.get(key).and_then(Value::as_str)
}

fn is_truthy(record: &Value, key: &str) -> bool {
    match record.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(x)) => x.as_f64().is_some_and(js::truthy),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// A record's time as `new Date(tz(value))` reads it: ISO strings or epoch milliseconds.
pub fn time_of(value: Option<&Value>, zone: &Zone) -> Option<f64> {
    match value? {
        Value::String(s) => zone.parse(s),
        Value::Number(x) => x.as_f64(),
        _ => None,
    }
}

/// oref0's find_insulin: the dose and temp-basal list, oldest first.
/// `zero_temp_duration` is 240 for the "zero temp from now" variant, 0 otherwise.
pub fn find_insulin(inputs: &HistoryInputs, zero_temp_duration: f64) -> Vec<InsulinEvent> {
    let profile = inputs.profile;
    let zone = inputs.zone;
    let now = inputs.clock;
    let mut temp_boluses: Vec<InsulinEvent> = Vec::new();
    let mut temp_history: Vec<InsulinEvent> = Vec::new();
    let mut last_record_time = now;
    crate::limits::charge(inputs.history.len() as u64);

    for record in inputs.history {
        // oref0 copies created_at over timestamp before reading the record's time.
        let stamp = if is_truthy(record, "created_at") { record.get("created_at") } else { record.get("timestamp") };
        let Some(record_time) = time_of(stamp, zone) else { continue };
        if record_time > last_record_time {
            continue;
        }
        last_record_time = record_time;

        let event_type = text(record, "eventType");
        let entered_by = text(record, "enteredBy");
        let created_at = time_of(record.get("created_at"), zone);
        if matches!(event_type, Some("Meal Bolus" | "Correction Bolus" | "Snack Bolus" | "Bolus Wizard")) {
            if let Some(at) = created_at {
                temp_boluses.push(InsulinEvent::dose(at, number(record, "insulin"), true));
            }
        } else if entered_by == Some("xdrip") {
            temp_boluses.push(InsulinEvent::dose(record_time, number(record, "insulin"), true));
        } else if entered_by == Some("HAPP_App") && is_truthy(record, "insulin") {
            if let Some(at) = created_at {
                temp_boluses.push(InsulinEvent::dose(at, number(record, "insulin"), true));
            }
        } else if event_type == Some("Temp Basal") {
            let (duration, duration_is_null) = match record.get("duration") {
                None => (f64::NAN, false),
                Some(Value::Null) => (0.0, true),
                Some(v) => (v.as_f64().unwrap_or(f64::NAN), false),
            };
            let (rate, at) = if matches!(entered_by, Some("HAPP_App" | "openaps://AndroidAPS")) {
                (number(record, "absolute"), created_at)
            } else {
                // Loop reports the insulin actually delivered; its effective rate is what counted.
                let rate = match record.get("amount") {
                    None => number(record, "rate"),
                    Some(amount) => Some(amount.as_f64().unwrap_or(0.0) / duration * 60.0),
                };
                (rate, Some(record_time))
            };
            if let Some(at) = at {
                temp_history.push(InsulinEvent::temp(at, rate, duration, duration_is_null, Some(at)));
            }
        }
        // Cancel every temp at now+1 min: oref0 ignores temps running into the future.
        temp_history.push(InsulinEvent::temp(now + 60_000.0, Some(0.0), zero_temp_duration, false, None));
    }

    sort_by_date(&mut temp_history);
    let mut i = 0;
    while i + 1 < temp_history.len() {
        if temp_history[i].date + temp_history[i].duration_ms() > temp_history[i + 1].date {
            temp_history[i].duration = (temp_history[i + 1].date - temp_history[i].date) / 60_000.0;
            temp_history[i].duration_is_null = false;
            // AndroidAPS cancels a temp with a record that has no duration.
            if temp_history[i + 1].duration_is_null {
                crate::limits::charge((temp_history.len() - i) as u64);
                temp_history.remove(i + 1);
            }
        }
        i += 1;
    }

    let splitters: Vec<f64> = profile.basalprofile.iter().map(|e| e.minutes).collect();
    let mut split_history: Vec<InsulinEvent> = Vec::new();
    for event in &temp_history {
        split_history.extend(split_timespan(event.clone(), &splitters, zone));
    }
    sort_by_date(&mut split_history);

    let target_bg = match (profile.min_bg, profile.max_bg) {
        (Some(lo), Some(hi)) => (lo + hi) / 2.0,
        _ => f64::NAN,
    };
    for item in split_history.iter().filter(|e| e.duration > 0.0) {
        let mut current_rate = n(profile.current_basal);
        if !profile.basalprofile.is_empty() {
            current_rate = basal_lookup(&profile.basalprofile, zone, item.timestamp.unwrap_or(f64::NAN));
        }
        let normal_target = 100.0;
        let half_basal_target = match profile.half_basal_exercise_target {
            Some(t) if js::truthy(t) => t,
            _ => 160.0,
        };
        let mut sensitivity_ratio = f64::NAN;
        if is_true(profile.exercise_mode) && is_true(profile.temptargetSet) && target_bg >= normal_target + 5.0 {
            let c = half_basal_target - normal_target;
            sensitivity_ratio = c / (c + target_bg - normal_target);
        } else if let Some(ratio) = inputs.autosens_ratio {
            sensitivity_ratio = ratio;
        }
        if js::truthy(sensitivity_ratio) {
            current_rate *= sensitivity_ratio;
        }
        let net_rate = item.rate.unwrap_or(f64::NAN) - current_rate;
        let size = if net_rate < 0.0 { -0.05 } else { 0.05 };
        let net_amount = js::round(net_rate * item.duration * 10.0 / 6.0) / 100.0;
        let count = js::round(net_amount / size);
        if !(count >= 1.0) {
            continue;
        }
        crate::limits::charge_f64(count);
        let spacing = item.duration / count;
        for j in 0..count as i64 {
            temp_boluses.push(InsulinEvent {
                date: item.date + j as f64 * spacing * 60.0 * 1000.0,
                insulin: Some(size),
                is_bolus: false,
                rate: None,
                duration: f64::NAN,
                duration_is_null: false,
                timestamp: None,
            });
        }
    }

    let mut all = temp_boluses;
    all.extend(temp_history);
    sort_by_date(&mut all);
    all
}

fn sort_by_date(events: &mut [InsulinEvent]) {
    events.sort_by(|a, b| a.date.partial_cmp(&b.date).unwrap_or(std::cmp::Ordering::Equal));
}

/// oref0's splitTimespan, including its habit of dropping an unsplit piece that follows a
/// split one in the same pass (the reference does this; matching it keeps IOB identical).
fn split_timespan(event: InsulinEvent, splitters: &[f64], zone: &Zone) -> Vec<InsulinEvent> {
    let mut results = vec![event];
    let mut split_found = true;
    while split_found {
        let mut next = Vec::new();
        split_found = false;
        for piece in &results {
            for &minutes in splitters {
                crate::limits::charge(1);
                if let Some((first, second)) = split_once(piece, minutes, zone) {
                    next.push(first);
                    next.push(second);
                    split_found = true;
                    break;
                }
            }
            if !split_found {
                next.push(piece.clone());
            }
        }
        results = next;
    }
    results
}

fn split_once(event: &InsulinEvent, splitter: f64, zone: &Zone) -> Option<(InsulinEvent, InsulinEvent)> {
    let duration = if event.duration_is_null { 0.0 } else { event.duration };
    let start = zone.minutes_of_day(event.date);
    let end = start + duration;
    let crosses = duration > 30.0 || (start < splitter && end > splitter) || (end > 1440.0 && splitter < end - 1440.0);
    if !crosses {
        return None;
    }
    let first_duration = if duration > 30.0 { 30.0 } else if end > 1440.0 { 1440.0 - start } else { splitter - start };
    // moment().add(minutes).format() keeps whole seconds.
    let second_start = ((event.date + first_duration * 60_000.0) / 1000.0).floor() * 1000.0;
    let mut first = event.clone();
    first.duration = first_duration;
    first.duration_is_null = false;
    let mut second = event.clone();
    second.duration = duration - first_duration;
    second.duration_is_null = false;
    second.date = second_start;
    second.timestamp = Some(second_start);
    Some((first, second))
}
