// Pure formatting helpers: units, arrows, deltas, ages. No DOM here, so they are easy to reason about.

export const MMOL_PER_MGDL = 1 / 18.0182; // the same factor the server uses for display

export const ARROWS = {
  DoubleUp: '⇈', SingleUp: '↑', FortyFiveUp: '↗', Flat: '→', FortyFiveDown: '↘',
  SingleDown: '↓', DoubleDown: '⇊', 'NOT COMPUTABLE': '-', 'RATE OUT OF RANGE': '⇕', NONE: '',
};

export function isMmol(units) {
  return typeof units === 'string' && units.toLowerCase().startsWith('mmol');
}

/** A mg/dL value as the site shows it: whole mg/dL, or mmol/L with one decimal. */
export function glucose(mgdl, units) {
  if (mgdl === null || mgdl === undefined || Number.isNaN(mgdl)) return '---';
  return isMmol(units) ? (mgdl * MMOL_PER_MGDL).toFixed(1) : String(Math.round(mgdl));
}

/** A delta in mg/dL with its sign, in the site's units. */
export function delta(mgdl, units) {
  if (mgdl === null || mgdl === undefined || Number.isNaN(mgdl)) return '';
  const value = isMmol(units) ? (mgdl * MMOL_PER_MGDL).toFixed(1) : String(Math.round(mgdl));
  const zero = Number(value) === 0;
  return (mgdl > 0 && !zero ? '+' : zero ? '±' : '') + (zero ? value.replace('-', '') : value);
}

export function unitsLabel(units) {
  return isMmol(units) ? 'mmol/L' : 'mg/dL';
}

/** Whole minutes since a reading; what the reference calls "timeago". */
export function minutesAgo(mills, now = Date.now()) {
  return Math.max(0, Math.floor((now - mills) / 60000));
}

export function ageText(mills, now = Date.now()) {
  const minutes = minutesAgo(mills, now);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

/** The reference's stale levels for data age: warn at 15 minutes, urgent at 30. */
export function staleness(mills, now = Date.now()) {
  const minutes = minutesAgo(mills, now);
  return minutes >= 30 ? 'urgent' : minutes >= 15 ? 'warn' : 'fresh';
}

/** Range class of a reading against the site's thresholds (mg/dL). */
export function rangeOf(mgdl, t) {
  if (mgdl < t.bgLow) return 'urgent-low';
  if (mgdl < t.bgTargetBottom) return 'low';
  if (mgdl > t.bgHigh) return 'urgent-high';
  if (mgdl > t.bgTargetTop) return 'high';
  return 'in-range';
}
