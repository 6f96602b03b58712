// Times oref0 0.7.1 (node) on the scenarios of oref-rs/tests/vectors/loop.json: determine-basal
// on prepared inputs, and the whole loop (autosens 8 h + 24 h, IOB, meal, determine-basal).
// Prints one JSON line; bench/oref.sh shows it next to oref-rs through FFI and the OrefGrain.
'use strict';

const fs = require('fs');
const path = require('path');
const { expandGlucose, clone } = require('./expand');
const { runOref0, PinnedDate } = require('./scenarios');

const rounds = Number(process.argv[2] || 5);
const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'oref-rs', 'tests', 'vectors', 'loop.json'), 'utf8'));
const determineBasal = require('oref0/lib/determine-basal/determine-basal');
const tempBasalFunctions = require('oref0/lib/basal-set-temp');
const iobGenerate = require('oref0/lib/iob');
const getLastGlucose = require('oref0/lib/glucose-get-last');

console.error = () => {};
process.stderr.write = () => true;
process.env.TZ = 'UTC';
// oref0 reads "now" from new Date() in places; the scenarios pin it to their clock.
global.Date = PinnedDate;

function percentile(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]; }
function summary(samples) {
  const sorted = samples.slice().sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { calls: samples.length, meanUs: mean, p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99) };
}

const prepared = file.scenarios.map((s) => {
  const glucose = expandGlucose(s.glucose, s.clock);
  const clockText = new Date(s.clock).toISOString();
  const iob = JSON.parse(JSON.stringify(iobGenerate({ history: clone(s.treatments), profile: clone(s.profile), clock: clockText, autosens: { ratio: s.expected.autosens.ratio } })));
  return { s, glucose, iob, status: getLastGlucose(clone(glucose)), meal: s.expected.meal };
});

const decide = [];
for (let r = 0; r < rounds; r++) {
  for (const p of prepared) {
    // Inputs are cloned outside the timed region: oref0 mutates some of them.
    const args = [clone(p.status), clone(p.s.currenttemp), clone(p.iob), clone(p.s.profile), { ratio: p.s.expected.autosens.ratio }, clone(p.meal)];
    const start = process.hrtime.bigint();
    determineBasal(args[0], args[1], args[2], args[3], args[4], args[5], tempBasalFunctions, p.s.microBolusAllowed, null, new Date(p.s.clock));
    decide.push(Number(process.hrtime.bigint() - start) / 1000);
  }
}

const loop = [];
for (const p of prepared.slice(0, 200)) {
  const scenario = clone(p.s);
  const start = process.hrtime.bigint();
  runOref0(scenario);
  loop.push(Number(process.hrtime.bigint() - start) / 1000);
}

console.log(JSON.stringify({ node: process.version, determineBasal: summary(decide), wholeLoop: summary(loop) }));
