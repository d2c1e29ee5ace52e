/**
 * Pixel reduction of signals for display. A wide view gets one min/max pair per pixel column (so spikes stay
 * visible at any zoom, unlike decimation); a narrow view gets the samples themselves. For long recordings a
 * block pyramid (min/max per BLOCK samples) is built once in the background, after which a 24-hour overview
 * costs a pass over ~0.5 M blocks instead of 31 M samples.
 */
import type { RecordingSource, SignalInfo } from '../domain/recording.js';

export const BLOCK = 64;
/** Read at most this many samples per lead at once, so a 24 h view never decodes the whole file in one go. */
export const CHUNK = 1 << 20;

export interface LeadPyramid {
  /** Physical min/max per BLOCK samples; NaN when the whole block is invalid. */
  min: Float32Array;
  max: Float32Array;
}

function gainOf(s: SignalInfo): number {
  return s.gain === 0 ? 200 : s.gain;
}

/** min/max of physical values of `samples[a..b)` per column, writing into out arrays at column offsets. */
export function reduceColumns(
  samples: ArrayLike<number>, sampleOffset: number, info: SignalInfo,
  from: number, step: number, outMin: Float64Array, outMax: Float64Array,
): void {
  const g = gainOf(info), base = info.baseline, inv = info.invalidValue;
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    const d = samples[i];
    if (inv !== undefined && d === inv) continue;
    const col = Math.floor((sampleOffset + i - from) / step);
    if (col < 0 || col >= outMin.length) continue;
    const v = (d - base) / g;
    if (v < outMin[col]) outMin[col] = v;
    if (v > outMax[col]) outMax[col] = v;
  }
}

/** Build the block pyramid of every lead by reading the recording in chunks; yields between chunks. */
export async function buildPyramid(source: RecordingSource, isCancelled: () => boolean = () => false): Promise<LeadPyramid[] | null> {
  const { length, signals } = source.info;
  const blocks = Math.ceil(length / BLOCK);
  const out = signals.map(() => ({ min: new Float32Array(blocks).fill(NaN), max: new Float32Array(blocks).fill(NaN) }));
  const chunk = CHUNK - (CHUNK % BLOCK);
  for (let from = 0; from < length; from += chunk) {
    if (isCancelled()) return null;
    const to = Math.min(length, from + chunk);
    const rec = await source.read({ from, to });
    rec.signals.forEach((sig, k) => {
      const g = gainOf(sig), base = sig.baseline, inv = sig.invalidValue;
      const s = sig.samples;
      const { min, max } = out[k];
      for (let i = 0; i < s.length; i++) {
        const d = s[i];
        if (inv !== undefined && d === inv) continue;
        const b = ((from + i) / BLOCK) | 0;
        const v = (d - base) / g;
        if (!(v >= min[b])) min[b] = v; // NaN-aware: first value replaces NaN
        if (!(v <= max[b])) max[b] = v;
      }
    });
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

const round = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 1e5) / 1e5 : null);

export interface MinMaxColumns { min: (number | null)[]; max: (number | null)[] }

/** Columns from the pyramid: valid when step ≥ BLOCK (each column spans whole blocks, approximately). */
export function columnsFromPyramid(p: LeadPyramid, from: number, step: number, columns: number): MinMaxColumns {
  const mn = new Float64Array(columns).fill(Infinity), mx = new Float64Array(columns).fill(-Infinity);
  for (let c = 0; c < columns; c++) {
    const b0 = Math.floor((from + c * step) / BLOCK);
    const b1 = Math.max(b0 + 1, Math.floor((from + (c + 1) * step) / BLOCK));
    for (let b = b0; b < b1 && b < p.min.length; b++) {
      const a = p.min[b], z = p.max[b];
      if (a < mn[c]) mn[c] = a;
      if (z > mx[c]) mx[c] = z;
    }
  }
  return { min: Array.from(mn, round), max: Array.from(mx, round) };
}

/** Columns read from the file (no pyramid yet, or a zoom narrower than a block per column). */
export async function columnsFromSource(source: RecordingSource, lead: number, from: number, to: number, step: number, columns: number): Promise<MinMaxColumns> {
  const mn = new Float64Array(columns).fill(Infinity), mx = new Float64Array(columns).fill(-Infinity);
  const info = source.info.signals[lead];
  for (let a = from; a < to; a += CHUNK) {
    const b = Math.min(to, a + CHUNK);
    const rec = await source.read({ from: a, to: b, channels: [lead] });
    reduceColumns(rec.signals[0].samples, a, info, from, step, mn, mx);
  }
  return { min: Array.from(mn, round), max: Array.from(mx, round) };
}

export async function rawValues(source: RecordingSource, lead: number, from: number, to: number): Promise<(number | null)[]> {
  const rec = await source.read({ from, to, channels: [lead] });
  const sig = rec.signals[0];
  const g = gainOf(sig), base = sig.baseline, inv = sig.invalidValue;
  return Array.from(sig.samples, (d) => (inv !== undefined && d === inv ? null : round((d - base) / g)));
}
