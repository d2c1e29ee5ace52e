import { describe, expect, it } from 'vitest';
import { resample, Resampler, SignalError } from '../../src-main/signal/index.js';
import { gaussian, rms, sine } from './records.js';

const PAIRS: [number, number][] = [[360, 250], [360, 128], [128, 360], [257, 360], [1000, 360], [360, 500], [250, 257], [500, 1000], [360, 360.5]];

/** Frequency of a sampled sine from its zero crossings. */
function zeroCrossingFrequency(x: ArrayLike<number>, fs: number, from: number, to: number): number {
  const crossings: number[] = [];
  for (let i = from + 1; i < to; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) crossings.push(i - 1 + -x[i - 1] / (x[i] - x[i - 1]));
  }
  return ((crossings.length - 1) * fs) / (crossings[crossings.length - 1] - crossings[0]);
}

describe('resample', () => {
  it.each(PAIRS)('%d → %d Hz keeps a 10 Hz sine: length, frequency, amplitude, phase', (fsIn, fsOut) => {
    const seconds = 10;
    const x = sine(10, fsIn, fsIn * seconds);
    const y = resample(x, fsIn, fsOut);
    expect(y.length).toBe(Math.ceil((x.length * fsOut) / fsIn));
    const edge = Math.ceil(fsOut);
    expect(zeroCrossingFrequency(y, fsOut, edge, y.length - edge)).toBeCloseTo(10, 3);
    expect(rms(y, edge, y.length - edge)).toBeCloseTo(Math.SQRT1_2, 3);
    // sample by sample against the ideal sine at the new rate
    const ideal = sine(10, fsOut, y.length);
    let worst = 0;
    for (let i = edge; i < y.length - edge; i++) worst = Math.max(worst, Math.abs(y[i] - ideal[i]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('keeps a constant exactly, edges included (no droop)', () => {
    const y = resample(new Float64Array(1000).fill(2.5), 360, 250);
    for (const v of y) expect(v).toBeCloseTo(2.5, 9);
  });

  it('removes what the new rate cannot represent: 100 Hz vanishes at 128 Hz', () => {
    const y = resample(sine(100, 360, 3600), 360, 128);
    expect(rms(y, 128, y.length - 128)).toBeLessThan(0.01);
  });

  it('returns a copy at the same rate', () => {
    const x = Float32Array.of(1, 2, 3);
    const y = resample(x, 360, 360);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
  });

  it.each(PAIRS)('%d → %d Hz: the streaming Resampler in odd chunks equals one call', (fsIn, fsOut) => {
    const g = gaussian(11);
    const x = Float64Array.from({ length: 7919 }, () => g());
    const whole = resample(x, fsIn, fsOut);
    const r = new Resampler(fsIn, fsOut);
    const parts: number[] = [];
    const sizes = [1, 3, 500, 7, 2048, 1];
    for (let p = 0, k = 0; p < x.length; k++) {
      const n = sizes[k % sizes.length];
      parts.push(...r.push(x.subarray(p, p + n)));
      p += n;
    }
    parts.push(...r.flush());
    expect(parts.length).toBe(whole.length);
    expect(parts).toEqual(Array.from(whole));
  });

  it('handles tiny and invalid input', () => {
    expect(resample(new Float64Array(0), 360, 250)).toHaveLength(0);
    expect(resample(Float64Array.of(1), 360, 720)).toHaveLength(2);
    const y = resample(Float64Array.of(NaN, 1, NaN, 1, 1, 1, 1, 1, 1, 1), 360, 250);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(() => resample(new Float64Array(10), 0, 250)).toThrow(SignalError);
    expect(() => resample(new Float64Array(10), 360, -1)).toThrow(/output sampling rate/);
  });
});
