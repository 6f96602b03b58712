//! The C ABI. JSON in and out for coarse calls; plain integers where that is enough.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::panic::catch_unwind;

use serde::{Deserialize, Serialize};

use crate::iob::{iob_series, Dose, InsulinProfile};
use crate::limits::{check_clock, check_count, check_dia, in_range, MAX_DOSE, MAX_RECORDS};

/// A full request (24 h of treatments and readings) is a few hundred kilobytes.
const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;
use crate::requests;

#[derive(Serialize)]
struct LibraryInfo {
    abi_version: u32,
    crate_version: &'static str,
}

/// The ABI version, so the C# side can refuse a library it was not built for.
#[no_mangle]
pub extern "C" fn oref_abi_version() -> u32 {
    crate::ABI_VERSION
}

/// A JSON description of the library; free it with [`oref_free_string`]. Null on failure.
#[no_mangle]
pub extern "C" fn oref_library_info() -> *mut c_char {
    catch_unwind(|| {
        let info = LibraryInfo { abi_version: crate::ABI_VERSION, crate_version: env!("CARGO_PKG_VERSION") };
        to_c_string(&serde_json::to_string(&info).unwrap_or_default())
    })
    .unwrap_or(std::ptr::null_mut())
}

#[derive(Deserialize)]
struct IobRequest {
    profile: InsulinProfile,
    doses: Vec<Dose>,
    /// Epoch milliseconds of the first point.
    time: f64,
    /// Number of 5-minute points (1 for "now"; oref0 predicts 48).
    #[serde(default = "one")]
    points: usize,
}

fn one() -> usize {
    1
}

#[derive(Serialize)]
struct Reply<T: Serialize> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Runs one JSON call: parse, compute, serialize; panics and bad input become `{ok:false}`.
unsafe fn call<Req, Res, F>(request: *const c_char, compute: F) -> *mut c_char
where
    Req: for<'de> Deserialize<'de>,
    Res: Serialize,
    F: Fn(Req) -> Result<Res, String> + std::panic::UnwindSafe,
{
    let outcome = catch_unwind(|| {
        crate::limits::start_meter(crate::limits::WORK_BUDGET);
        let result = parse::<Req>(request).and_then(compute);
        crate::limits::stop_meter();
        let reply: Reply<Res> = match result {
            Ok(result) => Reply { ok: true, result: Some(result), error: None },
            Err(message) => Reply { ok: false, result: None, error: Some(message) },
        };
        serde_json::to_string(&reply).unwrap_or_else(|_| r#"{"ok":false,"error":"serialization failed"}"#.to_owned())
    });
    crate::limits::stop_meter();
    match outcome {
        Ok(json) => to_c_string(&json),
        Err(payload) if payload.is::<crate::limits::WorkBudgetExceeded>() => {
            to_c_string(r#"{"ok":false,"error":"the request needs more work than one call may do; send fewer or shorter records"}"#)
        }
        Err(_) => to_c_string(r#"{"ok":false,"error":"internal error in oref"}"#),
    }
}

/// IOB and activity of explicit doses: JSON `{profile, doses, time, points}` in,
/// `{ok, result | error}` out. Free the result with [`oref_free_string`].
///
/// # Safety
/// `request` must be null or a NUL-terminated UTF-8 string that stays valid during the call.
#[no_mangle]
pub unsafe extern "C" fn oref_iob(request: *const c_char) -> *mut c_char {
    call(request, |req: IobRequest| {
        if req.points == 0 || req.points > 288 {
            return Err("points must be between 1 and 288".to_owned());
        }
        check_dia(req.profile.dia)?;
        check_clock("time", req.time)?;
        check_count("doses", req.doses.len(), MAX_RECORDS)?;
        for (i, dose) in req.doses.iter().enumerate() {
            in_range(&format!("doses[{i}].insulin"), dose.insulin, -MAX_DOSE, MAX_DOSE, " U")?;
            if !dose.date.is_finite() {
                return Err(format!("doses[{i}].date must be epoch milliseconds"));
            }
        }
        Ok(iob_series(&req.doses, &req.profile, req.time, req.points))
    })
}

/// oref0's iob (from treatments): JSON [`requests::IobHistoryRequest`] in, the IOB array out.
///
/// # Safety
/// As [`oref_iob`].
#[no_mangle]
pub unsafe extern "C" fn oref_iob_history(request: *const c_char) -> *mut c_char {
    call(request, |req: requests::IobHistoryRequest| req.run())
}

/// oref0's meal (COB): JSON [`requests::MealRequest`] in, meal data out.
///
/// # Safety
/// As [`oref_iob`].
#[no_mangle]
pub unsafe extern "C" fn oref_meal(request: *const c_char) -> *mut c_char {
    call(request, |req: requests::MealRequest| req.run())
}

/// oref0's autosens: JSON [`requests::AutosensRequest`] in, the ratio out.
///
/// # Safety
/// As [`oref_iob`].
#[no_mangle]
pub unsafe extern "C" fn oref_autosens(request: *const c_char) -> *mut c_char {
    call(request, |req: requests::AutosensRequest| req.run())
}

/// oref0's determine-basal on prepared inputs: JSON [`requests::DetermineBasalRequest`] in,
/// oref0's suggestion object out.
///
/// # Safety
/// As [`oref_iob`].
#[no_mangle]
pub unsafe extern "C" fn oref_determine_basal(request: *const c_char) -> *mut c_char {
    call(request, |req: requests::DetermineBasalRequest| req.run())
}

/// The whole loop from stored data: treatments, entries, profile, current temp in; glucose
/// status, IOB, meal data, autosens and the determine-basal suggestion out.
///
/// # Safety
/// As [`oref_iob`].
#[no_mangle]
pub unsafe extern "C" fn oref_suggest(request: *const c_char) -> *mut c_char {
    call(request, |req: requests::SuggestRequest| req.run())
}

/// IOB and COB at many instants over one history: JSON [`crate::series::IobCobSeriesRequest`] in,
/// one value per point out, each equal to what [`oref_iob_history`] (current only) and
/// [`oref_meal`] answer for that point's inputs.
///
/// # Safety
/// As [`oref_iob`].
#[no_mangle]
pub unsafe extern "C" fn oref_iob_cob_series(request: *const c_char) -> *mut c_char {
    call(request, |req: crate::series::IobCobSeriesRequest| req.run())
}

unsafe fn parse<T: for<'de> Deserialize<'de>>(request: *const c_char) -> Result<T, String> {
    if request.is_null() {
        return Err("request is null".to_owned());
    }
    let bytes = CStr::from_ptr(request).to_bytes();
    if bytes.len() > MAX_REQUEST_BYTES {
        return Err(format!("request is {} bytes, at most {MAX_REQUEST_BYTES} are accepted", bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "request is not UTF-8".to_owned())?;
    serde_json::from_str(text).map_err(|e| format!("bad request: {e}"))
}

/// Frees a string returned by this library. Null is ignored.
///
/// # Safety
/// `ptr` must be null or a pointer returned by this library that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn oref_free_string(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    let _ = catch_unwind(|| drop(CString::from_raw(ptr)));
}

pub(crate) fn to_c_string(value: &str) -> *mut c_char {
    // JSON never contains interior NULs; should one appear, report failure instead of truncating.
    CString::new(value).map(CString::into_raw).unwrap_or(std::ptr::null_mut())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn library_info_round_trips_through_the_abi() {
        let ptr = oref_library_info();
        assert!(!ptr.is_null());
        let json = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned();
        unsafe { oref_free_string(ptr) };
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["abi_version"], crate::ABI_VERSION);
        assert_eq!(value["crate_version"], env!("CARGO_PKG_VERSION"));
    }

    /// One JSON call through an export, as a C caller makes it.
    fn json_call(export: unsafe extern "C" fn(*const c_char) -> *mut c_char, json: &str) -> serde_json::Value {
        let input = CString::new(json).unwrap();
        let ptr = unsafe { export(input.as_ptr()) };
        let out = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned();
        unsafe { oref_free_string(ptr) };
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn iob_through_the_abi_reports_values_and_errors() {
        let call = |json: &str| json_call(oref_iob, json);
        let ok = call(r#"{"profile":{"dia":5,"curve":"rapid-acting"},"doses":[{"date":1795348800000,"insulin":2}],"time":1795348800000,"points":3}"#);
        assert_eq!(ok["ok"], true);
        assert_eq!(ok["result"][0]["iob"], 2.0);
        assert_eq!(ok["result"].as_array().unwrap().len(), 3);
        let bad = call(r#"{"profile":{"dia":5},"doses":"nope","time":0}"#);
        assert_eq!(bad["ok"], false);
        assert!(bad["error"].as_str().unwrap().starts_with("bad request"));
        let null = unsafe { oref_iob(std::ptr::null()) };
        assert!(!null.is_null());
        unsafe { oref_free_string(null) };
    }

    #[test]
    fn the_series_reports_a_bad_point_by_itself_and_refuses_too_many_points() {
        let call = |json: &str| json_call(oref_iob_cob_series, json);
        let profile = r#"{"dia":5,"current_basal":1,"max_daily_basal":1,"max_basal":3,"sens":50,"carb_ratio":10,"basalprofile":[{"minutes":0,"rate":1,"start":"00:00:00","i":0}]}"#;
        let history = r#"[{"eventType":"Bolus","insulin":2,"created_at":"2026-11-29T10:00:00.000Z"}]"#;
        let ok = call(&format!(r#"{{"profile":{profile},"history":{history},"points":[{{"clock":1795947000000}},{{"clock":1795947000000,"historyFrom":5}}]}}"#));
        assert_eq!(ok["ok"], true, "{ok}");
        let single = json_call(oref_iob_history, &format!(r#"{{"profile":{profile},"history":{history},"clock":1795947000000,"currentOnly":true}}"#));
        assert_eq!(ok["result"][0]["iob"], single["result"][0]);
        assert!(ok["result"][0]["meal"].is_null());
        assert!(ok["result"][1]["iobError"].as_str().unwrap().starts_with("historyFrom 5"));
        let points = vec![r#"{"clock":1795946400000}"#; crate::series::MAX_POINTS + 1].join(",");
        let refused = call(&format!(r#"{{"profile":{profile},"history":[],"points":[{points}]}}"#));
        assert_eq!(refused["ok"], false);
    }

    #[test]
    fn freeing_null_is_harmless() {
        unsafe { oref_free_string(std::ptr::null_mut()) };
        assert_eq!(oref_abi_version(), crate::ABI_VERSION);
    }
}
