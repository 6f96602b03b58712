// Turns the compact readings of a scenario into Nightscout entries (newest first). The Rust and
// C# tests do the same: seconds before the clock become date and dateString.
'use strict';

function expandGlucose(compact, clock) {
  return compact.ago.map((seconds, i) => {
    const date = clock - seconds * 1000;
    return { sgv: compact.sgv[i], date, dateString: new Date(date).toISOString(), type: 'sgv', device: compact.device, noise: compact.noise };
  });
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

module.exports = { expandGlucose, clone };
