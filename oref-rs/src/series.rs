//! IOB and COB at many instants over one treatment history, profile and reading list, in one call.
//!
//! A chart asks for both every 5 minutes over a day: as separate calls that is ~580 crossings of
//! the ABI, each serializing the whole history again. Each point here is computed by the very
//! functions behind `oref_iob_history` (current only) and `oref_meal`, on the part of the history
//! and readings the caller says was known at that instant, under its own work budget, so every
//! point equals what the single calls answer for the same inputs.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::glucose::GlucoseEntry;
use crate::iob_array::IobTick;
use crate::limits::{check_clock, check_count, check_profile, start_meter, stop_meter, WorkBudgetExceeded, MAX_RECORDS, WORK_BUDGET};
use crate::meal::MealData;
use crate::profile::Profile;
use crate::requests::{iob_from_history, meal_from_history, zone_of};
use crate::time::{Transition, Zone};

/// The most points one call computes: 72 hours every 5 minutes, with room to spare.
pub const MAX_POINTS: usize = 1_000;

const OUT_OF_BUDGET: &str = "the request needs more work than one call may do; send fewer or shorter records";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IobCobSeriesRequest {
    /// Nightscout treatments, newest first.
    pub history: Vec<Value>,
    pub profile: Profile,
    /// Nightscout entries, newest first.
    #[serde(default)]
    pub glucose: Vec<GlucoseEntry>,
    #[serde(default)]
    pub utc_offset: i32,
    /// The zone's offsets over the request window; wins over `utcOffset`.
    #[serde(default)]
    pub utc_offsets: Option<Vec<Transition>>,
    pub points: Vec<SeriesPoint>,
}

/// One instant and what was known at it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    pub clock: f64,
    /// The treatments known at `clock` are `history[historyFrom..]` (the newer ones came later).
    #[serde(default)]
    pub history_from: usize,
    /// The readings seen at `clock` are `glucose[glucoseFrom..glucoseTo]`; COB is computed only when there are some.
    #[serde(default)]
    pub glucose_from: usize,
    #[serde(default)]
    pub glucose_to: usize,
}

/// IOB (oref0's current IOB tick) and meal data at one instant, or why either could not be computed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesValue {
    pub clock: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iob: Option<IobTick>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iob_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meal: Option<MealData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meal_error: Option<String>,
}

impl IobCobSeriesRequest {
    pub fn run(self) -> Result<Vec<SeriesValue>, String> {
        check_count("points", self.points.len(), MAX_POINTS)?;
        check_count("history", self.history.len(), MAX_RECORDS)?;
        check_count("glucose", self.glucose.len(), MAX_RECORDS)?;
        check_profile(&self.profile)?;
        let zone = zone_of(self.utc_offset, &self.utc_offsets)?;
        Ok(self.points.iter().map(|point| self.at(point, &zone)).collect())
    }

    fn at(&self, point: &SeriesPoint, zone: &Zone) -> SeriesValue {
        let mut value = SeriesValue { clock: point.clock, iob: None, iob_error: None, meal: None, meal_error: None };
        if let Err(message) = check_clock("clock", point.clock) {
            value.iob_error = Some(message.clone());
            value.meal_error = Some(message);
            return value;
        }
        let Some(history) = self.history.get(point.history_from..) else {
            value.iob_error = Some(format!("historyFrom {} is beyond the {} treatments", point.history_from, self.history.len()));
            value.meal_error = value.iob_error.clone();
            return value;
        };
        match metered(|| iob_from_history(history, &self.profile, point.clock, zone, None, true)) {
            Ok(mut ticks) if !ticks.is_empty() => value.iob = Some(ticks.swap_remove(0)),
            Ok(_) => value.iob_error = Some("no IOB computed".to_owned()),
            Err(message) => value.iob_error = Some(message),
        }
        if point.glucose_to > point.glucose_from {
            match self.glucose.get(point.glucose_from..point.glucose_to) {
                Some(glucose) => match metered(|| meal_from_history(history, &[], &self.profile, glucose, point.clock, zone)) {
                    Ok(meal) => value.meal = Some(meal),
                    Err(message) => value.meal_error = Some(message),
                },
                None => value.meal_error = Some(format!("glucose {}..{} is beyond the {} readings", point.glucose_from, point.glucose_to, self.glucose.len())),
            }
        }
        value
    }
}

/// Runs one computation under a fresh work budget, as one single call would run.
fn metered<T>(compute: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    start_meter(WORK_BUDGET);
    let outcome = catch_unwind(AssertUnwindSafe(compute));
    stop_meter();
    match outcome {
        Ok(result) => result,
        Err(payload) if payload.is::<WorkBudgetExceeded>() => Err(OUT_OF_BUDGET.to_owned()),
        // A bug in one point fails that point, as it would fail its single call.
        Err(_) => Err("internal error in oref".to_owned()),
    }
}
