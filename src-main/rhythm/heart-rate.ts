/**
 * Heart rate over every beat (any class): the mean over the analysis, and per clock minute from the start of the
 * recording, which gives the minimum and maximum a Holter report states. A minute's rate is 60 over the mean of
 * the RR intervals that end in it, and only minutes that those intervals cover at least half of count, so a minute
 * cut by the end of the recording or by a stretch without beats does not give a spurious extreme.
 */
import type { HeartRateSummary, Pause } from '../domain/holter.js';
import type { LabelledBeats } from './beats.js';

/** Per clock minute: beats/min, NaN where the minute is not covered enough. */
export function minuteRates(b: LabelledBeats, minutes: number): Float64Array {
  const sum = new Float64Array(minutes), count = new Float64Array(minutes);
  for (let i = 1; i < b.samples.length; i++) {
    const m = Math.floor(b.samples[i] / b.fs / 60);
    if (m >= minutes) continue;
    sum[m] += (b.samples[i] - b.samples[i - 1]) / b.fs;
    count[m]++;
  }
  return Float64Array.from(sum, (s, m) => (s >= 30 ? (60 * count[m]) / s : NaN));
}

export function summarizeHeartRate(b: LabelledBeats, rates: Float64Array): HeartRateSummary {
  const n = b.samples.length;
  const span = n >= 2 ? (b.samples[n - 1] - b.samples[0]) / b.fs : 0;
  let min: HeartRateSummary['min'] = null, max: HeartRateSummary['max'] = null;
  let minutes = 0, brady = 0, tachy = 0;
  for (let m = 0; m < rates.length; m++) {
    const r = rates[m];
    if (Number.isNaN(r)) continue;
    minutes++;
    if (r < 60) brady++;
    if (r > 100) tachy++;
    if (!min || r < min.bpm) min = { bpm: r, minute: m };
    if (!max || r > max.bpm) max = { bpm: r, minute: m };
  }
  return {
    mean: span > 0 ? (60 * (n - 1)) / span : null, min, max, minutes, bradycardiaMinutes: brady, tachycardiaMinutes: tachy,
    perMinute: Array.from(rates, (r) => (Number.isNaN(r) ? null : r)),
  };
}

/** Every RR interval (between consecutive beats of any class) of at least `threshold` seconds, in time order. */
export function findPauses(b: LabelledBeats, threshold: number): Pause[] {
  const out: Pause[] = [];
  for (let i = 1; i < b.samples.length; i++) {
    const rr = (b.samples[i] - b.samples[i - 1]) / b.fs;
    if (rr >= threshold) out.push({ start: b.samples[i - 1] / b.fs, seconds: rr });
  }
  return out;
}
