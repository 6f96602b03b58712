//! Carb absorption from BG deviations (oref0's determine-basal/cob module).
//!
//! Readings are bucketed to 5 minutes (gaps filled by interpolation), the insulin effect (BGI)
//! is subtracted from each 15-minute average delta, and what remains after a meal is taken as
//! carb impact, at least `min_5m_carbimpact` mg/dL per 5 minutes.

use crate::glucose::GlucoseEntry;
use crate::iob::{iob_at, Dose};
use crate::js;
use crate::profile::{isf_lookup, n, Profile};
use crate::time::Zone;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    date: f64,
    glucose: f64,
    /// The reading this bucket is (oref0 buckets the reading objects themselves); None for an
    /// interpolated bucket.
    reading: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CarbAbsorption {
    pub carbs_absorbed: f64,
    /// NaN when the newest bucket could not be evaluated (oref0's undefined).
    pub current_deviation: f64,
    pub max_deviation: f64,
    pub min_deviation: f64,
    pub slope_from_max_deviation: f64,
    pub slope_from_min_deviation: f64,
    pub all_deviations: Vec<f64>,
    /// The last reading time the deviation loop evaluated. oref0 leaves it in its shared IOB
    /// inputs as the clock, and the next absorption call of the same meal run reads the
    /// treatment history as of that moment.
    pub last_iob_clock: Option<f64>,
}

/// oref0's detectCarbAbsorption. `glucose` is newest first; `doses` come from the treatment
/// history; `meal_time` is when absorption counting starts and `ci_time` (NaN for none) the
/// moment deviations are reported for.
///
/// Like oref0, it writes into the readings: each one's `glucose` is set from `sgv`, and when a
/// reading is averaged into the bucket of the reading before it (at most 2 minutes apart, or a
/// newest reading below 39 that has no time to compare with), the average replaces that
/// reading's value. The next pass over the same readings sees the averages.
pub fn detect_carb_absorption(glucose: &mut [GlucoseEntry], doses: &[Dose], profile: &Profile, zone: &Zone, meal_time: f64, ci_time: f64) -> CarbAbsorption {
    let mut result = CarbAbsorption {
        carbs_absorbed: 0.0,
        current_deviation: f64::NAN,
        max_deviation: 0.0,
        min_deviation: 999.0,
        slope_from_max_deviation: 0.0,
        slope_from_min_deviation: 999.0,
        all_deviations: Vec::new(),
        last_iob_clock: None,
    };
    for entry in glucose.iter_mut() {
        entry.prepare();
    }
    let Some(first) = glucose.first() else { return result };
    // Each reading's date string is parsed on every pass: about a hundred IOB terms' worth.
    crate::limits::charge(100 * glucose.len() as u64);
    let mut buckets = vec![Bucket { date: first.date.unwrap_or(f64::NAN), glucose: first.value(), reading: Some(0) }];
    let mut found_pre_meal = false;
    let mut last_index: isize = if !js::truthy(first.value()) || first.value() < 39.0 { -1 } else { 0 };
    for i in 1..glucose.len() {
        let entry = glucose[i].clone();
        let bg_time = entry.time_from_date_string(zone);
        if !js::truthy(entry.value()) || entry.value() < 39.0 {
            continue;
        }
        let hours_after_meal = (bg_time - meal_time) / 3_600_000.0;
        if hours_after_meal > 6.0 || found_pre_meal {
            continue;
        } else if hours_after_meal < 0.0 {
            found_pre_meal = true;
        }
        let hours_ago = (ci_time - bg_time) / (45.0 * 60_000.0);
        if hours_ago > 1.0 || hours_ago < 0.0 {
            continue;
        }
        let mut last_bg_time = if last_index >= 0 { glucose[last_index as usize].time_from_date_string(zone) } else { f64::NAN };
        let mut elapsed = (bg_time - last_bg_time) / 60_000.0;
        if elapsed.abs() > 8.0 {
            let mut last_bg = glucose[last_index as usize].value();
            elapsed = js::min(&[240.0, elapsed.abs()]);
            while elapsed > 5.0 {
                let previous_time = last_bg_time - 5.0 * 60_000.0;
                let gap_delta = entry.value() - last_bg;
                let previous_bg = last_bg + (5.0 / elapsed * gap_delta);
                crate::limits::charge(1);
                buckets.push(Bucket { date: previous_time, glucose: js::round(previous_bg), reading: None });
                elapsed -= 5.0;
                last_bg = previous_bg;
                last_bg_time = previous_time;
            }
        } else if elapsed.abs() > 2.0 {
            glucose[i].date = Some(bg_time);
            buckets.push(Bucket { date: bg_time, glucose: entry.value(), reading: Some(i) });
        } else {
            let last = buckets.len() - 1;
            buckets[last].glucose = (buckets[last].glucose + entry.value()) / 2.0;
            if let Some(k) = buckets[last].reading {
                glucose[k].glucose = Some(buckets[last].glucose);
            }
        }
        last_index = i as isize;
    }

    let insulin = profile.insulin();
    let min_carb_impact = n(profile.min_5m_carbimpact);
    let carb_ratio = n(profile.carb_ratio);
    for i in 0..buckets.len().saturating_sub(3) {
        let bg_time = buckets[i].date;
        let sens = isf_lookup(&profile.isf_profile, zone, bg_time);
        let bg = buckets[i].glucose;
        if bg < 39.0 || buckets[i + 3].glucose < 39.0 {
            continue;
        }
        result.last_iob_clock = Some(bg_time);
        let avg_delta = js::fixed((bg - buckets[i + 3].glucose) / 3.0, 2);
        let delta = bg - buckets[i + 1].glucose;
        let activity = iob_at(doses, &insulin, bg_time).activity;
        let bgi = js::fixed(js::round((-activity * sens * 5.0) * 100.0) / 100.0, 2);
        let deviation = js::fixed(delta - bgi, 2);
        if i == 0 {
            result.current_deviation = js::round((avg_delta - bgi) * 1000.0) / 1000.0;
            if ci_time > bg_time {
                result.all_deviations.push(js::round(result.current_deviation));
            }
        } else if ci_time > bg_time {
            let avg_deviation = js::round((avg_delta - bgi) * 1000.0) / 1000.0;
            let slope = (avg_deviation - result.current_deviation) / (bg_time - ci_time) * 1000.0 * 60.0 * 5.0;
            if avg_deviation > result.max_deviation {
                result.slope_from_max_deviation = js::min(&[0.0, slope]);
                result.max_deviation = avg_deviation;
            }
            if avg_deviation < result.min_deviation {
                result.slope_from_min_deviation = js::max(&[0.0, slope]);
                result.min_deviation = avg_deviation;
            }
            result.all_deviations.push(js::round(avg_deviation));
        }
        if bg_time > meal_time {
            let ci = js::max(&[deviation, result.current_deviation / 2.0, min_carb_impact]);
            result.carbs_absorbed += ci * carb_ratio / sens;
        }
    }
    result
}
