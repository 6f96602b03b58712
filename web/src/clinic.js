// The clinic board: every patient who shares with this clinic, most urgent first. Live: the
// clinic hub says which patient changed and the board is fetched again (coalesced, so a burst of
// uploads costs one fetch); once a minute regardless, so ages and staleness move on their own.
// A row opens that patient's last 24 hours and 14-day figures (read-only, audited).
import * as api from './api.js';
import { GlucoseChart } from './chart.js';
import { ARROWS, delta, glucose } from './format.js';
import { LiveFeed } from './live.js';
import { signedIn } from './session.js';

const $ = id => document.getElementById(id);
const REFRESH_MS = 60_000;
const COALESCE_MS = 500;
let pending = null;
const LABELS = { UrgentLow: 'Urgent low', Low: 'Low', Stale: 'No recent data', UrgentHigh: 'Urgent high', High: 'High', InRange: 'In range' };
let chart = null;

function percent(value) {
  return value === null || value === undefined ? '–' : `${Math.round(value)} %`;
}

function cell(text, attributes = {}) {
  const td = document.createElement('td');
  td.textContent = text;
  for (const [k, v] of Object.entries(attributes)) td.setAttribute(k, v);
  return td;
}

async function refresh() {
  try {
    const board = await api.get('api/v4/clinic/board');
    const rows = board.patients.map(p => {
      const tr = document.createElement('tr');
      tr.dataset.site = p.site;
      tr.dataset.urgency = p.urgency;
      tr.tabIndex = 0;
      tr.append(
        cell(p.displayName),
        cell(glucose(p.mgdl, p.units)),
        cell(ARROWS[p.direction] ?? '', { 'aria-label': p.direction || 'no trend' }),
        cell(p.deltaMgdl === null || p.deltaMgdl === undefined ? '' : delta(p.deltaMgdl, p.units)),
        cell(p.ageMinutes === null || p.ageMinutes === undefined ? '–' : `${p.ageMinutes} min`),
        cell(LABELS[p.urgency] ?? p.urgency, { class: 'urgency' }),
        cell(percent(p.inRange24Hours)),
        cell(percent(p.inRange14Days)),
      );
      tr.addEventListener('click', () => open(p));
      tr.addEventListener('keydown', e => { if (e.key === 'Enter') open(p); });
      return tr;
    });
    document.querySelector('#board tbody').replaceChildren(...rows);
    $('updated').textContent = `updated ${new Date(board.generatedAt).toLocaleTimeString()}`;
    $('board-error').textContent = '';
  } catch (error) {
    $('board-error').textContent = error.message;
  }
}

async function open(patient) {
  const to = Date.now();
  const [data, report] = await Promise.all([
    api.get(`api/v4/clinic/patients/${encodeURIComponent(patient.site)}/chart?hours=24`),
    api.get(`api/v4/clinic/patients/${encodeURIComponent(patient.site)}/statistics?from=${to - 14 * 86_400_000}&to=${to}`),
  ]);
  $('patient').hidden = false;
  $('patient-name').textContent = patient.displayName;
  chart = chart ?? new GlucoseChart($('patient-chart'));
  chart.render({
    units: data.units,
    thresholds: data.thresholds,
    readings: data.readings.map(r => ({ mills: r.mills, mgdl: r.mgdl })),
    treatments: data.treatments.map(t => ({ mills: t.mills, insulin: t.insulin, carbs: t.carbs })),
    predictions: [], basal: [], spans: [],
  }, to - 24 * 3_600_000, to);
  const rows = [
    ['Time in range (70–180)', `${report.timeInRanges.inRange.toFixed(1)} %`],
    ['Below 70', `${(report.timeInRanges.low + report.timeInRanges.veryLow).toFixed(1)} %`],
    ['GMI', report.gmi === null ? '–' : `${report.gmi.toFixed(1)} %`],
    ['CV', report.coefficientOfVariation === null ? '–' : `${report.coefficientOfVariation.toFixed(1)} %`],
    ['Sensor use', `${report.sensorUse.toFixed(0)} %`],
  ];
  $('patient-report').replaceChildren(...rows.map(([k, v]) => { const tr = document.createElement('tr'); tr.append(cell(k), cell(v)); return tr; }));
}

if (!signedIn()) {
  location.href = './';
} else {
  if (localStorage.getItem('nocturne.night') === '1') document.body.classList.add('night');
  refresh();
  setInterval(refresh, REFRESH_MS);
  const soon = () => { pending = pending ?? setTimeout(() => { pending = null; refresh(); }, COALESCE_MS); };
  new LiveFeed({
    hub: 'hubs/clinic',
    events: { boardUpdate: soon },
    onState: state => { $('live').textContent = state === 'live' ? 'live' : state; },
    onResync: soon,
  }).start();
}
