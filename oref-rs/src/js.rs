//! JavaScript number semantics that oref0's results depend on.
//!
//! oref0 is JavaScript: `Math.max` and `Math.min` propagate NaN (Rust's `f64::max` drops it),
//! `Math.round` rounds halves up, `toFixed` rounds exact ties away from zero (Rust's formatter
//! rounds them to even), and several intermediate values pass through `toFixed` strings before
//! being used as numbers again. Matching oref0 to the last digit needs the same behaviour here.

/// `Math.round`: halves round towards positive infinity; NaN stays NaN.
pub fn round(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// oref0's `round(value, digits)`: `Math.round(value * 10^digits) / 10^digits`.
pub fn round_to(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    round(x * scale) / scale
}

/// `Math.max` over the arguments: NaN if any argument is NaN.
pub fn max(values: &[f64]) -> f64 {
    values.iter().fold(f64::NEG_INFINITY, |acc, &v| if acc.is_nan() || v.is_nan() { f64::NAN } else if v > acc { v } else { acc })
}

/// `Math.min` over the arguments: NaN if any argument is NaN.
pub fn min(values: &[f64]) -> f64 {
    values.iter().fold(f64::INFINITY, |acc, &v| if acc.is_nan() || v.is_nan() { f64::NAN } else if v < acc { v } else { acc })
}

/// JavaScript truthiness of a number: neither 0 nor NaN.
pub fn truthy(x: f64) -> bool {
    x != 0.0 && !x.is_nan()
}

/// `Number.prototype.toFixed(digits)` for the magnitudes oref0 deals with.
pub fn to_fixed(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() || x.abs() >= 1e21 {
        return num(x);
    }
    let negative = x < 0.0;
    // The exact decimal expansion of the double, then round half up at the requested digit.
    let exact = format!("{:.80}", x.abs());
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut digits_vec: Vec<u8> = int_part.bytes().chain(frac_part.bytes().take(digits)).map(|b| b - b'0').collect();
    let next = frac_part.as_bytes().get(digits).map(|b| b - b'0').unwrap_or(0);
    if next >= 5 {
        let mut i = digits_vec.len();
        loop {
            if i == 0 {
                digits_vec.insert(0, 1);
                break;
            }
            i -= 1;
            if digits_vec[i] == 9 {
                digits_vec[i] = 0;
            } else {
                digits_vec[i] += 1;
                break;
            }
        }
    }
    let text: String = digits_vec.iter().map(|d| char::from(b'0' + d)).collect();
    let split = text.len() - digits;
    let body = if digits == 0 { text } else { format!("{}.{}", &text[..split], &text[split..]) };
    if negative { format!("-{body}") } else { body }
}

/// `Number(x.toFixed(digits))`: oref0 keeps several intermediates as toFixed strings and
/// computes with them again.
pub fn fixed(x: f64, digits: usize) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    to_fixed(x, digits).parse().unwrap_or(f64::NAN)
}

/// `String(x)` for a number, as it appears in oref0's reason strings.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".to_owned() } else { "-Infinity".to_owned() };
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let magnitude = x.abs();
    if (1e-6..1e21).contains(&magnitude) {
        format!("{x}")
    } else {
        let text = format!("{x:e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) if !exponent.starts_with('-') => format!("{mantissa}e+{exponent}"),
            _ => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_fixed_rounds_exact_ties_away_from_zero_like_javascript() {
        assert_eq!(to_fixed(0.125, 2), "0.13");
        assert_eq!(to_fixed(-0.125, 2), "-0.13");
        assert_eq!(to_fixed(2.5, 0), "3");
        assert_eq!(to_fixed(1.005, 2), "1.00"); // 1.005 is slightly below in binary
        assert_eq!(to_fixed(-0.001, 2), "-0.00");
        assert_eq!(to_fixed(9.999, 2), "10.00");
        assert_eq!(to_fixed(3.0, 1), "3.0");
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(5.0), "5");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(2e21), "2e+21");
    }

    #[test]
    fn max_and_min_propagate_nan() {
        assert!(max(&[1.0, f64::NAN]).is_nan());
        assert!(min(&[f64::NAN, 1.0]).is_nan());
        assert_eq!(max(&[1.0, 3.0, 2.0]), 3.0);
        assert_eq!(round(-0.5), 0.0);
        assert_eq!(round(2.5), 3.0);
    }
}
