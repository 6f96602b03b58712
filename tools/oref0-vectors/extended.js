// The extended whole-loop set: what the first 600 scenarios lack. Real IANA zones with the clock
// within a day of a daylight-saving change (both directions; half-hour zones and Lord Howe's
// 30-minute change), readings uploaded twice within 2 minutes, sensor error values below 39
// (also as the newest reading), gaps, one-minute CGM, dense loop histories (temps and SMBs every
// 5 minutes), and schedules of up to 48 slots crossing midnight. oref0 runs each with the
// process time zone set to the scenario's zone; the vectors carry the zone's offset table for
// the window (what the C# side computes from the system's tz database).
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { makeScenario, vectorLines, vectorFileText, prng } = require('./scenarios');

const RealDate = Date;
const DST_ZONES = [
  'America/New_York', 'Europe/Berlin', 'Europe/London', 'America/Los_Angeles',
  'Australia/Lord_Howe', 'America/St_Johns', 'Australia/Adelaide', 'Australia/Sydney', 'America/Santiago',
];
const STEADY_ZONES = ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Darwin', 'Asia/Tokyo', 'America/Phoenix'];
const COUNT = 1000;
const HOUR = 3600000;

function offsetAt(tz, ms) {
  process.env.TZ = tz;
  return -new RealDate(ms).getTimezoneOffset();
}

function nameAt(tz, ms) {
  process.env.TZ = tz;
  const match = /\(([^)]+)\)$/.exec(new RealDate(ms).toString());
  return match ? match[1] : undefined;
}

// The first millisecond at which the offset differs from the one at `lo`.
function changeBetween(tz, lo, hi) {
  const before = offsetAt(tz, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(tz, mid) === before) lo = mid; else hi = mid;
  }
  return hi;
}

// The zone's offsets over [from, to]: the one at `from`, then one entry per change.
function offsetTable(tz, from, to) {
  const table = [{ since: from, offset: offsetAt(tz, from), name: nameAt(tz, from) }];
  const step = 15 * 60000;
  for (let t = from + step; t <= to + step; t += step) {
    if (offsetAt(tz, t) !== table[table.length - 1].offset) {
      const at = changeBetween(tz, t - step, t);
      table.push({ since: at, offset: offsetAt(tz, at), name: nameAt(tz, at) });
    }
  }
  return table;
}

const transitionCache = new Map();
function transitions2026(tz) {
  if (!transitionCache.has(tz)) {
    const start = Date.UTC(2026, 0, 1);
    const table = offsetTable(tz, start, Date.UTC(2026, 11, 31));
    transitionCache.set(tz, table.slice(1).map((t) => t.since));
  }
  return transitionCache.get(tz);
}

function makeExtended(random, n) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const between = (lo, hi) => lo + random() * (hi - lo);
  const chance = (p) => random() < p;
  const round = (x, step) => Math.round(x / step) * step;
  const r3 = (x) => Math.round(x * 1000) / 1000;
  const flags = [];

  // The clock: mostly within a day after a DST change (so the change lies in the 24 h history),
  // sometimes just before one (in the 4 h prediction and zero-temp window), sometimes on an
  // ordinary day in a zone with a half-hour or no change.
  let tz;
  let clock;
  if (chance(0.8)) {
    tz = pick(DST_ZONES);
    const change = pick(transitions2026(tz));
    clock = change + Math.round(between(chance(0.8) ? 0.2 : -3.5, chance(0.8) ? 26 : 0) * 60) * 60000 + Math.floor(between(0, 60)) * 1000;
    flags.push('dst');
  } else {
    tz = pick(STEADY_ZONES.concat(DST_ZONES));
    clock = Date.UTC(2026, Math.floor(between(0, 12)), 1 + Math.floor(between(0, 27))) + Math.floor(between(0, 1440)) * 60000 + Math.floor(between(0, 60)) * 1000;
  }
  const zone = { tz, offset: offsetAt(tz, clock) };
  const s = makeScenario(random, n, { zone, clock });
  s.name = s.name.replace(/^scenario-/, 'ext-');

  // Schedules of many slots, the first at midnight and the last running across it.
  if (chance(0.35)) {
    const slots = pick([12, 24, 36, 48]);
    const starts = [0];
    while (starts.length < slots) {
      const m = round(between(30, 1410), 30);
      if (!starts.includes(m)) starts.push(m);
    }
    starts.sort((a, b) => a - b);
    s.profile.basalprofile = starts.map((minutes, i) => ({ i, minutes, rate: r3(round(between(0.2, 2.5), 0.05)), start: '' }));
    s.profile.max_daily_basal = Math.max(...s.profile.basalprofile.map((b) => b.rate));
    const isfStarts = [0];
    const isfSlots = Math.floor(between(2, 13));
    while (isfStarts.length < isfSlots) {
      const m = round(between(30, 1410), 30);
      if (!isfStarts.includes(m)) isfStarts.push(m);
    }
    isfStarts.sort((a, b) => a - b);
    s.profile.isfProfile.sensitivities = isfStarts.map((offset, i) => ({ i, offset, sensitivity: Math.round(between(25, 110)), x: i, start: '' }));
    flags.push(`slots${slots}`);
  }

  // A dense loop history: a temp every 5 minutes for 12 hours and SMBs every 5 minutes for 6.
  if (chance(0.15)) {
    const iso = (ms) => new RealDate(ms).toISOString();
    const style = pick(['aaps', 'loop']);
    s.treatments = s.treatments.filter((t) => t.eventType !== 'Temp Basal');
    let newest = null;
    for (let k = 0; k < 144; k++) {
      const at = clock - (k * 5 + 1) * 60000 - Math.floor(between(0, 50)) * 1000;
      const rate = r3(round(between(0, 3.5), 0.05));
      if (style === 'aaps') {
        s.treatments.push({ eventType: 'Temp Basal', created_at: iso(at), enteredBy: 'openaps://AndroidAPS', duration: 30, absolute: rate, rate, isValid: true });
      } else {
        const record = { eventType: 'Temp Basal', created_at: iso(at), timestamp: iso(at), enteredBy: 'loop://iPhone', duration: 30, rate, temp: 'absolute' };
        if (k > 0 && chance(0.5)) record.amount = r3(rate * 5 / 60);
        s.treatments.push(record);
      }
      if (!newest) newest = { at, rate };
      if (k < 72 && chance(0.6)) {
        s.treatments.push({ eventType: 'Correction Bolus', created_at: iso(at - 20000), insulin: round(between(0.05, 0.6), 0.05), isSMB: true, type: 'SMB', enteredBy: 'openaps://AndroidAPS' });
      }
    }
    s.treatments.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const left = Math.round(30 - (clock - newest.at) / 60000);
    s.currenttemp = { duration: left, rate: newest.rate, temp: 'absolute' };
    flags.push(`dense-${style}`);
  }

  // Readings: one-minute CGM, gaps, double uploads, error values.
  const g = s.glucose;
  let ago = g.ago.slice();
  let sgv = g.sgv.slice();
  if (chance(0.15)) {
    const a2 = [];
    const v2 = [];
    for (let i = 0; i < ago.length; i++) {
      a2.push(ago[i]);
      v2.push(sgv[i]);
      if (i + 1 < ago.length) {
        const gap = ago[i + 1] - ago[i];
        for (let k = 1; k < 5 && gap > 280; k++) {
          a2.push(ago[i] + Math.round(gap * k / 5));
          v2.push(Math.round(sgv[i] + (sgv[i + 1] - sgv[i]) * k / 5));
        }
      }
    }
    ago = a2;
    sgv = v2;
    flags.push('1min');
  }
  if (chance(0.3)) {
    for (let gaps = Math.floor(between(1, 4)); gaps > 0; gaps--) {
      const start = Math.floor(between(1, ago.length - 20));
      const length = Math.floor(between(3, chance(0.3) ? 60 : 18));
      ago.splice(start, length);
      sgv.splice(start, length);
    }
    flags.push('gaps');
  }
  if (chance(0.45)) {
    // A second uploader: copies up to 2 minutes apart (sometimes at the same second), a few
    // mg/dL off, for a stretch of the day or all of it.
    const a2 = [];
    const v2 = [];
    const from = chance(0.5) ? 0 : Math.floor(between(0, ago.length));
    const to = chance(0.5) ? ago.length : Math.floor(between(from, ago.length));
    for (let i = 0; i < ago.length; i++) {
      a2.push(ago[i]);
      v2.push(sgv[i]);
      if (i >= from && i < to && chance(0.7)) {
        const room = i + 1 < ago.length ? ago[i + 1] - ago[i] - 1 : 120;
        const lag = Math.min(room, pick([0, 1, 30, 60, 90, 119, 120, Math.round(between(0, 120))]));
        if (lag >= 0) {
          a2.push(ago[i] + lag);
          v2.push(Math.max(40, sgv[i] + Math.round(between(-6, 6))));
        }
      }
    }
    ago = a2;
    sgv = v2;
    flags.push('dup');
  }
  if (chance(0.25)) {
    for (let k = Math.floor(between(1, 8)); k > 0; k--) {
      sgv[Math.floor(between(1, sgv.length))] = pick([5, 9, 10, 12, 20, 38]);
    }
    flags.push('err');
  }
  if (chance(0.12)) {
    sgv[0] = pick([5, 10, 38, 20]);
    flags.push('err-newest');
  }
  s.glucose = { ...g, ago, sgv };
  s.name = `${s.name}-${flags.join('-') || 'plain'}`;
  s.timezone = tz;
  s.utcOffset = zone.offset;
  s.utcOffsets = offsetTable(tz, clock - 2 * 24 * HOUR, clock + 24 * HOUR);
  return s;
}

function writeExtendedScenarios(vectorDir) {
  const random = prng(12_2026_1129);
  // Zone tables are computed with the real Date, before oref0 runs with the pinned one.
  const scenarios = [];
  for (let n = 0; n < COUNT; n++) scenarios.push(makeExtended(random, n));
  const lines = vectorLines(scenarios, [0, 1, 6, 24, 47]);
  const file = path.join(vectorDir, 'loop-extended.json.gz');
  fs.writeFileSync(file, zlib.gzipSync(vectorFileText(lines, '; extended set'), { level: 9 }));
  console.log(`wrote ${lines.length} scenarios to ${file}`);
}

module.exports = { writeExtendedScenarios };

if (require.main === module) {
  writeExtendedScenarios(path.join(__dirname, '..', '..', 'oref-rs', 'tests', 'vectors'));
}
