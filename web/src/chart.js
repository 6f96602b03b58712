// The time-series chart: readings coloured by range over the target band, treatments as markers,
// the loop's predictions, and (when the server provides chart data) basal, IOB/COB and StateSpans.
import uPlot from 'uplot';
import { MMOL_PER_MGDL, isMmol, rangeOf } from './format.js';

const COLORS = {
  'in-range': '#2e9d4f', high: '#d8a200', 'urgent-high': '#d0421b', low: '#d8a200', 'urgent-low': '#d0421b',
  band: 'rgba(46, 157, 79, 0.12)', prediction: '#8a63d2', bolus: '#2f6fd6', carbs: '#d07a1b', basal: '#5a8fd6',
};
const RANGE_SERIES = ['in-range', 'high', 'urgent-high', 'low', 'urgent-low'];

function toDisplay(mgdl, units) {
  return mgdl === null || mgdl === undefined ? null : isMmol(units) ? mgdl * MMOL_PER_MGDL : mgdl;
}

/** Aligns readings and prediction points on one time axis (seconds), one series per range class. */
export function buildSeries(view) {
  const times = new Set();
  for (const r of view.readings) times.add(Math.round(r.mills / 1000));
  for (const p of view.predictions) for (const point of p.points) times.add(Math.round(point.mills / 1000));
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const ranges = RANGE_SERIES.map(() => new Array(x.length).fill(null));
  for (const r of view.readings) {
    const i = index.get(Math.round(r.mills / 1000));
    ranges[RANGE_SERIES.indexOf(rangeOf(r.mgdl, view.thresholds))][i] = toDisplay(r.mgdl, view.units);
  }
  const predictions = view.predictions.map(p => {
    const values = new Array(x.length).fill(null);
    for (const point of p.points) values[index.get(Math.round(point.mills / 1000))] = toDisplay(point.mgdl, view.units);
    return values;
  });
  return { x, ranges, predictions };
}

export class GlucoseChart {
  constructor(element) {
    this.element = element;
    this.plot = null;
    this.view = null;
    this.window = { from: 0, to: 0 };
    new ResizeObserver(() => this.resize()).observe(element);
  }

  size() {
    // clientWidth includes the padding; a canvas that wide would make the page scroll sideways.
    const style = getComputedStyle(this.element);
    const width = Math.max(240, this.element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
    return { width, height: Math.max(220, Math.min(480, Math.round(width * 0.5))) };
  }

  resize() {
    if (this.plot) this.plot.setSize(this.size());
  }

  render(view, from, to) {
    this.view = view;
    this.window = { from, to };
    const series = buildSeries(view);
    const data = [series.x, ...series.ranges, ...series.predictions];
    const mmol = isMmol(view.units);
    const options = {
      ...this.size(),
      title: '',
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, min: from / 1000, max: to / 1000 },
        y: { range: () => (mmol ? [2, 22] : [40, 400]) },
      },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(127,127,127,0.2)' } },
        { stroke: 'currentColor', grid: { stroke: 'rgba(127,127,127,0.2)' }, label: mmol ? 'mmol/L' : 'mg/dL', size: 50 },
      ],
      series: [
        {},
        ...RANGE_SERIES.map(name => ({
          label: name, stroke: COLORS[name], width: 0, points: { show: true, size: 6, fill: COLORS[name], stroke: COLORS[name] },
        })),
        ...view.predictions.map(p => ({ label: 'predicted ' + p.name, stroke: COLORS.prediction, width: 1, dash: [4, 4], points: { show: false }, spanGaps: true })),
      ],
      hooks: {
        drawClear: [u => this.drawBand(u)],
        draw: [u => this.drawOverlays(u)],
        setSelect: [u => {
          if (u.select.width > 10) {
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            u.setScale('x', { min, max });
          }
        }],
      },
    };
    if (this.plot) this.plot.destroy();
    this.plot = new uPlot(options, data, this.element);
    this.element.dataset.points = String(view.readings.length);
  }

  drawBand(u) {
    const t = this.view.thresholds;
    const top = u.valToPos(toDisplay(t.bgTargetTop, this.view.units), 'y', true);
    const bottom = u.valToPos(toDisplay(t.bgTargetBottom, this.view.units), 'y', true);
    u.ctx.save();
    u.ctx.fillStyle = COLORS.band;
    u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
    u.ctx.restore();
  }

  // Treatments along the top (carbs) and bottom (insulin) edges; spans as thin bands at the bottom;
  // basal as a step line in the lowest fifth of the plot.
  drawOverlays(u) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const xOf = mills => u.valToPos(mills / 1000, 'x', true);
    const inside = px => px >= left && px <= left + width;
    ctx.save();
    ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    for (const tr of this.view.treatments) {
      const px = xOf(tr.mills);
      if (!inside(px)) continue;
      if (tr.insulin > 0) {
        ctx.fillStyle = COLORS.bolus;
        ctx.beginPath();
        ctx.moveTo(px, top + height - 4);
        ctx.lineTo(px - 5 * devicePixelRatio, top + height - 14 * devicePixelRatio);
        ctx.lineTo(px + 5 * devicePixelRatio, top + height - 14 * devicePixelRatio);
        ctx.fill();
        ctx.fillText(`${+tr.insulin.toFixed(2)}U`, px, top + height - 16 * devicePixelRatio);
      }
      if (tr.carbs > 0) {
        ctx.fillStyle = COLORS.carbs;
        ctx.beginPath();
        ctx.arc(px, top + 10 * devicePixelRatio, 5 * devicePixelRatio, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillText(`${Math.round(tr.carbs)}g`, px, top + 26 * devicePixelRatio);
      }
      if (!(tr.insulin > 0) && !(tr.carbs > 0)) {
        ctx.strokeStyle = 'rgba(127,127,127,0.7)';
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, top + height);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    if (this.view.basal.length > 1) {
      const maxRate = Math.max(...this.view.basal.map(b => b.rate), 0.1);
      const base = top + height;
      const scale = (height * 0.18) / maxRate;
      ctx.strokeStyle = COLORS.basal;
      ctx.fillStyle = 'rgba(90,143,214,0.18)';
      ctx.beginPath();
      ctx.moveTo(xOf(this.view.basal[0].mills), base);
      for (let i = 0; i < this.view.basal.length; i++) {
        const b = this.view.basal[i];
        const next = this.view.basal[i + 1]?.mills ?? this.window.to;
        ctx.lineTo(xOf(b.mills), base - b.rate * scale);
        ctx.lineTo(xOf(next), base - b.rate * scale);
      }
      ctx.lineTo(xOf(this.window.to), base);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    // IOB (blue) and COB (orange) as thin lines over the lowest quarter, each scaled to its own maximum.
    for (const [points, colour] of [[this.view.iob ?? [], COLORS.bolus], [this.view.cob ?? [], COLORS.carbs]]) {
      if (points.length < 2) continue;
      const max = Math.max(...points.map(p => p.value), 0.1);
      ctx.strokeStyle = colour;
      ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      points.forEach((p, i) => {
        const px = xOf(p.mills);
        const py = top + height - (p.value / max) * height * 0.25;
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      });
      ctx.stroke();
    }
    const spanColors = { Profile: '#7b8794', Override: '#8a63d2', TempBasal: '#5a8fd6', PumpMode: '#3a9d9d', Exercise: '#d07a1b', Sleep: '#4b5bb5', Illness: '#b5484b', Travel: '#6b8e23' };
    let lane = 0;
    const lanes = new Map();
    for (const span of this.view.spans) {
      if (!lanes.has(span.category)) lanes.set(span.category, lane++);
      const y = top + height + 2 * devicePixelRatio - (lanes.get(span.category) + 1) * 4 * devicePixelRatio;
      const start = Math.max(left, xOf(span.startMills));
      const end = Math.min(left + width, xOf(span.endMills ?? this.window.to));
      if (end <= start) continue;
      ctx.fillStyle = spanColors[span.category] || '#999';
      ctx.fillRect(start, y, end - start, 3 * devicePixelRatio);
    }
    ctx.restore();
  }
}
