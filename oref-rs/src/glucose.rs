//! CGM readings as oref0 reads them, and glucose status (oref0's glucose-get-last).

use serde::{Deserialize, Serialize};

use crate::js;
use crate::time::Zone;

/// A Nightscout entry (newest first in every list oref0 is given).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GlucoseEntry {
    #[serde(default)]
    pub sgv: Option<f64>,
    #[serde(default)]
    pub glucose: Option<f64>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub date: Option<f64>,
    #[serde(default)]
    pub date_string: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub noise: Option<f64>,
}

impl GlucoseEntry {
    /// `obj.glucose || obj.sgv`, NaN when neither is a non-zero number.
    pub fn value(&self) -> f64 {
        match self.glucose {
            Some(g) if js::truthy(g) => g,
            _ => self.sgv.unwrap_or(f64::NAN),
        }
    }

    /// oref0's `obj.glucose = obj.glucose || obj.sgv`, written into the reading as oref0 does
    /// before each COB or autosens pass.
    pub(crate) fn prepare(&mut self) {
        self.glucose = Some(self.value());
    }

    /// The reading's time from its dateString, as the meal and autosens modules take it.
    pub fn time_from_date_string(&self, zone: &Zone) -> f64 {
        self.date_string.as_deref().and_then(|s| zone.parse(s)).unwrap_or(f64::NAN)
    }
}

/// oref0's glucose_status: the latest reading and its 5, 15 and 45 minute average deltas.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct GlucoseStatus {
    pub delta: f64,
    pub glucose: f64,
    #[serde(default)]
    pub noise: Option<f64>,
    pub short_avgdelta: f64,
    pub long_avgdelta: f64,
    pub date: f64,
    #[serde(default)]
    pub last_cal: f64,
    #[serde(default)]
    pub device: Option<String>,
}

/// oref0's getLastGlucose; None when there is no reading with a value.
pub fn glucose_status(entries: &[GlucoseEntry], zone: &Zone) -> Option<GlucoseStatus> {
    let data: Vec<&GlucoseEntry> = entries.iter().filter(|e| js::truthy(e.value())).collect();
    let first = *data.first()?;
    let date_of = |e: &GlucoseEntry| -> f64 {
        match e.date {
            Some(d) if js::truthy(d) => d,
            _ => e.time_from_date_string(zone),
        }
    };
    let mut now_glucose = first.value();
    let mut now_date = date_of(first);
    let (mut last, mut short, mut long) = (Vec::new(), Vec::new(), Vec::new());
    let mut last_cal = 0.0;
    for (i, then) in data.iter().enumerate().skip(1) {
        if then.kind.as_deref() == Some("cal") {
            last_cal = i as f64;
            break;
        }
        if !(then.value() > 38.0 && then.device == first.device) {
            continue;
        }
        let then_date = date_of(then);
        let minutes_ago = js::round((now_date - then_date) / 60_000.0);
        let change = now_glucose - then.value();
        let avg_delta = change / minutes_ago * 5.0;
        if -2.0 < minutes_ago && minutes_ago < 2.5 {
            now_glucose = (now_glucose + then.value()) / 2.0;
            now_date = (now_date + then_date) / 2.0;
        } else if 2.5 < minutes_ago && minutes_ago < 17.5 {
            short.push(avg_delta);
            if minutes_ago < 7.5 {
                last.push(avg_delta);
            }
        } else if 17.5 < minutes_ago && minutes_ago < 42.5 {
            long.push(avg_delta);
        }
    }
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    Some(GlucoseStatus {
        delta: js::round_to(mean(&last), 2),
        glucose: js::round_to(now_glucose, 2),
        noise: first.noise.map(js::round),
        short_avgdelta: js::round_to(mean(&short), 2),
        long_avgdelta: js::round_to(mean(&long), 2),
        date: now_date,
        last_cal,
        device: first.device.clone(),
    })
}
