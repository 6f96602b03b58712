//! Fuzzing the C ABI: malformed and extreme requests, each run in a child process so that an
//! abort (an allocation failure, a stack overflow) is caught as a failure instead of taking the
//! test runner down. Every call must return a JSON answer (`ok` true or false) within a second,
//! and the child must exit normally. The parent kills a child that runs for 10 seconds (a hang).
//!
//! The cases are a fixed list (the extremes seen in the field: 1e12 U/h temps, a Loop temp of
//! 1e6 U over a nanosecond, a 1e9-minute temp, 100,000 records over 190 days, ...) and seeded
//! random mutations of valid requests. A child is this test binary itself, run with the case
//! number in `OREF_FUZZ_CASE`.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

type Export = unsafe extern "C" fn(*const c_char) -> *mut c_char;

const CLOCK: f64 = 1_795_348_800_000.0; // 2026-11-22T12:00:00Z
const MINUTE: f64 = 60_000.0;
const RANDOM_CASES: usize = 160;
const RATES: [f64; 4] = [0.0, 2.5, 0.4, 3.0];

fn exports() -> Vec<(&'static str, Export)> {
    vec![
        ("iob", oref::ffi::oref_iob as Export),
        ("iob_history", oref::ffi::oref_iob_history),
        ("meal", oref::ffi::oref_meal),
        ("autosens", oref::ffi::oref_autosens),
        ("determine_basal", oref::ffi::oref_determine_basal),
        ("suggest", oref::ffi::oref_suggest),
    ]
}

fn iso(ms: f64) -> String {
    oref::time::iso_string(ms)
}

fn profile() -> Value {
    json!({
        "dia": 5, "curve": "rapid-acting", "current_basal": 1.0, "max_basal": 3, "max_daily_basal": 1.2, "max_iob": 4,
        "max_daily_safety_multiplier": 3, "current_basal_safety_multiplier": 4, "autosens_max": 1.2, "autosens_min": 0.7,
        "min_bg": 100, "max_bg": 110, "sens": 50, "carb_ratio": 10, "min_5m_carbimpact": 8, "maxCOB": 120,
        "enableUAM": true, "enableSMB_always": true, "bolus_increment": 0.1, "out_units": "mg/dL",
        "basalprofile": [{"i": 0, "minutes": 0, "rate": 1.0}, {"i": 1, "minutes": 360, "rate": 1.2}, {"i": 2, "minutes": 1320, "rate": 0.8}],
        "isfProfile": {"sensitivities": [{"offset": 0, "sensitivity": 50}]}
    })
}

/// A day of readings every 5 minutes, newest first.
fn glucose(count: usize, spacing_ms: f64) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let date = CLOCK - 2.0 * MINUTE - i as f64 * spacing_ms;
            json!({"sgv": 120 + (i % 40) as i64, "date": date, "dateString": iso(date), "type": "sgv", "device": "fuzz"})
        })
        .collect()
}

fn treatments() -> Vec<Value> {
    let mut list = vec![
        json!({"eventType": "Meal Bolus", "created_at": iso(CLOCK - 90.0 * MINUTE), "insulin": 4, "carbs": 40}),
        json!({"eventType": "Correction Bolus", "created_at": iso(CLOCK - 200.0 * MINUTE), "insulin": 1.5}),
    ];
    for k in 0..20 {
        let at = CLOCK - (10.0 + 30.0 * k as f64) * MINUTE;
        list.push(json!({"eventType": "Temp Basal", "created_at": iso(at), "enteredBy": "openaps://AndroidAPS", "duration": 30, "absolute": 0.5 + (k % 4) as f64 * 0.5}));
    }
    list.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
    list
}

fn iob_ticks() -> Value {
    let request = json!({"history": treatments(), "profile": profile(), "clock": CLOCK});
    let answer = call(oref::ffi::oref_iob_history, &request.to_string());
    answer["result"].clone()
}

/// A valid request for each export.
fn base(export: &str) -> Value {
    match export {
        "iob" => json!({"profile": {"dia": 5, "curve": "rapid-acting"}, "doses": [{"date": CLOCK - 60.0 * MINUTE, "insulin": 2}], "time": CLOCK, "points": 48}),
        "iob_history" => json!({"history": treatments(), "profile": profile(), "clock": CLOCK, "utcOffset": -300}),
        "meal" => json!({"history": treatments(), "profile": profile(), "glucose": glucose(288, 5.0 * MINUTE), "clock": CLOCK, "utcOffset": 60}),
        "autosens" => json!({"history": treatments(), "profile": profile(), "glucose": glucose(288, 5.0 * MINUTE), "clock": CLOCK}),
        "determine_basal" => json!({
            "glucoseStatus": {"delta": -2, "glucose": 140, "short_avgdelta": -1.5, "long_avgdelta": -1, "date": CLOCK - 2.0 * MINUTE},
            "currentTemp": {"duration": 0, "rate": 0, "temp": "absolute"}, "iob": iob_ticks(), "profile": profile(),
            "meal": {"carbs": 40, "mealCOB": 20}, "microBolusAllowed": true, "currentTime": CLOCK
        }),
        _ => json!({"treatments": treatments(), "glucose": glucose(288, 5.0 * MINUTE), "profile": profile(), "clock": CLOCK, "microBolusAllowed": true,
            "utcOffsets": [{"since": 0, "offset": -240}, {"since": CLOCK - 6.0 * 60.0 * MINUTE, "offset": -300, "name": "Eastern Standard Time"}]}),
    }
}

fn history_key(export: &str) -> &'static str {
    if export == "suggest" { "treatments" } else { "history" }
}

fn with_history(export: &str, records: Vec<Value>) -> (String, String) {
    let mut request = base(export);
    request[history_key(export)] = Value::Array(records);
    (export.to_owned(), request.to_string())
}

/// One call per export, each a valid request changed by `change`.
fn each(exports: &[&str], change: impl Fn(&mut Value)) -> Vec<(String, String)> {
    exports
        .iter()
        .map(|e| {
            let mut request = base(e);
            change(&mut request);
            ((*e).to_owned(), request.to_string())
        })
        .collect()
}

const READING_EXPORTS: [&str; 3] = ["meal", "autosens", "suggest"];
const PROFILE_EXPORTS: [&str; 5] = ["iob_history", "meal", "autosens", "determine_basal", "suggest"];

fn temp(at: f64, fields: Value) -> Value {
    let mut record = json!({"eventType": "Temp Basal", "created_at": iso(at), "timestamp": iso(at)});
    for (k, v) in fields.as_object().unwrap() {
        record[k] = v.clone();
    }
    record
}

/// 100,000 records over 190 days, newest first: temps every few minutes and boluses.
fn huge_history(count: usize, days: f64, rate: f64) -> Vec<Value> {
    let step = days * 1440.0 * MINUTE / count as f64;
    (0..count)
        .map(|i| {
            let at = CLOCK - 60_000.0 - i as f64 * step;
            if i % 5 == 0 {
                json!({"eventType": "Correction Bolus", "created_at": iso(at), "insulin": 0.3})
            } else {
                temp(at, json!({"enteredBy": "openaps://AndroidAPS", "duration": 1440, "absolute": rate}))
            }
        })
        .collect()
}

type Case = (&'static str, Box<dyn Fn() -> Vec<(String, String)>>);

/// The fixed cases; each yields one or more (export, request) calls.
fn fixed_cases() -> Vec<Case> {
    let history_exports = ["iob_history", "meal", "autosens", "suggest"];
    let all_history = |records: fn() -> Vec<Value>| -> Box<dyn Fn() -> Vec<(String, String)>> {
        Box::new(move || history_exports.iter().map(|e| with_history(e, records())).collect())
    };
    vec![
        ("AAPS temp of 1e12 U/h", all_history(|| vec![temp(CLOCK - 30.0 * MINUTE, json!({"enteredBy": "openaps://AndroidAPS", "duration": 30, "absolute": 1e12}))])),
        ("AAPS temp of 1e300 U/h", all_history(|| vec![temp(CLOCK - 30.0 * MINUTE, json!({"enteredBy": "openaps://AndroidAPS", "duration": 30, "absolute": 1e300}))])),
        ("temp rate of -1e300 U/h", all_history(|| vec![temp(CLOCK - 30.0 * MINUTE, json!({"duration": 30, "rate": -1e300}))])),
        ("Loop temp of 1e6 U over 1e-9 min", all_history(|| vec![temp(CLOCK - 30.0 * MINUTE, json!({"enteredBy": "loop://iPhone", "duration": 1e-9, "rate": 1, "amount": 1e6}))])),
        ("Loop temp of 1 U over 0 min", all_history(|| vec![temp(CLOCK - 30.0 * MINUTE, json!({"enteredBy": "loop://iPhone", "duration": 0, "rate": 1, "amount": 1}))])),
        ("temp of 1e9 minutes", all_history(|| vec![temp(CLOCK - 30.0 * MINUTE, json!({"enteredBy": "openaps://AndroidAPS", "duration": 1e9, "absolute": 2}))])),
        ("temp of 1e9 minutes a year ago", all_history(|| vec![temp(CLOCK - 365.0 * 1440.0 * MINUTE, json!({"duration": 1e9, "rate": 2}))])),
        ("bolus of 1e300 U", all_history(|| vec![json!({"eventType": "Correction Bolus", "created_at": iso(CLOCK - 10.0 * MINUTE), "insulin": 1e300})])),
        ("carbs of 1e300 g", all_history(|| vec![json!({"eventType": "Carb Correction", "created_at": iso(CLOCK - 10.0 * MINUTE), "carbs": 1e300})])),
        ("100,000 records over 190 days", all_history(|| huge_history(100_000, 190.0, 3.0))),
        ("20,000 records over 8 days at 50 U/h", all_history(|| huge_history(19_999, 7.9, 50.0))),
        ("20,000 Loop temps in one day at 50 U/h", all_history(|| {
            (0..19_999).map(|i| temp(CLOCK - 60_000.0 - i as f64 * 4000.0, json!({"enteredBy": "loop://iPhone", "duration": 1440, "rate": 50, "amount": 50}))).collect()
        })),
        ("20,000 null-duration temps (cancels) in one day", all_history(|| {
            (0..19_999).map(|i| temp(CLOCK - 60_000.0 - i as f64 * 4000.0, json!({"enteredBy": "openaps://AndroidAPS", "duration": null, "absolute": 0}))).collect()
        })),
        ("1,000 carb records in 6 hours with 20,000 readings", Box::new(|| {
            let records: Vec<Value> = (0..1000).map(|i| json!({"eventType": "Carb Correction", "created_at": iso(CLOCK - 60_000.0 - i as f64 * 21_000.0), "carbs": 10})).collect();
            ["meal", "suggest"].iter().map(|e| {
                let mut request = base(e);
                request[history_key(e)] = Value::Array(records.clone());
                request["glucose"] = Value::Array(glucose(19_999, 30_000.0));
                ((*e).to_owned(), request.to_string())
            }).collect()
        })),
        ("20,000 readings a second apart", Box::new(|| {
            each(&READING_EXPORTS, |request| {
                request["glucose"] = Value::Array(glucose(19_999, 1000.0));
            })
        })),
        ("readings with gaps of days, out of order", Box::new(|| {
            let mut readings = glucose(100, 3.0 * 1440.0 * MINUTE);
            readings.swap(3, 60);
            each(&READING_EXPORTS, |request| {
                request["glucose"] = Value::Array(readings.clone());
            })
        })),
        ("100,000 readings over 190 days", Box::new(|| {
            each(&READING_EXPORTS, |request| {
                request["glucose"] = Value::Array(glucose(100_000, 190.0 * 1440.0 * MINUTE / 100_000.0));
            })
        })),
        ("readings of 1e300 and -5 mg/dL", Box::new(|| {
            let mut readings = glucose(288, 5.0 * MINUTE);
            readings[0]["sgv"] = json!(1e300);
            readings[5]["sgv"] = json!(-5);
            each(&READING_EXPORTS, |request| {
                request["glucose"] = Value::Array(readings.clone());
            })
        })),
        ("basal schedule of 10,000 slots", Box::new(|| {
            let slots: Vec<Value> = (0..10_000).map(|i| json!({"i": i, "minutes": i % 1440, "rate": 1})).collect();
            each(&PROFILE_EXPORTS, |request| {
                request["profile"]["basalprofile"] = Value::Array(slots.clone());
            })
        })),
        ("schedules of 48 slots crossing midnight", Box::new(|| {
            let slots: Vec<Value> = (0..48).map(|i| json!({"i": i, "minutes": i * 30, "rate": 0.5 + (i % 7) as f64 * 0.1})).collect();
            let isf: Vec<Value> = (0..48).map(|i| json!({"offset": i * 30, "sensitivity": 30 + i})).collect();
            each(&PROFILE_EXPORTS, |request| {
                request["profile"]["basalprofile"] = Value::Array(slots.clone());
                request["profile"]["isfProfile"]["sensitivities"] = Value::Array(isf.clone());
            })
        })),
        ("schedule rates of 1e12 U/h and dia of 1e300 h", Box::new(|| {
            let mut out = Vec::new();
            for e in ["iob_history", "meal", "autosens", "determine_basal", "suggest"] {
                let mut request = base(e);
                request["profile"]["basalprofile"][1]["rate"] = json!(1e12);
                out.push((e.to_owned(), request.to_string()));
                let mut request = base(e);
                request["profile"]["dia"] = json!(1e300);
                out.push((e.to_owned(), request.to_string()));
            }
            out
        })),
        ("oref_iob with 100,000 doses and 1e300 U", Box::new(|| {
            let doses: Vec<Value> = (0..100_000).map(|i| json!({"date": CLOCK - i as f64 * 1000.0, "insulin": 0.05})).collect();
            let mut many = base("iob");
            many["doses"] = Value::Array(doses);
            let mut big = base("iob");
            big["doses"][0]["insulin"] = json!(1e300);
            let mut points = base("iob");
            points["points"] = json!(1e12);
            vec![("iob".into(), many.to_string()), ("iob".into(), big.to_string()), ("iob".into(), points.to_string())]
        })),
        ("20,000 doses of 48 points each", Box::new(|| {
            let doses: Vec<Value> = (0..19_999).map(|i| json!({"date": CLOCK - i as f64 * 1000.0, "insulin": 0.05})).collect();
            let mut many = base("iob");
            many["doses"] = Value::Array(doses);
            many["points"] = json!(288);
            vec![("iob".into(), many.to_string())]
        })),
        ("determine-basal with 100,000 IOB ticks and extreme status", Box::new(|| {
            let mut many = base("determine_basal");
            let tick = many["iob"][0].clone();
            many["iob"] = Value::Array(vec![tick; 100_000]);
            let mut extreme = base("determine_basal");
            extreme["glucoseStatus"]["glucose"] = json!(1e300);
            extreme["glucoseStatus"]["delta"] = json!(-1e300);
            extreme["currentTemp"]["rate"] = json!(1e300);
            extreme["currentTemp"]["duration"] = json!(1e9);
            let mut odd = base("determine_basal");
            odd["meal"]["mealCOB"] = json!(1e300);
            odd["profile"]["max_iob"] = json!(1e300);
            odd["iob"][0]["iob"] = json!(1e300);
            vec![("determine_basal".into(), many.to_string()), ("determine_basal".into(), extreme.to_string()), ("determine_basal".into(), odd.to_string())]
        })),
        ("zone tables: unsorted, huge offsets, 10,000 entries", Box::new(|| {
            let mut unsorted = base("suggest");
            unsorted["utcOffsets"] = json!([{"since": 5, "offset": 60}, {"since": 1, "offset": 0}]);
            let mut huge = base("suggest");
            huge["utcOffsets"] = json!([{"since": 0, "offset": 1e9}]);
            let mut many = base("suggest");
            many["utcOffsets"] = Value::Array((0..10_000).map(|i| json!({"since": i, "offset": 60})).collect());
            let mut fixed = base("meal");
            fixed["utcOffset"] = json!(100_000);
            vec![("suggest".into(), unsorted.to_string()), ("suggest".into(), huge.to_string()), ("suggest".into(), many.to_string()), ("meal".into(), fixed.to_string())]
        })),
        ("clocks of 0, -1, 1e300 and far-future dates", Box::new(|| {
            let mut out = Vec::new();
            for clock in [json!(0), json!(-1), json!(1e300), json!(8.64e15)] {
                let mut request = base("suggest");
                request["clock"] = clock;
                out.push(("suggest".into(), request.to_string()));
            }
            let mut far = base("iob_history");
            far["history"][0]["created_at"] = json!("275760-09-13T00:00:00.000Z");
            out.push(("iob_history".into(), far.to_string()));
            let mut numeric = base("iob_history");
            numeric["history"][0]["created_at"] = json!(1e300);
            out.push(("iob_history".into(), numeric.to_string()));
            out
        })),
        ("malformed JSON", Box::new(|| {
            let mut out = Vec::new();
            for e in ["iob", "iob_history", "meal", "autosens", "determine_basal", "suggest"] {
                let text = base(e).to_string();
                out.push((e.to_owned(), text[..text.len() / 2].to_owned()));
                out.push((e.to_owned(), "[".repeat(200_000)));
                out.push((e.to_owned(), "null".to_owned()));
                out.push((e.to_owned(), r#"{"profile":"dia","history":7,"clock":"now"}"#.to_owned()));
                out.push((e.to_owned(), String::new()));
            }
            out
        })),
        ("a 40 MB request", Box::new(|| {
            let mut request = base("suggest");
            request["padding"] = Value::String("x".repeat(40 * 1024 * 1024));
            vec![("suggest".into(), request.to_string())]
        })),
        ("a null request pointer", Box::new(|| vec![("null".into(), String::new())])),
    ]
}

/// A small deterministic generator (xorshift) for the random mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn leaves(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Value::from(k.as_str()));
                leaves(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate().take(30) {
                path.push(Value::from(i));
                leaves(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn at_path<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, key| match key {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => v,
    })
}

/// Random mutation `n`: a valid request with a few leaves replaced by extreme or wrong values.
fn random_case(n: usize) -> (String, String) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let names = ["iob", "iob_history", "meal", "autosens", "determine_basal", "suggest"];
    let export = names[rng.below(names.len())];
    let mut request = base(export);
    let mut paths = Vec::new();
    leaves(&request, &mut Vec::new(), &mut paths);
    let extremes = [
        json!(1e300), json!(-1e300), json!(1e12), json!(-1e12), json!(1e-9), json!(0), json!(-1), json!(5e-324), json!(9_007_199_254_740_993u64),
        json!(null), json!("1e999"), json!(""), json!("2026-13-45T99:99:99Z"), json!(true), json!([]), json!({}), json!(-0.0),
    ];
    for _ in 0..1 + rng.below(4) {
        let path = paths[rng.below(paths.len())].clone();
        *at_path(&mut request, &path) = extremes[rng.below(extremes.len())].clone();
    }
    (export.to_owned(), request.to_string())
}

fn call(export: Export, request: &str) -> Value {
    let input = CString::new(request).unwrap();
    let ptr = unsafe { export(input.as_ptr()) };
    assert!(!ptr.is_null(), "the export returned null");
    let text = unsafe { CStr::from_ptr(ptr) }.to_str().expect("UTF-8 answer").to_owned();
    unsafe { oref::ffi::oref_free_string(ptr) };
    serde_json::from_str(&text).expect("a JSON answer")
}

fn case_name(case: usize) -> String {
    let fixed = fixed_cases();
    if case < fixed.len() { fixed[case].0.to_owned() } else { format!("random mutation {}", case - fixed.len()) }
}

/// The calls of one case; only this case's requests are built.
fn calls_of(case: usize) -> Vec<(String, String)> {
    let fixed = fixed_cases();
    if case < fixed.len() { (fixed[case].1)() } else { vec![random_case(case - fixed.len())] }
}

/// Runs one case in this (child) process; panics on a wrong answer or a slow call.
#[test]
fn fuzz_child() {
    let Ok(case) = std::env::var("OREF_FUZZ_CASE") else { return };
    let case: usize = case.parse().unwrap();
    // The budget is for release builds (what CI runs); an unoptimised build is far slower.
    let budget = if cfg!(debug_assertions) { Duration::from_secs(20) } else { Duration::from_secs(1) };
    let calls = calls_of(case);
    for (export, request) in calls {
        let started = Instant::now();
        let answer = if export == "null" {
            let ptr = unsafe { oref::ffi::oref_suggest(std::ptr::null()) };
            let text = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned();
            unsafe { oref::ffi::oref_free_string(ptr) };
            serde_json::from_str(&text).unwrap()
        } else {
            let f = exports().into_iter().find(|(name, _)| *name == export).unwrap().1;
            call(f, &request)
        };
        let elapsed = started.elapsed();
        assert!(answer["ok"].is_boolean(), "{export}: no ok flag in {answer}");
        if answer["ok"] == false {
            assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()), "{export}: refusal without a reason");
        }
        println!("OREF_FUZZ {export} {} ms ok={} {}", elapsed.as_millis(), answer["ok"], answer["error"].as_str().unwrap_or(""));
        assert!(elapsed <= budget, "{export}: the call took {elapsed:?}");
    }
}

/// The budget must not refuse a real day: temps and SMBs every 5 minutes, one-minute CGM from
/// two uploaders (2,880 readings), ten meals, a 48-slot schedule.
#[test]
fn a_busy_day_is_answered_within_the_work_budget() {
    let mut records = Vec::new();
    for k in 0..288 {
        let at = CLOCK - 60_000.0 - k as f64 * 5.0 * MINUTE;
        records.push(temp(at, json!({"enteredBy": "openaps://AndroidAPS", "duration": 30, "absolute": RATES[k % 4]})));
        records.push(json!({"eventType": "Correction Bolus", "created_at": iso(at - 20_000.0), "insulin": 0.4, "isSMB": true}));
        if k % 29 == 3 {
            records.push(json!({"eventType": "Meal Bolus", "created_at": iso(at - 40_000.0), "insulin": 3, "carbs": 45}));
        }
    }
    let mut readings = glucose(1440, MINUTE);
    readings.extend(glucose(1440, MINUTE).into_iter().map(|mut r| {
        r["date"] = json!(r["date"].as_f64().unwrap() - 20_000.0);
        r["dateString"] = json!(iso(r["date"].as_f64().unwrap()));
        r
    }));
    readings.sort_by(|a, b| b["date"].as_f64().partial_cmp(&a["date"].as_f64()).unwrap());
    let mut request = base("suggest");
    request["treatments"] = Value::Array(records);
    request["glucose"] = Value::Array(readings);
    request["profile"]["basalprofile"] = Value::Array((0..48).map(|i| json!({"i": i, "minutes": i * 30, "rate": 0.5 + (i % 7) as f64 * 0.1})).collect());
    let answer = call(oref::ffi::oref_suggest, &request.to_string());
    assert_eq!(answer["ok"], true, "{answer}");
    assert!(answer["result"]["suggested"]["reason"].is_string());
}

#[test]
fn every_case_survives_in_a_child_process() {
    if std::env::var("OREF_FUZZ_CASE").is_ok() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let total = fixed_cases().len() + RANDOM_CASES;
    let mut failures = Vec::new();
    let mut refused = 0;
    let mut slowest = (0, String::new());
    for case in 0..total {
        let name = case_name(case);
        let mut child = Command::new(&exe)
            .args(["fuzz_child", "--exact", "--test-threads=1", "--nocapture"])
            .env("OREF_FUZZ_CASE", case.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        refused += stdout.lines().filter(|l| l.starts_with("OREF_FUZZ") && l.contains("ok=false")).count();
        for line in stdout.lines().filter(|l| l.starts_with("OREF_FUZZ")) {
            let ms: u64 = line.split(' ').nth(2).and_then(|t| t.parse().ok()).unwrap_or(0);
            if ms >= slowest.0 {
                slowest = (ms, format!("case {case} ({name}): {line}"));
            }
        }
        match status {
            None => failures.push(format!("case {case} ({name}): hung (killed after 10 s)")),
            Some(s) if !s.success() => failures.push(format!(
                "case {case} ({name}): child exited with {s}\n{}\n{}",
                stdout.lines().filter(|l| l.starts_with("OREF_FUZZ") || l.contains("panicked")).collect::<Vec<_>>().join("\n"),
                String::from_utf8_lossy(&output.stderr).lines().take(20).collect::<Vec<_>>().join("\n")
            )),
            Some(_) => {}
        }
    }
    println!("ABI fuzz: {total} cases in child processes, {refused} calls refused with a reason, {} failures", failures.len());
    println!("slowest call: {}", slowest.1);
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n"));
}
