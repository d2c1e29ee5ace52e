/**
 * uPlot pieces shared by every waveform: the ECG paper grid (1 mm = 0.04 s × 0.1 mV minor lines, 5 mm = 0.2 s ×
 * 0.5 mV major lines, i.e. 25 mm/s and 10 mm/mV), drawn only when the lines are far enough apart to read, and the
 * beat label layer (reference row, model/reviewer row, disagreements boxed in red, manual labels in purple), and
 * Review's calipers.
 */
import type uPlot from 'uplot';
import { caliperReading, caliperText, marchOut, type CaliperPoint } from './calipers.js';

export const CLASS_COLORS: Record<string, string> = { N: '#2b6cb0', S: '#b7791f', V: '#c53030', F: '#6b46c1', Q: '#4a5568', '-': '#a0aec0' };
export const MANUAL_COLOR = '#6b21a8';
/** Height (CSS px) of the label band above each lead plot. */
export const LABEL_BAND = 36;

export function drawEcgGrid(u: uPlot): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const xMin = u.scales.x.min!, xMax = u.scales.x.max!;
  const yMin = u.scales.y.min!, yMax = u.scales.y.max!;
  const pxPerS = width / (xMax - xMin), pxPerMv = height / (yMax - yMin);
  ctx.save();
  ctx.fillStyle = '#fff9f7';
  ctx.fillRect(left, top, width, height);
  const lines = (stepS: number, stepMv: number, color: string, lw: number): void => {
    ctx.beginPath();
    ctx.strokeStyle = color;
    ctx.lineWidth = lw;
    if (stepS * pxPerS >= 3 * devicePixelRatio) {
      for (let t = Math.ceil(xMin / stepS) * stepS; t <= xMax; t += stepS) {
        const x = Math.round(u.valToPos(t, 'x', true)) + 0.5;
        ctx.moveTo(x, top); ctx.lineTo(x, top + height);
      }
    }
    if (stepMv * pxPerMv >= 3 * devicePixelRatio) {
      for (let v = Math.ceil(yMin / stepMv) * stepMv; v <= yMax; v += stepMv) {
        const y = Math.round(u.valToPos(v, 'y', true)) + 0.5;
        ctx.moveTo(left, y); ctx.lineTo(left + width, y);
      }
    }
    ctx.stroke();
  };
  lines(0.04, 0.1, '#f8d3cf', 1);
  lines(0.2, 0.5, '#eb9a93', Math.max(1, devicePixelRatio));
  ctx.restore();
}

export interface BeatLayer {
  samples: readonly number[];
  fs: number;
  reference: string;
  /** Label shown in the second row and whether a reviewer set it. */
  labelOf: (i: number) => { label: string; source: 'manual' | 'model' | 'reference' };
  hasModel: boolean;
  selected: number;
  /** Other end of a range selection, -1 when none. */
  selectionEnd: number;
  firstIndex: (s: number) => number;
}

export function drawBeats(u: uPlot, layer: BeatLayer): void {
  const ctx = u.ctx;
  const { top, height, left, width } = u.bbox;
  const dpr = devicePixelRatio;
  const x0 = u.scales.x.min!, x1 = u.scales.x.max!;
  const start = layer.firstIndex(Math.floor(x0 * layer.fs));
  const visible: number[] = [];
  for (let i = start; i < layer.samples.length && layer.samples[i] / layer.fs <= x1; i++) visible.push(i);
  if (visible.length > width / (3 * dpr)) {
    // More beats than tick positions (hours on screen): one tick per 3-px column, the most telling beat wins
    // (disagreement > your correction > non-N > N), so a 24 h view costs one pass and a few hundred rects.
    const cols = Math.ceil(width / (3 * dpr));
    const best = new Int32Array(cols).fill(-1), rank = new Int8Array(cols).fill(-1);
    const span = x1 - x0;
    for (const i of visible) {
      const c = Math.min(cols - 1, Math.floor(((layer.samples[i] / layer.fs - x0) / span) * cols));
      const shown = layer.labelOf(i), ref = layer.reference[i];
      const r = layer.hasModel && ref !== '-' && shown.label !== ref ? 3 : shown.source === 'manual' ? 2 : shown.label !== 'N' ? 1 : 0;
      if (r > rank[c]) { rank[c] = r; best[c] = i; }
    }
    visible.length = 0;
    for (const i of best) if (i >= 0) visible.push(i);
  }
  const spacing = visible.length > 1 ? width / visible.length : width;
  const showText = spacing >= 14 * dpr;
  ctx.save();
  ctx.beginPath();
  // Labels sit in the band above the plot (LABEL_BAND px of top padding) so they never cover an R peak.
  ctx.rect(0, top - LABEL_BAND * dpr, left + width, height + LABEL_BAND * dpr);
  ctx.clip();
  const font = Math.round(13 * dpr);
  ctx.font = `bold ${font}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const row1 = top - 26 * dpr, row2 = top - 10 * dpr;
  if (layer.hasModel) {
    // Row names in the axis gutter: which label is the annotator's and which the model's (or yours).
    ctx.save();
    ctx.font = `${Math.round(11 * dpr)}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.fillStyle = '#4a5568';
    ctx.fillText('reference', left - 4 * dpr, row1);
    ctx.fillText('model', left - 4 * dpr, row2);
    ctx.restore();
  }
  for (const i of visible) {
    const x = u.valToPos(layer.samples[i] / layer.fs, 'x', true);
    const ref = layer.reference[i];
    const shown = layer.labelOf(i);
    const disagree = layer.hasModel && ref !== '-' && shown.label !== ref;
    const inRange = layer.selectionEnd >= 0 && i >= Math.min(layer.selected, layer.selectionEnd) && i <= Math.max(layer.selected, layer.selectionEnd);
    if (i === layer.selected || inRange) {
      ctx.fillStyle = 'rgba(49,130,206,0.18)';
      const half = Math.max(6 * dpr, spacing * 0.35);
      const a = Math.max(left, x - half), z = Math.min(left + width, x + half);
      ctx.fillRect(a, top - LABEL_BAND * dpr, z - a, height + LABEL_BAND * dpr);
    }
    if (!showText) {
      ctx.fillStyle = disagree ? '#e53e3e' : shown.source === 'manual' ? MANUAL_COLOR : CLASS_COLORS[shown.label] ?? '#718096';
      ctx.fillRect(x - dpr, top - 14 * dpr, 2 * dpr, disagree || shown.label !== 'N' ? 14 * dpr : 5 * dpr);
      continue;
    }
    if (layer.hasModel) {
      ctx.fillStyle = CLASS_COLORS[ref] ?? '#718096';
      ctx.fillText(ref, x, row1);
    }
    const y = layer.hasModel ? row2 : row1;
    if (shown.source === 'manual') {
      ctx.fillStyle = MANUAL_COLOR;
      ctx.fillRect(x - font * 0.6, y - font * 0.6, font * 1.2, font * 1.2);
      ctx.fillStyle = '#fff';
    } else if (disagree) {
      ctx.strokeStyle = '#e53e3e';
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(x - font * 0.6, y - font * 0.6, font * 1.2, font * 1.2);
      ctx.fillStyle = CLASS_COLORS[shown.label] ?? '#718096';
    } else {
      ctx.fillStyle = CLASS_COLORS[shown.label] ?? '#718096';
    }
    ctx.fillText(shown.label, x, y);
  }
  ctx.restore();
}

export const CALIPER_COLOR = '#0b5cad';

export interface CaliperLayer {
  a: CaliperPoint | null;
  b: CaliperPoint | null;
  /** This plot is the lead the caliper was placed on: its v values are this lead's mV, and it carries the reading. */
  onLead: boolean;
}

/**
 * The calipers on one lead: solid lines at A and B (time is shared, so on every lead), short ticks at the clicked mV
 * on the lead they were placed on, with a bracket and the reading there, and the caliper marched out as faint dashed
 * lines (skipped when they would crowd closer than 6 px, as a long window would).
 */
export function drawCalipers(u: uPlot, c: CaliperLayer): void {
  if (!c.a) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const dpr = devicePixelRatio;
  const x0 = u.scales.x.min!, x1 = u.scales.x.max!;
  const xOf = (t: number): number => Math.round(u.valToPos(t, 'x', true)) + 0.5;
  const vline = (x: number): void => { ctx.moveTo(x, top); ctx.lineTo(x, top + height); };
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.strokeStyle = CALIPER_COLOR;
  const a = c.a, b = c.b;
  if (b) {
    const step = Math.abs(b.t - a.t);
    if (step > 0 && (step / (x1 - x0)) * width >= 6 * dpr) {
      ctx.beginPath();
      ctx.globalAlpha = 0.45;
      ctx.lineWidth = dpr;
      ctx.setLineDash([4 * dpr, 4 * dpr]);
      for (const t of marchOut(a, b, x0, x1)) if (Math.abs(t - a.t) > step / 2 && Math.abs(t - b.t) > step / 2) vline(xOf(t));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
    }
  }
  const ends = b ? [a, b] : [a];
  ctx.beginPath();
  ctx.lineWidth = 1.5 * dpr;
  for (const p of ends) if (p.t >= x0 && p.t <= x1) vline(xOf(p.t));
  ctx.stroke();
  if (c.onLead) {
    ctx.beginPath();
    ctx.lineWidth = 2 * dpr;
    for (const p of ends) {
      if (p.v === null) continue;
      const x = xOf(p.t), y = Math.round(u.valToPos(p.v, 'y', true)) + 0.5;
      ctx.moveTo(x - 7 * dpr, y); ctx.lineTo(x + 7 * dpr, y);
    }
    ctx.stroke();
    if (b) {
      // The bracket near the top of the plot, ends clamped to it, the reading on a white ground beneath.
      const xa = Math.max(left, Math.min(left + width, xOf(Math.min(a.t, b.t))));
      const xb = Math.max(left, Math.min(left + width, xOf(Math.max(a.t, b.t))));
      const y = top + 8 * dpr;
      ctx.beginPath();
      ctx.lineWidth = 1.5 * dpr;
      ctx.moveTo(xa, y + 6 * dpr); ctx.lineTo(xa, y); ctx.lineTo(xb, y); ctx.lineTo(xb, y + 6 * dpr);
      ctx.stroke();
      const text = caliperText(caliperReading(a, b));
      ctx.font = `bold ${Math.round(12 * dpr)}px system-ui, sans-serif`;
      ctx.textAlign = 'left'; // uPlot leaves its axes' alignment on the context
      ctx.textBaseline = 'top';
      const w = ctx.measureText(text).width;
      const tx = Math.max(left + 2 * dpr, Math.min(left + width - w - 2 * dpr, (xa + xb) / 2 - w / 2));
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(tx - 3 * dpr, y + 3 * dpr, w + 6 * dpr, 16 * dpr);
      ctx.fillStyle = CALIPER_COLOR;
      ctx.fillText(text, tx, y + 5 * dpr);
    }
  }
  ctx.restore();
}

/** hh:mm:ss(.s) tick labels. */
export function clockLabel(t: number, withFraction: boolean): string {
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t - h * 3600 - m * 60;
  const ss = withFraction ? s.toFixed(1).padStart(4, '0') : String(Math.floor(s)).padStart(2, '0');
  return `${h}:${String(m).padStart(2, '0')}:${ss}`;
}
