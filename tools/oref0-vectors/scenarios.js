// Whole-loop scenarios for oref-rs: a day of CGM readings and Nightscout treatments, a profile
// and a pump state, and what oref0 0.7.1 computes from them: IOB from the treatment history,
// meal data (COB), autosens and determine-basal. The output is data; oref0's code stays in
// node_modules (ignored by git).
//
// Readings are stored compactly (seconds before the clock and values); scenario.js#expand
// turns them into Nightscout entries the same way here and in the Rust and C# tests.
'use strict';

const fs = require('fs');
const path = require('path');
const { expandGlucose, clone } = require('./expand');

const ZONES = [
  { tz: 'Etc/GMT+5', offset: -300 },
  { tz: 'Etc/GMT-1', offset: 60 },
  { tz: 'Etc/GMT-10', offset: 600 },
  { tz: 'Etc/GMT+8', offset: -480 },
  { tz: 'UTC', offset: 0 },
];

function prng(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// oref0 reads "now" from new Date() in a few places (autosens' site-change window, moment()).
// The scenarios pin it to the scenario clock so that the vectors do not depend on the day they
// were generated.
const RealDate = Date;
let pinnedNow = RealDate.now();
class PinnedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(pinnedNow); else super(...args);
  }
  static now() { return pinnedNow; }
}

function makeScenario(random, n, opts = {}) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const between = (lo, hi) => lo + random() * (hi - lo);
  const chance = (p) => random() < p;
  const round = (x, step) => Math.round(x / step) * step;
  const r3 = (x) => Math.round(x * 1000) / 1000;

  // Overrides (the extended set's real zones and clocks) leave the random sequence unchanged.
  const zonePick = pick(ZONES);
  const clockPick = Date.parse('2026-11-22T00:00:00Z') + Math.floor(between(0, 24 * 60)) * 60000 + Math.floor(between(0, 60)) * 1000;
  const zone = opts.zone || zonePick;
  const clock = opts.clock ?? clockPick;
  const kind = pick(['fasting', 'meal', 'rising', 'falling', 'low', 'high', 'resistant', 'sensitive', 'smb', 'stale', 'temp-target']);

  // Basal and ISF schedules on the half hour, as pumps store them.
  const segments = 1 + Math.floor(between(0, 5));
  const starts = [0];
  while (starts.length < segments) {
    const m = round(between(30, 1410), 30);
    if (!starts.includes(m)) starts.push(m);
  }
  starts.sort((a, b) => a - b);
  const basalprofile = starts.map((minutes, i) => ({ i, minutes, rate: r3(round(between(0.3, 2.2), 0.05)), start: '' }));
  const isfStarts = chance(0.5) ? [0] : [0, round(between(240, 1200), 30)];
  const sensitivities = isfStarts.map((offset, i) => ({ i, offset, sensitivity: Math.round(between(25, 110)), x: i, start: '' }));
  const maxDaily = Math.max(...basalprofile.map((b) => b.rate));
  const curve = pick(['rapid-acting', 'ultra-rapid', 'rapid-acting', 'bilinear']);
  const minBg = Math.round(between(85, 120));
  const profile = {
    max_iob: round(between(0, 8), 0.5),
    max_daily_safety_multiplier: 3,
    current_basal_safety_multiplier: 4,
    autosens_max: 1.2,
    autosens_min: 0.7,
    rewind_resets_autosens: true,
    high_temptarget_raises_sensitivity: chance(0.3),
    low_temptarget_lowers_sensitivity: chance(0.2),
    sensitivity_raises_target: chance(0.7),
    resistance_lowers_target: chance(0.3),
    exercise_mode: chance(0.2),
    half_basal_exercise_target: 160,
    maxCOB: 120,
    skip_neutral_temps: chance(0.2),
    min_5m_carbimpact: pick([3, 8, 8, 12]),
    remainingCarbsFraction: 1,
    remainingCarbsCap: 90,
    enableUAM: chance(0.7),
    A52_risk_enable: false,
    enableSMB_with_COB: chance(0.4),
    enableSMB_with_temptarget: chance(0.3),
    enableSMB_always: chance(0.2),
    enableSMB_after_carbs: chance(0.3),
    enableSMB_high_bg: chance(0.2),
    enableSMB_high_bg_target: 110,
    allowSMB_with_high_temptarget: chance(0.2),
    maxSMBBasalMinutes: pick([30, 60, 90, undefined]),
    maxUAMSMBBasalMinutes: pick([30, 60]),
    SMBInterval: pick([3, 5]),
    bolus_increment: pick([0.1, 0.05]),
    maxDelta_bg_threshold: pick([0.2, 0.3, undefined]),
    curve,
    useCustomPeakTime: curve !== 'bilinear' && chance(0.3),
    insulinPeakTime: Math.round(between(45, 90)),
    carbsReqThreshold: 1,
    noisyCGMTargetMultiplier: 1.3,
    suspend_zeros_iob: true,
    dia: round(between(3, 7), 0.5),
    model: pick(['522', '554', undefined]),
    basalprofile,
    isfProfile: { units: 'mg/dL', user_preferred_units: 'mg/dL', sensitivities, first: 1 },
    max_daily_basal: maxDaily,
    max_basal: round(between(1, 6), 0.5),
    min_bg: minBg,
    max_bg: minBg + pick([0, 0, 10, 20, 40]),
    carb_ratio: Math.round(between(5, 20)),
    out_units: chance(0.2) ? 'mmol/L' : 'mg/dL',
    temptargetSet: false,
  };
  if (profile.maxSMBBasalMinutes === undefined) delete profile.maxSMBBasalMinutes;
  if (profile.maxDelta_bg_threshold === undefined) delete profile.maxDelta_bg_threshold;
  if (profile.model === undefined) delete profile.model;
  if (kind === 'temp-target') {
    const target = pick([80, 90, 120, 140, 160]);
    profile.temptargetSet = true;
    profile.min_bg = target;
    profile.max_bg = target;
  }

  // Treatments of the last 24 hours, built oldest first and returned newest first.
  const treatments = [];
  const iso = (ms) => new RealDate(ms).toISOString();
  const carbEvents = [];
  const mealCount = kind === 'fasting' ? 0 : Math.floor(between(0, 4)) + (kind === 'meal' ? 1 : 0);
  for (let i = 0; i < mealCount; i++) {
    const minutesAgo = i === 0 && kind === 'meal' ? Math.round(between(5, 150)) : Math.round(between(10, 23 * 60));
    const carbs = Math.round(between(10, 90));
    const at = clock - minutesAgo * 60000 - Math.floor(between(0, 59)) * 1000;
    carbEvents.push({ at, carbs });
    if (chance(0.7)) {
      treatments.push({ eventType: 'Meal Bolus', created_at: iso(at), insulin: round(carbs / profile.carb_ratio * between(0.6, 1.1), 0.05), carbs, enteredBy: pick(['openaps://AndroidAPS', 'loop://iPhone', 'careportal']) });
    } else {
      treatments.push({ eventType: 'Carb Correction', created_at: iso(at), carbs, enteredBy: 'careportal' });
    }
  }
  const corrections = Math.floor(between(0, kind === 'high' || kind === 'resistant' ? 5 : 3));
  for (let i = 0; i < corrections; i++) {
    const at = clock - Math.round(between(5, 23 * 60)) * 60000 - Math.floor(between(0, 59)) * 1000;
    treatments.push({ eventType: 'Correction Bolus', created_at: iso(at), insulin: round(between(0.2, 3), 0.05), enteredBy: 'openaps://AndroidAPS' });
  }
  if (kind === 'smb' || chance(0.3)) {
    const smbs = Math.floor(between(1, 8));
    for (let i = 0; i < smbs; i++) {
      const at = clock - Math.round(between(2, 6 * 60)) * 60000 - Math.floor(between(0, 59)) * 1000;
      treatments.push({ eventType: 'Correction Bolus', created_at: iso(at), insulin: round(between(0.1, 1), 0.05), isSMB: true, type: 'SMB', enteredBy: 'openaps://AndroidAPS' });
    }
  }
  // A loop's temp basals: back to back over the last hours, AndroidAPS or Loop style.
  const loopStyle = pick(['aaps', 'aaps', 'loop', 'none']);
  let lastTemp = null;
  if (loopStyle !== 'none') {
    let t = clock - Math.round(between(3, 10)) * 3600000;
    while (t < clock - 60000) {
      const duration = pick([30, 30, 60, 120, 15]);
      const rate = r3(round(between(0, 3), 0.05));
      const at = t + Math.floor(between(0, 59)) * 1000;
      if (at >= clock) break;
      if (loopStyle === 'aaps') {
        treatments.push({ eventType: 'Temp Basal', created_at: iso(at), enteredBy: 'openaps://AndroidAPS', duration, absolute: rate, rate, isValid: true });
      } else {
        const ran = Math.min(duration, (clock - at) / 60000);
        const record = { eventType: 'Temp Basal', created_at: iso(at), timestamp: iso(at), enteredBy: 'loop://iPhone', duration, rate, temp: 'absolute' };
        if (chance(0.5)) record.amount = r3(rate * ran / 60);
        treatments.push(record);
      }
      lastTemp = { at, duration, rate };
      t = at + Math.round(between(5, duration + 10)) * 60000;
    }
  }
  treatments.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  // Now and then a record out of order, as oref0 sees when two downloads overlap.
  if (treatments.length > 3 && chance(0.1)) {
    const i = Math.floor(between(1, treatments.length - 1));
    [treatments[i], treatments[i + 1]] = [treatments[i + 1], treatments[i]];
  }

  // A day of readings every 5 minutes (seconds of jitter, a few gaps), newest at most a few
  // minutes old, shaped by the scenario kind.
  const newestAgo = kind === 'stale' ? Math.round(between(13, 40)) * 60 : Math.round(between(10, 330));
  const endBg = { low: between(45, 75), high: between(200, 330), rising: between(120, 220), falling: between(80, 180), meal: between(100, 250) }[kind] ?? between(70, 200);
  const trend = { rising: between(1, 5), falling: between(-5, -1), low: between(-3, 1), high: between(-2, 3) }[kind] ?? between(-2, 2);
  const drift = kind === 'resistant' ? between(0.5, 2) : kind === 'sensitive' ? between(-2, -0.5) : 0;
  const ago = [];
  const values = [];
  let bg = endBg;
  let velocity = trend;
  let seconds = newestAgo;
  const flat = chance(0.03);
  while (seconds < 24 * 3600 + 1800) {
    if (!(chance(0.02) && ago.length > 3)) {
      ago.push(seconds);
      values.push(flat && ago.length < 12 ? Math.round(endBg) : Math.max(40, Math.min(400, Math.round(bg))));
    }
    // Walking back in time: undo the trend, with noise and meal bumps.
    bg -= velocity + drift;
    velocity = 0.85 * velocity + between(-1.2, 1.2);
    for (const c of carbEvents) {
      const since = (clock - seconds * 1000 - c.at) / 60000;
      if (since > 0 && since < 180) bg -= c.carbs / 40 * Math.sin(Math.PI * since / 180);
    }
    if (bg < 50) { bg = 50; velocity = Math.abs(velocity); }
    if (bg > 380) { bg = 380; velocity = -Math.abs(velocity); }
    seconds += 300 + Math.round(between(-20, 20));
  }
  const glucoseCompact = { ago, sgv: values, device: 'xDrip-DexcomG6', noise: kind === 'high' && chance(0.2) ? 2 : 1 };

  let currenttemp = { duration: 0, rate: 0, temp: 'absolute' };
  if (lastTemp) {
    const left = Math.round(lastTemp.duration - (clock - lastTemp.at) / 60000);
    if (left > 0) currenttemp = { duration: left, rate: lastTemp.rate, temp: 'absolute' };
  }
  if (chance(0.05)) currenttemp = { duration: Math.round(between(5, 30)), rate: r3(round(between(0, 2), 0.05)), temp: 'absolute' };

  const temptargets = [];
  if (profile.temptargetSet) {
    temptargets.push({ eventType: 'Temporary Target', created_at: iso(clock - 3600000), duration: 180, targetTop: profile.max_bg, targetBottom: profile.min_bg });
  }
  return {
    name: `scenario-${n}-${kind}-${zone.tz}`,
    timezone: zone.tz,
    utcOffset: zone.offset,
    clock,
    profile,
    treatments,
    glucose: glucoseCompact,
    temptargets,
    currenttemp,
    microBolusAllowed: kind === 'smb' ? true : chance(0.5),
  };
}

function runOref0(s) {
  const iobGenerate = require('oref0/lib/iob');
  const mealGenerate = require('oref0/lib/meal');
  const detectSensitivity = require('oref0/lib/determine-basal/autosens');
  const getLastGlucose = require('oref0/lib/glucose-get-last');
  const determineBasal = require('oref0/lib/determine-basal/determine-basal');
  const tempBasalFunctions = require('oref0/lib/basal-set-temp');

  process.env.TZ = s.timezone;
  pinnedNow = s.clock;
  // The profile as oref0-get-profile writes it: current basal and ISF at the clock.
  s.profile.current_basal = require('oref0/lib/profile/basal').basalLookup(s.profile.basalprofile, new RealDate(s.clock));
  s.profile.sens = require('oref0/lib/profile/isf').isfLookup(s.profile.isfProfile, new RealDate(s.clock))[0];
  const clockText = new RealDate(s.clock).toISOString();
  const glucose = expandGlucose(s.glucose, s.clock);

  // Autosens as oref0-detect-sensitivity runs it: 8 h (96 deviations), then 24 h (288).
  let autosens;
  if (glucose.length < 72) {
    autosens = { ratio: 1, reason: 'not enough glucose data to calculate autosens' };
  } else {
    const profile = clone(s.profile);
    const detection = {
      iob_inputs: { history: clone(s.treatments), profile },
      carbs: [],
      glucose_data: clone(glucose),
      basalprofile: profile.basalprofile,
      temptargets: clone(s.temptargets),
      retrospective: false,
    };
    detection.deviations = 96;
    const short = detectSensitivity(detection);
    detection.deviations = 288;
    const long = detectSensitivity(detection);
    autosens = { ratio: Math.min(short.ratio, long.ratio), ratio8h: short.ratio, ratio24h: long.ratio };
  }

  const iob = iobGenerate({ history: clone(s.treatments), profile: clone(s.profile), clock: clockText, autosens: { ratio: autosens.ratio } });
  const meal = mealGenerate({ history: clone(s.treatments), carbs: [], profile: clone(s.profile), basalprofile: clone(s.profile.basalprofile), clock: clockText, glucose: clone(glucose) });
  const status = getLastGlucose(clone(glucose));
  const profile = clone(s.profile);
  const iobJson = JSON.parse(JSON.stringify(iob));
  const mealJson = JSON.parse(JSON.stringify(meal));
  const suggested = determineBasal(clone(status), clone(s.currenttemp), iobJson, profile, { ratio: autosens.ratio }, mealJson,
    tempBasalFunctions, s.microBolusAllowed, null, new RealDate(s.clock));
  return { autosens, iob: iobJson, meal: mealJson, glucoseStatus: JSON.parse(JSON.stringify(status)), profile, suggested: JSON.parse(JSON.stringify(suggested)) };
}

// Runs oref0 on each scenario (Date pinned, its narration silenced) and returns one JSON line per
// scenario: the inputs, the profile oref0-get-profile writes (current basal and ISF at the
// clock), and oref0's results with the IOB points in `keep` (the array is long).
function vectorLines(scenarios, keep) {
  const quietError = console.error;
  const quietWrite = process.stderr.write;
  console.error = () => {};
  process.stderr.write = () => true; // oref0 narrates autosens on stderr
  global.Date = PinnedDate;
  try {
    return scenarios.map((scenario) => {
      const out = runOref0(scenario);
      const iobPoints = keep.map((k) => ({ k, ...out.iob[k] }));
      return JSON.stringify({
        ...scenario,
        profile: out.profile,
        expected: { autosens: out.autosens, iob: iobPoints, meal: out.meal, glucoseStatus: out.glucoseStatus, suggested: out.suggested },
      });
    });
  } finally {
    global.Date = RealDate;
    console.error = quietError;
    process.stderr.write = quietWrite;
  }
}

function vectorFileText(lines, what) {
  return `{"generator":"oref0 0.7.1 iob, meal, autosens, glucose-get-last, determine-basal${what}","count":${lines.length},"scenarios":[\n${lines.join(',\n')}\n]}\n`;
}

function writeScenarios(vectorDir) {
  const random = prng(6_2026_1122);
  const scenarios = [];
  for (let n = 0; n < 600; n++) scenarios.push(makeScenario(random, n));
  const lines = vectorLines(scenarios, [0, 1, 2, 6, 12, 24, 36, 47]);
  const file = path.join(vectorDir, 'loop.json');
  fs.writeFileSync(file, vectorFileText(lines, ''));
  console.log(`wrote ${lines.length} scenarios to ${file}`);
}

module.exports = { writeScenarios, makeScenario, runOref0, PinnedDate, vectorLines, vectorFileText, prng };
