// The patient and follower view: the current reading, the alarm banner and the live chart.
import * as api from './api.js';
import { GlucoseChart } from './chart.js';
import { ARROWS, ageText, delta, glucose, rangeOf, staleness, unitsLabel } from './format.js';
import { LiveFeed } from './live.js';
import { signIn, signedIn, signOut, takeTokenFromUrl } from './session.js';

const $ = id => document.getElementById(id);
const HOUR = 3_600_000;

const state = {
  hours: 24,
  units: 'mg/dl',
  thresholds: { bgHigh: 260, bgTargetTop: 180, bgTargetBottom: 80, bgLow: 55 },
  readings: [],
  treatments: [],
  predictions: [],
  basal: [],
  spans: [],
  iob: [],
  cob: [],
  current: null,
  alarm: null,
  snoozed: null,
  panned: false,
};

let chart = null;
let feed = null;
let reloadTimer = null;

function readingOf(entry) {
  const mgdl = Number(entry.sgv ?? entry.mgdl);
  const mills = Number(entry.mills ?? entry.date);
  return Number.isFinite(mgdl) && Number.isFinite(mills) && mgdl >= 39 ? { mills, mgdl, direction: entry.direction, id: entry._id } : null;
}

function treatmentOf(t) {
  const mills = Number(t.mills ?? Date.parse(t.created_at));
  return Number.isFinite(mills)
    ? { id: t._id, mills, insulin: Number(t.insulin) || 0, carbs: Number(t.carbs) || 0, eventType: t.eventType || '', notes: t.notes || '' }
    : null;
}

// The loop's forecasts as the device status reports them: OpenAPS/AAPS predBGs in 5-minute steps, or Loop's values.
function predictionsOf(statuses) {
  const status = statuses?.[0];
  if (!status) return [];
  const result = [];
  const suggested = status.openaps?.suggested ?? status.openaps?.enacted;
  if (suggested?.predBGs) {
    const start = Date.parse(suggested.deliverAt ?? suggested.timestamp ?? status.created_at);
    for (const [name, values] of Object.entries(suggested.predBGs)) {
      if (Array.isArray(values)) result.push({ name, points: values.map((mgdl, i) => ({ mills: start + i * 300_000, mgdl })) });
    }
  }
  const loop = status.loop?.predicted;
  if (loop?.values) {
    const start = Date.parse(loop.startDate);
    result.push({ name: 'Loop', points: loop.values.map((mgdl, i) => ({ mills: start + i * 300_000, mgdl })) });
  }
  return result.filter(p => p.points.every(point => Number.isFinite(point.mills)));
}

async function loadChartData(from, to) {
  // StateSpans and the effective basal come from the v4 chart data when the server has them.
  try {
    const data = await api.get(`api/v4/chart-data?from=${from}&to=${to}`);
    state.basal = (data.basal ?? data.basalSeries ?? []).map(b => ({ mills: Number(b.mills ?? b.time ?? b.startMills), rate: Number(b.rate ?? b.value) })).filter(b => Number.isFinite(b.mills) && Number.isFinite(b.rate));
    state.spans = (data.spans ?? data.stateSpans ?? []).filter(s => Number.isFinite(Number(s.startMills)));
    state.iob = (data.iob ?? []).map(p => ({ mills: Number(p.mills), value: Number(p.iob) })).filter(p => Number.isFinite(p.mills) && Number.isFinite(p.value));
    state.cob = (data.cob ?? []).map(p => ({ mills: Number(p.mills), value: Number(p.cob) })).filter(p => Number.isFinite(p.mills) && Number.isFinite(p.value));
  } catch (error) {
    if (error instanceof api.SignedOutError) throw error;
    state.basal = [];
    state.spans = [];
    state.iob = [];
    state.cob = [];
  }
}

async function reload() {
  const to = Date.now();
  const from = to - state.hours * HOUR;
  const [entries, treatments, statuses, properties] = await Promise.all([
    api.entriesSince(from), api.treatmentsSince(from), api.latestDeviceStatus(), api.properties(),
  ]);
  state.readings = entries.map(readingOf).filter(Boolean).sort((a, b) => a.mills - b.mills);
  state.treatments = treatments.map(treatmentOf).filter(Boolean);
  state.predictions = predictionsOf(statuses);
  state.current = properties;
  await loadChartData(from, to);
  render();
}

function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => reload().catch(handleError), 250);
}

function currentReading() {
  const last = state.readings[state.readings.length - 1];
  const bgnow = state.current?.bgnow;
  if (bgnow && Number.isFinite(bgnow.mills) && (!last || bgnow.mills >= last.mills)) {
    return { mills: bgnow.mills, mgdl: bgnow.last ?? bgnow.mean, direction: state.current?.direction?.value ?? last?.direction };
  }
  return last ?? null;
}

function render() {
  const current = currentReading();
  const now = Date.now();
  const bg = $('bg');
  if (current) {
    bg.textContent = glucose(current.mgdl, state.units);
    bg.dataset.range = rangeOf(current.mgdl, state.thresholds);
    bg.dataset.mgdl = String(current.mgdl);
    $('arrow').textContent = ARROWS[current.direction] ?? '';
    $('arrow').setAttribute('aria-label', current.direction || 'no trend');
    $('age').textContent = ageText(current.mills, now);
    $('age').dataset.stale = staleness(current.mills, now);
    document.title = `${glucose(current.mgdl, state.units)} ${ARROWS[current.direction] ?? ''} Nocturne`;
  } else {
    bg.textContent = '---';
    $('age').textContent = 'no readings';
  }
  const d = state.current?.delta;
  $('delta').textContent = d && Number.isFinite(d.mgdl) ? delta(d.mgdl, state.units) : '';
  $('units').textContent = unitsLabel(state.units);
  const iob = state.current?.iob?.iob;
  const cob = state.current?.cob?.cob;
  $('iob').textContent = Number.isFinite(iob) ? `IOB ${iob.toFixed(2)} U` : '';
  $('cob').textContent = Number.isFinite(cob) ? `COB ${Math.round(cob)} g` : '';
  if (!state.panned) {
    chart.render({ ...state }, now - state.hours * HOUR, now + Math.min(state.hours * HOUR * 0.1, HOUR));
  }
  renderAlarm();
}

function renderAlarm() {
  const banner = $('alarm');
  const alarm = state.alarm;
  banner.hidden = !alarm;
  if (!alarm) return;
  banner.dataset.level = alarm.level >= 2 ? 'urgent' : alarm.level === 1 ? 'warn' : 'info';
  $('alarm-title').textContent = alarm.title || 'Alarm';
  $('alarm-message').textContent = alarm.message || '';
  $('alarm-actions').hidden = !(alarm.level >= 1);
}

// Snoozing always silences this device (as the reference's client does); when the credentials may
// acknowledge (notifications:*:ack), it silences the alarm for every follower of the site too.
async function snooze(minutes) {
  const alarm = state.alarm;
  if (!alarm) return;
  state.snoozed = { level: alarm.level, until: Date.now() + minutes * 60_000 };
  state.alarm = null;
  renderAlarm();
  const viaHub = await feed.ack(alarm.level, alarm.group, minutes * 60_000).catch(() => null);
  const everyone = viaHub ?? await api.ack(alarm.level, alarm.group, minutes).catch(() => false);
  $('connection').title = everyone ? 'Alarm snoozed for every follower' : 'Alarm snoozed on this device';
}

function showAlarm(notice) {
  const snoozed = state.snoozed;
  // A snooze holds for that level and below; a worse alarm breaks through.
  if (snoozed && Date.now() < snoozed.until && notice.level <= snoozed.level) return;
  state.alarm = notice;
  renderAlarm();
}

function handleError(error) {
  if (error instanceof api.SignedOutError) {
    showSignIn(error.message);
  } else {
    $('connection').textContent = 'offline';
    $('connection').dataset.state = 'offline';
  }
}

function showSignIn(message) {
  feed?.stop();
  $('main').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('credential').focus();
}

async function start() {
  $('signin').hidden = true;
  $('main').hidden = false;
  const status = await api.status();
  state.units = status.settings?.units ?? 'mg/dl';
  state.thresholds = { ...state.thresholds, ...(status.settings?.thresholds ?? {}) };
  $('site-name').textContent = status.settings?.customTitle ?? status.name ?? 'Nightscout';
  chart = chart ?? new GlucoseChart($('chart'));
  await reload();
  feed = new LiveFeed({
    onData: update => {
      for (const entry of update?.sgvs ?? []) {
        const reading = readingOf(entry);
        if (reading && !state.readings.some(r => r.mills === reading.mills)) state.readings.push(reading);
      }
      state.readings.sort((a, b) => a.mills - b.mills);
      render();
      scheduleReload();
    },
    onAlarm: showAlarm,
    onClear: () => { state.alarm = null; renderAlarm(); },
    onState: s => { $('connection').textContent = s; $('connection').dataset.state = s; },
    onResync: () => scheduleReload(),
  });
  await feed.start();
  // Ages tick without new data, so staleness shows even when nothing arrives.
  setInterval(render, 30_000);
}

function bind() {
  $('signin-form').addEventListener('submit', async event => {
    event.preventDefault();
    $('signin-error').textContent = '';
    try {
      await signIn($('credential').value);
      $('credential').value = '';
      await start();
    } catch (error) {
      $('signin-error').textContent = error.message;
    }
  });
  for (const button of document.querySelectorAll('[data-hours]')) {
    button.addEventListener('click', () => {
      state.hours = Number(button.dataset.hours);
      state.panned = false;
      for (const b of document.querySelectorAll('[data-hours]')) b.setAttribute('aria-pressed', String(b === button));
      reload().catch(handleError);
    });
  }
  for (const button of document.querySelectorAll('[data-snooze]')) {
    button.addEventListener('click', () => snooze(Number(button.dataset.snooze)));
  }
  $('night').addEventListener('click', () => {
    const night = document.body.classList.toggle('night');
    localStorage.setItem('nocturne.night', night ? '1' : '0');
  });
  $('signout').addEventListener('click', () => { signOut(); showSignIn('Signed out.'); });
  if (localStorage.getItem('nocturne.night') === '1') document.body.classList.add('night');
}

async function main() {
  bind();
  const token = takeTokenFromUrl();
  try {
    if (token) await signIn(token);
    if (signedIn()) await start();
    else showSignIn();
  } catch (error) {
    showSignIn(error.message);
  }
}

main();
