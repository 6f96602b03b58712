//! Dates as oref0 sees them: epoch milliseconds, ISO-8601 strings, and the wall clock of the
//! patient's time zone.
//!
//! oref0 reads the local hour and minute (`getHours`, `getMinutes`) of the process time zone to
//! look up basal rates and ISF and to split temp basals at schedule boundaries. Here the zone is
//! a table of UTC offsets over the request's window, computed by the caller from the patient's
//! IANA zone (or one fixed offset).

const MS_PER_MINUTE: f64 = 60_000.0;
const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// One entry of a zone's offset table: from `since` (epoch milliseconds) on, local time is
/// UTC plus `offset` minutes, and JavaScript would name the zone `name` in `Date.toString()`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Transition {
    pub since: f64,
    pub offset: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The patient's time zone over the request's window: a table of UTC offsets, so that every
/// timestamp is read at its own offset (a daylight-saving change inside the 24 hours moves
/// schedule lookups and temp-basal splits on either side of it, as oref0 sees with the real
/// zone). The first entry also covers every earlier moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    transitions: Vec<Transition>,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::new(0)
    }
}

impl Zone {
    /// A fixed offset from UTC in minutes (UTC-5 is -300).
    pub fn new(offset_minutes: i32) -> Self {
        Zone { transitions: vec![Transition { since: f64::NEG_INFINITY, offset: offset_minutes, name: None }] }
    }

    /// A zone from an offset table in ascending `since` order (checked by the caller).
    pub fn from_transitions(mut transitions: Vec<Transition>) -> Self {
        if transitions.is_empty() {
            return Zone::new(0);
        }
        transitions[0].since = f64::NEG_INFINITY;
        Zone { transitions }
    }

    fn entry_at(&self, ms: f64) -> &Transition {
        let after = self.transitions.partition_point(|t| t.since <= ms);
        &self.transitions[after.saturating_sub(1)]
    }

    /// Minutes east of UTC at a moment.
    pub fn offset_at(&self, ms: f64) -> i32 {
        self.entry_at(ms).offset
    }

    /// The UTC moment of a local wall-clock time, as JavaScript resolves it: of two moments
    /// (clocks set back) the earlier, and in a gap (clocks set forward) the offset before it.
    fn utc_of_local(&self, local: f64) -> f64 {
        let mut best = f64::NAN;
        for t in &self.transitions {
            let utc = local - t.offset as f64 * MS_PER_MINUTE;
            if self.offset_at(utc) == t.offset && !(utc >= best) {
                best = utc;
            }
        }
        if best.is_nan() {
            // In a gap: the local time lies between the two readings of transition k.
            for k in 1..self.transitions.len() {
                let (before, after) = (&self.transitions[k - 1], &self.transitions[k]);
                let utc = local - before.offset as f64 * MS_PER_MINUTE;
                if utc >= after.since && local - (after.offset as f64) * MS_PER_MINUTE < after.since {
                    return utc;
                }
            }
        }
        best
    }

    /// `getHours() * 60 + getMinutes()`; NaN for an invalid date.
    pub fn minutes_of_day(&self, ms: f64) -> f64 {
        if !ms.is_finite() {
            return f64::NAN;
        }
        let local_minutes = ((ms + self.offset_at(ms) as f64 * MS_PER_MINUTE) / MS_PER_MINUTE).floor();
        local_minutes.rem_euclid(1440.0)
    }

    /// `getMinutes()`.
    pub fn minute(&self, ms: f64) -> f64 {
        self.minutes_of_day(ms) % 60.0
    }

    /// `getHours()`.
    pub fn hour(&self, ms: f64) -> f64 {
        (self.minutes_of_day(ms) / 60.0).floor()
    }

    /// `Date.prototype.toString()`, e.g. `Sun Nov 22 2026 07:00:00 GMT-0500 (Eastern Standard
    /// Time)`; without a name from the table, `(GMT-05:00)` as JavaScript says for fixed zones.
    pub fn date_to_string(&self, ms: f64) -> String {
        if !ms.is_finite() {
            return "Invalid Date".to_owned();
        }
        let entry = self.entry_at(ms);
        let offset = entry.offset;
        let local = ms + offset as f64 * MS_PER_MINUTE;
        let days = (local / 86_400_000.0).floor() as i64;
        let (year, month, day) = civil_from_days(days);
        let seconds_of_day = ((local - days as f64 * 86_400_000.0) / 1000.0).floor() as i64;
        let sign = if offset < 0 { '-' } else { '+' };
        let (oh, om) = (offset.abs() / 60, offset.abs() % 60);
        let name = match &entry.name {
            Some(name) => name.clone(),
            None if offset == 0 => "Coordinated Universal Time".to_owned(),
            None => format!("GMT{sign}{oh:02}:{om:02}"),
        };
        format!(
            "{} {} {:02} {} {:02}:{:02}:{:02} GMT{}{:02}{:02} ({})",
            DAY_NAMES[days.rem_euclid(7) as usize],
            MONTH_NAMES[(month - 1) as usize],
            day,
            year,
            seconds_of_day / 3600,
            seconds_of_day / 60 % 60,
            seconds_of_day % 60,
            sign,
            oh,
            om,
            name
        )
    }

    /// Parses an ISO-8601 date or date-time (`2026-11-22T12:00:00.000Z`, `...+01:00`, a space
    /// instead of `T`); a date-time without an offset is local time, as in JavaScript.
    pub fn parse(&self, text: &str) -> Option<f64> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) && !part.is_empty() { part.parse().ok() } else { None }
        };
        let year = number(0..4)?;
        if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let month = number(5..7)?;
        let day = number(8..10)?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        let days = days_from_civil(year, month, day) as f64;
        if text.len() == 10 {
            return Some(days * 86_400_000.0); // date-only forms are UTC in JavaScript
        }
        if !matches!(bytes.get(10), Some(b'T') | Some(b' ')) || bytes.get(13) != Some(&b':') {
            return None;
        }
        let hour = number(11..13)?;
        let minute = number(14..16)?;
        let mut pos = 16;
        let mut second = 0;
        let mut millis = 0.0;
        if bytes.get(pos) == Some(&b':') {
            second = number(17..19)?;
            pos = 19;
            if bytes.get(pos) == Some(&b'.') {
                let start = pos + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                let fraction = text.get(start..end)?;
                if fraction.is_empty() {
                    return None;
                }
                // JavaScript keeps whole milliseconds.
                let padded: String = fraction.chars().chain("000".chars()).take(3).collect();
                millis = padded.parse::<f64>().ok()?;
                pos = end;
            }
        }
        if hour > 24 || minute > 59 || second > 59 {
            return None;
        }
        let local = days * 86_400_000.0 + (hour * 3_600_000 + minute * 60_000 + second * 1000) as f64 + millis;
        let offset_minutes = match &text[pos..] {
            "" => return Some(self.utc_of_local(local)),
            "Z" | "z" => 0,
            rest => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
                if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                sign * (digits[..2].parse::<i64>().ok()? * 60 + digits[2..].parse::<i64>().ok()?)
            }
        };
        Some(local - offset_minutes as f64 * MS_PER_MINUTE)
    }
}

/// An ISO string for a finite moment, the number itself otherwise (for messages).
pub fn iso_string_or_raw(ms: f64) -> String {
    if ms.is_finite() && ms.abs() < 8.64e15 { iso_string(ms) } else { format!("{ms}") }
}

/// `new Date(ms).toISOString()`.
pub fn iso_string(ms: f64) -> String {
    let whole = ms.floor();
    let days = (whole / 86_400_000.0).floor() as i64;
    let (year, month, day) = civil_from_days(days);
    let in_day = (whole - days as f64 * 86_400_000.0) as i64;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, days since 1970-01-01).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_iso_forms_nightscout_stores() {
        let utc = Zone::new(0);
        let noon = 1_795_348_800_000.0; // 2026-11-22T12:00:00Z
        assert_eq!(utc.parse("2026-11-22T12:00:00.000Z"), Some(noon));
        assert_eq!(utc.parse("2026-11-22T07:00:00-05:00"), Some(noon));
        assert_eq!(utc.parse("2026-11-22T13:00:00+0100"), Some(noon));
        assert_eq!(Zone::new(-300).parse("2026-11-22 07:00:00"), Some(noon));
        assert_eq!(utc.parse("2026-11-22T12:00:00.5Z"), Some(noon + 500.0));
        assert_eq!(utc.parse("yesterday"), None);
        assert_eq!(iso_string(noon + 7.0), "2026-11-22T12:00:00.007Z");
    }

    /// New York on 2026-03-08 (02:00 EST becomes 03:00 EDT at 07:00 UTC) and 2026-11-01
    /// (02:00 EDT becomes 01:00 EST at 06:00 UTC).
    fn new_york() -> Zone {
        let t = |since: f64, offset: i32, name: &str| Transition { since, offset, name: Some(name.to_owned()) };
        Zone::from_transitions(vec![
            t(0.0, -300, "Eastern Standard Time"),
            t(1_772_953_200_000.0, -240, "Eastern Daylight Time"),
            t(1_793_512_800_000.0, -300, "Eastern Standard Time"),
        ])
    }

    #[test]
    fn each_moment_is_read_at_its_own_offset_across_a_change() {
        let zone = new_york();
        let spring = 1_772_953_200_000.0; // 07:00 UTC
        assert_eq!(zone.minutes_of_day(spring - 60_000.0), 119.0); // 01:59 EST
        assert_eq!(zone.minutes_of_day(spring), 180.0); // 03:00 EDT
        let fall = 1_793_512_800_000.0; // 06:00 UTC
        assert_eq!(zone.minutes_of_day(fall - 60_000.0), 119.0); // 01:59 EDT
        assert_eq!(zone.minutes_of_day(fall), 60.0); // 01:00 EST again
        assert_eq!(zone.date_to_string(spring), "Sun Mar 08 2026 03:00:00 GMT-0400 (Eastern Daylight Time)");
    }

    #[test]
    fn local_times_without_an_offset_resolve_as_javascript_does() {
        let zone = new_york();
        // Clocks back: 01:30 happens twice; JavaScript takes the first (EDT).
        assert_eq!(zone.parse("2026-11-01T01:30:00"), Some(1_793_512_800_000.0 - 30.0 * 60_000.0));
        // Clocks forward: 02:30 does not exist; JavaScript reads it with the offset before (EST).
        assert_eq!(zone.parse("2026-03-08T02:30:00"), Some(1_772_953_200_000.0 + 30.0 * 60_000.0));
        assert_eq!(zone.parse("2026-03-08T12:00:00"), Some(1_772_953_200_000.0 + 9.0 * 3_600_000.0));
    }

    #[test]
    fn local_wall_clock_and_date_strings_follow_the_offset() {
        let noon = 1_795_348_800_000.0;
        let eastern = Zone::new(-300);
        assert_eq!(eastern.minutes_of_day(noon), 7.0 * 60.0);
        assert_eq!(eastern.date_to_string(noon), "Sun Nov 22 2026 07:00:00 GMT-0500 (GMT-05:00)");
        assert_eq!(Zone::new(0).date_to_string(noon), "Sun Nov 22 2026 12:00:00 GMT+0000 (Coordinated Universal Time)");
        assert!(eastern.minutes_of_day(f64::NAN).is_nan());
    }
}
