/**
 * Heart-rate variability over normal-to-normal (NN) intervals: the time-domain measures here, the spectrum of each
 * 5-minute segment in `hrv-spectrum.ts`. Both follow the Task Force of the ESC and NASPE
 * (Circulation 1996;93:1043–65). An NN interval joins two consecutive beats both labelled N, so the
 * intervals around an ectopic beat never count. Two filters follow the PhysioNet HRV Toolkit's defaults: intervals
 * outside 0.4–2.0 s are dropped, and so is any interval more than 20 % away from the mean of the 20 kept-in-range
 * intervals on each side (missed or extra beats, artefact).
 */
import type { HolterSettings, HrvSummary } from '../domain/holter.js';
import type { LabelledBeats } from './beats.js';
import { segmentSpectra } from './hrv-spectrum.js';

/** NN intervals (s), the index of the beat that ends each, and whether the filters keep it. */
export interface NNIntervals {
  seconds: Float64Array;
  endBeat: Int32Array;
  kept: Uint8Array;
}

export function nnIntervals(b: LabelledBeats, s: Pick<HolterSettings, 'minNN' | 'maxNN' | 'nnOutlierFraction' | 'nnOutlierHalfWindow'>): NNIntervals {
  const secs: number[] = [];
  const ends: number[] = [];
  for (let i = 1; i < b.samples.length; i++) {
    if (b.labels[i] === 'N' && b.labels[i - 1] === 'N') { secs.push((b.samples[i] - b.samples[i - 1]) / b.fs); ends.push(i); }
  }
  const seconds = Float64Array.from(secs);
  const kept = new Uint8Array(seconds.length);
  // The outlier test compares with in-range neighbours only, so one wild interval does not condemn its neighbours.
  const inRange: number[] = [];
  for (let k = 0; k < seconds.length; k++) if (seconds[k] >= s.minNN && seconds[k] <= s.maxNN) inRange.push(k);
  const prefix = new Float64Array(inRange.length + 1);
  for (let m = 0; m < inRange.length; m++) prefix[m + 1] = prefix[m] + seconds[inRange[m]];
  const h = s.nnOutlierHalfWindow;
  for (let m = 0; m < inRange.length; m++) {
    const lo = Math.max(0, m - h), hi = Math.min(inRange.length, m + h + 1);
    const count = hi - lo - 1;
    const v = seconds[inRange[m]];
    if (count === 0) { kept[inRange[m]] = 1; continue; }
    const mean = (prefix[hi] - prefix[lo] - v) / count;
    if (Math.abs(v - mean) <= s.nnOutlierFraction * mean) kept[inRange[m]] = 1;
  }
  return { seconds, endBeat: Int32Array.from(ends), kept };
}

function meanOf(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample standard deviation (n − 1). */
function sdOf(xs: ArrayLike<number>): number {
  const m = meanOf(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Segment length of SDANN and the SDNN index (Task Force: 5 minutes). */
export const HRV_SEGMENT_SECONDS = 300;

export function heartRateVariability(b: LabelledBeats, s: Pick<HolterSettings, 'minNN' | 'maxNN' | 'nnOutlierFraction' | 'nnOutlierHalfWindow'>): HrvSummary {
  const nn = nnIntervals(b, s);
  const kept: number[] = [];
  const keptEnd: number[] = [];
  for (let k = 0; k < nn.seconds.length; k++) if (nn.kept[k]) { kept.push(nn.seconds[k] * 1000); keptEnd.push(nn.endBeat[k]); }
  const n = kept.length;
  // successive differences only between NN intervals that share a beat
  const diffs: number[] = [];
  for (let k = 1; k < nn.seconds.length; k++) {
    if (nn.kept[k] && nn.kept[k - 1] && nn.endBeat[k] === nn.endBeat[k - 1] + 1) diffs.push((nn.seconds[k] - nn.seconds[k - 1]) * 1000);
  }
  // 5-minute segments by the time of each interval's end; a segment counts when its NN intervals cover half of it
  const segments = new Map<number, { t: number[]; nn: number[] }>();
  for (let k = 0; k < n; k++) {
    const t = b.samples[keptEnd[k]] / b.fs;
    const seg = Math.floor(t / HRV_SEGMENT_SECONDS);
    let s = segments.get(seg);
    if (!s) segments.set(seg, (s = { t: [], nn: [] }));
    s.t.push(t);
    s.nn.push(kept[k]);
  }
  const covered = [...segments.values()].filter((s) => s.nn.length >= 2 && s.nn.reduce((a, v) => a + v, 0) >= (HRV_SEGMENT_SECONDS * 1000) / 2);
  const full = covered.map((s) => s.nn);
  let triangularIndex: number | null = null;
  if (n >= 2) {
    const bins = new Map<number, number>();
    let top = 0;
    for (const v of kept) { const k = Math.floor((v / 1000) * 128); const c = (bins.get(k) ?? 0) + 1; bins.set(k, c); if (c > top) top = c; }
    triangularIndex = n / top;
  }
  return {
    nnCount: n,
    nnExcluded: nn.seconds.length - n,
    meanNN: n ? meanOf(kept) : null,
    sdnn: n >= 2 ? sdOf(kept) : null,
    sdann: full.length >= 2 ? sdOf(full.map(meanOf)) : null,
    sdnnIndex: full.length ? meanOf(full.map(sdOf)) : null,
    rmssd: diffs.length ? Math.sqrt(meanOf(diffs.map((d) => d * d))) : null,
    pnn50: diffs.length ? (100 * diffs.filter((d) => Math.abs(d) > 50).length) / diffs.length : null,
    triangularIndex,
    frequency: segmentSpectra(covered),
  };
}
