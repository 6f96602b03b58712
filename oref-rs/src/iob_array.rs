//! IOB now and every 5 minutes for 4 hours, from treatments (oref0's iob module entry point).
//!
//! Each point carries the same totals for the "zero temp from now on" history, which
//! determine-basal uses for its ZT prediction, and the first point carries the last bolus time
//! and the last temp basal seen in the history.

use serde::{Deserialize, Serialize};

use crate::history::{find_insulin, HistoryInputs, InsulinEvent};
use crate::iob::{iob_at, Dose, IobTotals};
use crate::js;
use crate::time::iso_string;

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct LastTemp {
    pub date: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ZeroTempTotals {
    #[serde(flatten)]
    pub totals: IobTotals,
    #[serde(default)]
    pub time: Option<String>,
}

/// One point of oref0's IOB array.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IobTick {
    #[serde(flatten)]
    pub totals: IobTotals,
    #[serde(default)]
    pub time: Option<String>,
    pub iob_with_zero_temp: ZeroTempTotals,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_bolus_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_temp: Option<LastTemp>,
}

pub(crate) fn doses_of(events: &[InsulinEvent]) -> Vec<Dose> {
    events.iter().filter_map(|e| e.insulin.filter(|i| js::truthy(*i)).map(|insulin| Dose { date: e.date, insulin })).collect()
}

/// oref0's generate(inputs): 48 points (1 with `current_only`).
pub fn generate(inputs: &HistoryInputs, current_only: bool) -> Vec<IobTick> {
    let events = find_insulin(inputs, 0.0);
    let zero_events = find_insulin(inputs, 240.0);
    let doses = doses_of(&events);
    let zero_doses = doses_of(&zero_events);
    let insulin = inputs.profile.insulin();

    let mut last_bolus_time = 0.0;
    let mut last_temp = LastTemp::default();
    for event in &events {
        if event.insulin.is_some_and(js::truthy) && event.is_bolus {
            last_bolus_time = js::max(&[last_bolus_time, event.date]);
        } else if event.rate.is_some() && js::truthy(event.duration) && event.date > last_temp.date {
            last_temp = LastTemp {
                date: event.date,
                rate: event.rate,
                duration: Some(js::round(event.duration * 100.0) / 100.0),
                timestamp: Some(iso_string(event.date)),
            };
        }
    }

    let points = if current_only { 1 } else { 48 };
    let mut ticks: Vec<IobTick> = (0..points)
        .map(|k| {
            let t = inputs.clock + k as f64 * 300_000.0;
            IobTick {
                totals: iob_at(&doses, &insulin, t),
                time: Some(iso_string(t)),
                iob_with_zero_temp: ZeroTempTotals { totals: iob_at(&zero_doses, &insulin, t), time: Some(iso_string(t)) },
                last_bolus_time: None,
                last_temp: None,
            }
        })
        .collect();
    ticks[0].last_bolus_time = Some(last_bolus_time);
    ticks[0].last_temp = Some(last_temp);
    ticks
}
