/**
 * uPlot pieces shared by every waveform: the ECG paper grid (1 mm = 0.04 s × 0.1 mV minor lines, 5 mm = 0.2 s ×
 * 0.5 mV major lines, i.e. 25 mm/s and 10 mm/mV), drawn only when the lines are far enough apart to read, and the
 * beat label layer (reference row, model/reviewer row, disagreements boxed in red, manual labels in purple).
 */
import type uPlot from 'uplot';

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

/** hh:mm:ss(.s) tick labels. */
export function clockLabel(t: number, withFraction: boolean): string {
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t - h * 3600 - m * 60;
  const ss = withFraction ? s.toFixed(1).padStart(4, '0') : String(Math.floor(s)).padStart(2, '0');
  return `${h}:${String(m).padStart(2, '0')}:${ss}`;
}
