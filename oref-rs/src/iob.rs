//! Insulin on board and insulin activity (the oref0 iob module's model).
//!
//! Each dose contributes according to an activity curve over the duration of insulin action
//! (DIA): the bilinear curve (a triangle peaking at 75 minutes on a 3-hour action, scaled to
//! the DIA) or the exponential curves of Loop/oref (rapid-acting peak 75 min, ultra-rapid
//! 55 min, or a custom peak within the insulin's limits). Temp basals arrive here already
//! turned into 5-minute doses of their difference from the scheduled basal.

use serde::{Deserialize, Serialize};

use crate::js;

/// Which insulin activity curve to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Curve {
    Bilinear,
    RapidActing,
    UltraRapid,
    /// Lyumjev: an exponential curve peaking at 45 minutes (the AAPS/Trio preset). Not in oref0
    /// 0.7.1, which would read the name as rapid-acting; the only curve without oref0 vectors.
    Lyumjev,
}

/// The insulin part of a therapy profile, in oref0's field names.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InsulinProfile {
    /// Duration of insulin action in hours.
    pub dia: f64,
    /// Curve name; unknown names fall back to rapid-acting, as oref0 does.
    #[serde(default)]
    pub curve: Option<String>,
    #[serde(default)]
    pub use_custom_peak_time: Option<bool>,
    #[serde(default)]
    pub insulin_peak_time: Option<f64>,
}

/// One dose: a bolus, or a 5-minute slice of a temp basal's difference from the schedule.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
pub struct Dose {
    /// Epoch milliseconds (temp-basal micro-doses fall on fractional milliseconds).
    pub date: f64,
    /// Units; negative for a temp basal below the schedule.
    pub insulin: f64,
}

/// Totals at one moment, rounded as oref0 reports them.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
pub struct IobTotals {
    pub iob: f64,
    pub activity: f64,
    pub basaliob: f64,
    pub bolusiob: f64,
    pub netbasalinsulin: f64,
    pub bolusinsulin: f64,
}

/// Doses below this size count as basal (temp basal slices), larger ones as boluses.
const BASAL_DOSE_LIMIT: f64 = 0.1;

/// The curve, effective DIA (hours) and peak (minutes) oref0 would use for a profile.
pub fn effective_curve(profile: &InsulinProfile) -> (Curve, f64, f64) {
    let curve = match profile.curve.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("bilinear") => Curve::Bilinear,
        Some("ultra-rapid") => Curve::UltraRapid,
        Some("lyumjev") => Curve::Lyumjev,
        _ => Curve::RapidActing,
    };
    // DIA below 3 hours is not physiological; the exponential curves need at least 5.
    let mut dia = profile.dia.max(3.0);
    if curve != Curve::Bilinear {
        dia = dia.max(5.0);
    }
    let custom = profile.use_custom_peak_time == Some(true);
    let peak = match (curve, custom, profile.insulin_peak_time) {
        (Curve::RapidActing, true, Some(p)) => p.clamp(50.0, 120.0),
        (Curve::UltraRapid | Curve::Lyumjev, true, Some(p)) => p.clamp(35.0, 100.0),
        (Curve::UltraRapid, _, _) => 55.0,
        (Curve::Lyumjev, _, _) => 45.0,
        _ => 75.0,
    };
    (curve, dia, peak)
}

/// (activity, iob) of one unit `minutes_ago` after it was given.
fn unit_contribution(curve: Curve, dia: f64, peak: f64, minutes_ago: f64) -> (f64, f64) {
    match curve {
        Curve::Bilinear => {
            // A triangle on a 3-hour action, stretched to the DIA: rises to its peak at 75 min,
            // falls to zero at 180 min; the IOB is a quadratic fit of its integral per 5 minutes.
            let (peak, end) = (75.0, 180.0);
            let scaled = (3.0 / dia) * minutes_ago;
            let activity_peak = 2.0 / (dia * 60.0);
            if scaled < peak {
                let x = scaled / 5.0 + 1.0;
                (activity_peak / peak * scaled, -0.001852 * x * x + 0.001852 * x + 1.0)
            } else if scaled < end {
                let past = scaled - peak;
                let x = past / 5.0;
                (activity_peak - activity_peak / (end - peak) * past, 0.001323 * x * x - 0.054233 * x + 0.555560)
            } else {
                (0.0, 0.0)
            }
        }
        Curve::RapidActing | Curve::UltraRapid | Curve::Lyumjev => {
            let end = dia * 60.0;
            if minutes_ago >= end {
                return (0.0, 0.0);
            }
            let tau = peak * (1.0 - peak / end) / (1.0 - 2.0 * peak / end);
            let a = 2.0 * tau / end;
            let s = 1.0 / (1.0 - a + (1.0 + a) * (-end / tau).exp());
            let t = minutes_ago;
            let decay = (-t / tau).exp();
            let activity = (s / (tau * tau)) * t * (1.0 - t / end) * decay;
            let iob = 1.0 - s * (1.0 - a) * ((t * t / (tau * end * (1.0 - a)) - t / tau - 1.0) * decay + 1.0);
            (activity, iob)
        }
    }
}

fn round_to(x: f64, scale: f64) -> f64 {
    js::round(x * scale) / scale
}

/// Totals of all doses at `now` (epoch ms). Doses in the future or older than the DIA do not count.
pub fn iob_at(doses: &[Dose], profile: &InsulinProfile, now: f64) -> IobTotals {
    let (curve, dia, peak) = effective_curve(profile);
    let window_start = now - dia * 3_600_000.0;
    crate::limits::charge(doses.len() as u64);
    let (mut iob, mut activity, mut basaliob, mut bolusiob, mut netbasal, mut bolus) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for dose in doses.iter().filter(|d| d.date <= now && d.date > window_start && js::truthy(d.insulin)) {
        // oref0 counts whole minutes since the dose (the dose time truncated to a millisecond).
        let minutes_ago = js::round((now - dose.date.trunc()) / 60_000.0);
        let (unit_activity, unit_iob) = unit_contribution(curve, dia, peak, minutes_ago);
        let contribution = dose.insulin * unit_iob;
        iob += contribution;
        activity += dose.insulin * unit_activity;
        if contribution != 0.0 {
            if dose.insulin < BASAL_DOSE_LIMIT {
                basaliob += contribution;
                netbasal += dose.insulin;
            } else {
                bolusiob += contribution;
                bolus += dose.insulin;
            }
        }
    }
    IobTotals {
        iob: round_to(iob, 1000.0),
        activity: round_to(activity, 10000.0),
        basaliob: round_to(basaliob, 1000.0),
        bolusiob: round_to(bolusiob, 1000.0),
        netbasalinsulin: round_to(netbasal, 1000.0),
        bolusinsulin: round_to(bolus, 1000.0),
    }
}

/// Totals every 5 minutes from `now` for `points` points (oref0 predicts 4 hours: 48 points).
pub fn iob_series(doses: &[Dose], profile: &InsulinProfile, now: f64, points: usize) -> Vec<IobTotals> {
    (0..points).map(|k| iob_at(doses, profile, now + (k as f64) * 300_000.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(curve: &str, dia: f64) -> InsulinProfile {
        InsulinProfile { dia, curve: Some(curve.into()), use_custom_peak_time: None, insulin_peak_time: None }
    }

    #[test]
    fn a_fresh_bolus_is_all_on_board_and_none_after_the_dia() {
        for curve in ["bilinear", "rapid-acting", "ultra-rapid"] {
            let p = profile(curve, 5.0);
            let dose = [Dose { date: 0.0, insulin: 2.0 }];
            assert_eq!(iob_at(&dose, &p, 0.0).iob, 2.0, "{curve}");
            assert_eq!(iob_at(&dose, &p, 5.0 * 3_600_000.0).iob, 0.0, "{curve}");
            let halfway = iob_at(&dose, &p, 2.0 * 3_600_000.0).iob;
            assert!(halfway > 0.0 && halfway < 2.0, "{curve}: {halfway}");
        }
    }

    #[test]
    fn activity_peaks_near_the_curves_peak_time() {
        // Unrounded, minute by minute: the exponential curve's activity is highest at its peak time.
        for (curve, peak) in [(Curve::UltraRapid, 55.0), (Curve::RapidActing, 75.0)] {
            let best = (0..300).map(|m| m as f64).max_by(|a, b| {
                unit_contribution(curve, 5.0, peak, *a).0.partial_cmp(&unit_contribution(curve, 5.0, peak, *b).0).unwrap()
            });
            assert_eq!(best, Some(peak));
        }
    }

    #[test]
    fn lyumjev_is_the_exponential_curve_peaking_at_45_minutes() {
        let lyumjev = profile("lyumjev", 5.0);
        assert_eq!(effective_curve(&lyumjev), (Curve::Lyumjev, 5.0, 45.0));
        let custom_ultra = InsulinProfile { dia: 5.0, curve: Some("ultra-rapid".into()), use_custom_peak_time: Some(true), insulin_peak_time: Some(45.0) };
        let doses = [Dose { date: 0.0, insulin: 4.0 }];
        for minutes in [0.0, 20.0, 45.0, 90.0, 180.0, 299.0] {
            assert_eq!(iob_at(&doses, &lyumjev, minutes * 60_000.0), iob_at(&doses, &custom_ultra, minutes * 60_000.0));
        }
        // Faster than rapid-acting: less insulin left after an hour.
        assert!(iob_at(&doses, &lyumjev, 3_600_000.0).iob < iob_at(&doses, &profile("rapid-acting", 5.0), 3_600_000.0).iob);
    }

    #[test]
    fn short_dias_and_out_of_range_peaks_are_clamped() {
        let p = InsulinProfile { dia: 2.0, curve: Some("rapid-acting".into()), use_custom_peak_time: Some(true), insulin_peak_time: Some(200.0) };
        assert_eq!(effective_curve(&p), (Curve::RapidActing, 5.0, 120.0));
        assert_eq!(effective_curve(&profile("bilinear", 2.0)).1, 3.0);
        assert_eq!(effective_curve(&profile("novel-insulin", 6.0)).0, Curve::RapidActing);
    }
}
