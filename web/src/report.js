// The report page: consensus time in ranges, glucose metrics, the AGP and daily totals from /api/v4/statistics.
import uPlot from 'uplot';
import * as api from './api.js';
import { glucose, unitsLabel, isMmol, MMOL_PER_MGDL } from './format.js';
import { signedIn } from './session.js';

const $ = id => document.getElementById(id);
const DAY = 86_400_000;
const RANGES = [
  ['veryHigh', 'Very high (> 250 mg/dL)', '#b3330f'],
  ['high', 'High (181–250 mg/dL)', '#d8a200'],
  ['inRange', 'In range (70–180 mg/dL)', '#2e9d4f'],
  ['low', 'Low (54–69 mg/dL)', '#e07b39'],
  ['veryLow', 'Very low (< 54 mg/dL)', '#8b1a1a'],
];

function row(cells, header = false) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement(header ? 'th' : 'td');
    td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

function fixed(value, digits) {
  return value === null || value === undefined ? '–' : value.toFixed(digits);
}

let agpPlot = null;

async function load(units) {
  const to = Date.now();
  const days = Number($('days').value);
  const report = await api.statistics(to - days * DAY, to);

  const bar = $('tir');
  bar.replaceChildren();
  $('tir-table').replaceChildren(row(['Range', 'Share'], true));
  for (const [key, label, color] of RANGES) {
    const share = report.timeInRanges[key];
    const part = document.createElement('span');
    part.style.width = `${share}%`;
    part.style.background = color;
    part.title = `${label}: ${share.toFixed(1)} %`;
    bar.append(part);
    $('tir-table').append(row([label, `${share.toFixed(1)} %`]));
  }
  bar.setAttribute('aria-label', `In range ${report.timeInRanges.inRange.toFixed(1)} %`);

  $('metrics').replaceChildren(
    row(['Metric', 'Value'], true),
    row(['Readings', String(report.readings)]),
    row(['Sensor use', `${report.sensorUse.toFixed(1)} %`]),
    row([`Mean (${unitsLabel(units)})`, glucose(report.mean, units)]),
    row([`Standard deviation (${unitsLabel(units)})`, report.standardDeviation === null ? '–' : isMmol(units) ? (report.standardDeviation * MMOL_PER_MGDL).toFixed(1) : report.standardDeviation.toFixed(0)]),
    row(['Coefficient of variation', `${fixed(report.coefficientOfVariation, 1)} %`]),
    row(['GMI', `${fixed(report.gmi, 1)} % (${fixed(report.gmiMmolPerMol, 0)} mmol/mol)`]),
    row(['Mean daily bolus insulin', `${fixed(report.meanDailyBolusInsulin, 1)} U`]),
    row(['Mean daily carbs', `${fixed(report.meanDailyCarbs, 0)} g`]),
  );

  $('days-table').replaceChildren(row(['Day', 'Bolus insulin (U)', 'Carbs (g)'], true),
    ...report.days.map(d => row([d.date, d.bolusInsulin.toFixed(1), d.carbs.toFixed(0)])));

  const scale = v => (v === null ? null : isMmol(units) ? v * MMOL_PER_MGDL : v);
  const x = report.agp.map(s => s.minuteOfDay * 60);
  const series = ['p5', 'p25', 'p50', 'p75', 'p95'].map(p => report.agp.map(s => scale(s[p])));
  const width = Math.max(300, $('agp').clientWidth || 600);
  agpPlot?.destroy();
  agpPlot = new uPlot({
    width, height: Math.round(width * 0.4), legend: { show: false },
    scales: { x: { time: false, range: [0, 86400] } },
    axes: [{ values: (u, ticks) => ticks.map(t => `${String(Math.floor(t / 3600)).padStart(2, '0')}:00`), incrs: [10800] }, { label: unitsLabel(units) }],
    series: [{}, { stroke: '#9bb7e0' }, { stroke: '#4d7fcf' }, { stroke: '#1f3f8f', width: 2 }, { stroke: '#4d7fcf' }, { stroke: '#9bb7e0' }],
    bands: [{ series: [5, 1], fill: 'rgba(155,183,224,0.3)' }, { series: [4, 2], fill: 'rgba(77,127,207,0.35)' }],
  }, [x, ...series], $('agp'));
}

async function main() {
  if (!signedIn()) {
    location.href = './';
    return;
  }
  const status = await api.status();
  const units = status.settings?.units ?? 'mg/dl';
  if (localStorage.getItem('nocturne.night') === '1') document.body.classList.add('night');
  const refresh = () => load(units).catch(error => { $('report-error').textContent = error.message; });
  $('days').addEventListener('change', refresh);
  await refresh();
}

main();
