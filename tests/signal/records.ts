/** Test helper: an MIT-BIH record as physical Float32 leads plus its reference annotations. */
import type { Annotation } from '../../src-main/domain/annotation.js';
import { isBeatSymbol } from '../../src-main/domain/annotation.js';
import { toPhysical } from '../../src-main/domain/recording.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { mitdbRecord, NSTDB_DIR } from '../helpers/data.js';
import { join } from 'node:path';
import { butterworthHighPass, butterworthLowPass, filtfilt } from '../../src-main/signal/biquad.js';

export interface LoadedRecord {
  name: string;
  fs: number;
  length: number;
  leads: Float32Array[];
  atr: Annotation[];
  /** Reference beat samples (isBeatSymbol). */
  beats: Int32Array;
}

export async function loadRecord(name: string, path = mitdbRecord(name)): Promise<LoadedRecord> {
  const src = await openRecording(path);
  try {
    const rec = await src.read();
    const atr = path.includes('nstdb') ? [] : await readAnnotations(src, 'atr');
    return {
      name,
      fs: src.info.fs,
      length: src.info.length,
      leads: rec.signals.map((s) => toPhysical(s)),
      atr,
      beats: Int32Array.from(atr.filter((a) => isBeatSymbol(a.symbol)).map((a) => a.sample)),
    };
  } finally {
    await src.close();
  }
}

export function loadNoise(kind: 'bw' | 'em' | 'ma'): Promise<LoadedRecord> {
  return loadRecord(kind, join(NSTDB_DIR, kind));
}

/** Beats as WFDB annotations labelled N, for the EC57 comparison. */
export function asAnnotations(samples: ArrayLike<number>): Annotation[] {
  return Array.from(samples as ArrayLike<number>, (sample) => ({ sample, symbol: 'N', code: 1, subtype: 0, chan: 0, num: 0, aux: '' }));
}

/** Seeded uniform PRNG (mulberry32) and a Gaussian from it (Box-Muller). */
export function gaussian(seed: number): () => number {
  let s = seed | 0;
  const uni = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uni() + 1e-12)) * Math.cos(2 * Math.PI * uni());
}

/** `x` band-passed (Butterworth, zero-phase) to [lo, hi] Hz and scaled to the given rms. */
export function bandLimited(x: ArrayLike<number>, lo: number, hi: number, fs: number, targetRms: number): Float32Array {
  const y = filtfilt([...butterworthHighPass(lo, fs, 2), ...butterworthLowPass(hi, fs, 4)], x);
  const k = targetRms / rms(y);
  return Float32Array.from(y, (v) => v * k);
}

export function sine(freq: number, fs: number, n: number, amplitude = 1): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / fs));
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

/** Feed `leads` to a streaming detector in chunks of the given sizes (cycled), then flush: every beat it emits. */
export function streamInChunks(det: { push(x: Float32Array[]): ArrayLike<number>; flush(): ArrayLike<number> }, leads: Float32Array[], sizes: readonly number[]): Int32Array {
  const out: number[] = [];
  for (let p = 0, k = 0; p < leads[0].length; k++) {
    const n = sizes[k % sizes.length];
    for (const b of Array.from(det.push(leads.map((l) => l.subarray(p, p + n))))) out.push(b);
    p += n;
  }
  for (const b of Array.from(det.flush())) out.push(b);
  return Int32Array.from(out);
}
