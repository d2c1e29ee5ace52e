import { describe, expect, it } from 'vitest';
import {
  BiquadCascade, butterworthHighPass, butterworthLowPass, cleanSections, ecgClean, EcgCleaner, filtfilt, magnitudeAt,
  medianFilter, notch, NotchFilter, notchSections, removeBaseline, SignalError,
} from '../../src-main/signal/index.js';
import { EcgReviewError } from '../../src-main/domain/errors.js';
import { gaussian, rms, sine } from './records.js';

const fs = 360;
const A = Math.SQRT1_2; // rms of a unit sine
/** rms of the middle of a filtered signal (edges excluded), relative to a unit sine's. */
const gain = (y: ArrayLike<number>, edge = fs * 2): number => rms(y, edge, y.length - edge) / A;

function chunked(make: () => { process(c: ArrayLike<number>): ArrayLike<number> }, x: Float64Array, sizes: number[]): number[] {
  const f = make();
  const out: number[] = [];
  let p = 0, k = 0;
  while (p < x.length) {
    const n = sizes[k++ % sizes.length];
    out.push(...Array.from(f.process(x.subarray(p, p + n))));
    p += n;
  }
  return out;
}

describe('Butterworth sections', () => {
  it('have -3 dB at the cut-off and the expected roll-off', () => {
    const lp = butterworthLowPass(40, fs, 4);
    expect(magnitudeAt(lp, 40, fs)).toBeCloseTo(Math.SQRT1_2, 3);
    expect(magnitudeAt(lp, 1, fs)).toBeCloseTo(1, 4);
    expect(magnitudeAt(lp, 120, fs)).toBeLessThan(0.02);
    const hp = butterworthHighPass(0.5, fs, 2);
    expect(magnitudeAt(hp, 0.5, fs)).toBeCloseTo(Math.SQRT1_2, 3);
    expect(magnitudeAt(hp, 10, fs)).toBeCloseTo(1, 3);
  });

  it('filter a sine as their magnitude response says', () => {
    const sections = butterworthLowPass(20, fs, 2);
    for (const f of [5, 20, 60]) {
      const y = new BiquadCascade(sections).process(sine(f, fs, fs * 10));
      expect(gain(y)).toBeCloseTo(magnitudeAt(sections, f, fs), 2);
    }
  });

  it('refuse cut-offs outside (0, fs/2) and bad rates with a SignalError', () => {
    expect(() => butterworthLowPass(200, fs)).toThrow(SignalError);
    expect(() => butterworthHighPass(0, fs)).toThrow(/between 0 and fs\/2/);
    expect(() => butterworthLowPass(10, 0)).toThrow(SignalError);
    expect(() => butterworthLowPass(10, NaN)).toThrow(/positive number of Hz/);
    expect(new SignalError('x')).toBeInstanceOf(EcgReviewError);
  });
});

describe('baseline removal and cleaning', () => {
  it('removeBaseline (high-pass) removes 0.1–0.2 Hz wander and passes 10 Hz', () => {
    expect(gain(removeBaseline(sine(0.1, fs, fs * 120), fs), fs * 20)).toBeLessThan(0.01);
    expect(gain(removeBaseline(sine(0.2, fs, fs * 120), fs), fs * 20)).toBeLessThan(0.03);
    expect(gain(removeBaseline(sine(10, fs, fs * 20), fs))).toBeGreaterThan(0.999);
  });

  it('removeBaseline (two-stage median) removes slow wander and keeps a 10 Hz sine', () => {
    expect(gain(removeBaseline(sine(0.2, fs, fs * 60), fs, { method: 'median' }), fs * 10)).toBeLessThan(0.01);
    expect(gain(removeBaseline(sine(10, fs, fs * 20), fs, { method: 'median' }))).toBeGreaterThan(0.99);
  });

  it('ecgClean for QRS detection removes a 1 Hz sine and passes 10 Hz', () => {
    expect(gain(ecgClean(sine(1, fs, fs * 20), fs, { purpose: 'qrs' }))).toBeLessThan(0.01);
    expect(gain(ecgClean(sine(10, fs, fs * 20), fs, { purpose: 'qrs' }))).toBeGreaterThan(0.75);
  });

  it('ecgClean for morphology keeps 2–25 Hz, removes 0.1 Hz drift and 100 Hz noise', () => {
    expect(gain(ecgClean(sine(0.1, fs, fs * 120), fs), fs * 20)).toBeLessThan(0.01);
    for (const f of [2, 10, 25]) expect(gain(ecgClean(sine(f, fs, fs * 20), fs))).toBeGreaterThan(0.9);
    expect(gain(ecgClean(sine(100, fs, fs * 20), fs))).toBeLessThan(0.02);
  });

  it('is zero-phase: a filtered sine keeps its zero crossings', () => {
    const x = sine(10, fs, fs * 10);
    const y = ecgClean(x, fs);
    // cross-correlation peaks at lag 0
    const corr = (lag: number): number => { let s = 0; for (let i = fs; i < x.length - fs; i++) s += x[i] * y[i + lag]; return s; };
    expect(corr(0)).toBeGreaterThan(corr(1));
    expect(corr(0)).toBeGreaterThan(corr(-1));
  });

  it('median filter equals a brute-force running median', () => {
    const g = gaussian(7);
    const x = Float64Array.from({ length: 500 }, () => Math.round(g() * 5) + 0); // many ties
    const w = 15, h = 7;
    const y = medianFilter(x, w);
    for (let i = 0; i < x.length; i++) {
      const win: number[] = [];
      for (let k = i - h; k <= i + h; k++) win.push(x[Math.min(x.length - 1, Math.max(0, k))]);
      win.sort((a, b) => a - b);
      expect(y[i] === win[h]).toBe(true);
    }
  });
});

describe('notch', () => {
  it('kills 50 Hz (and 60 Hz when asked) and passes 10 Hz', () => {
    expect(gain(notch(sine(50, fs, fs * 10), fs))).toBeLessThan(0.01);
    expect(gain(notch(sine(60, fs, fs * 10), fs, { frequency: 60 }))).toBeLessThan(0.01);
    expect(gain(notch(sine(10, fs, fs * 10), fs))).toBeGreaterThan(0.999);
    expect(gain(notch(sine(100, fs, fs * 10), fs, { harmonics: true }))).toBeLessThan(0.01);
    expect(magnitudeAt(notchSections(fs), 50, fs)).toBeLessThan(1e-6);
  });

  it('removes mains hum added to an ECG-like signal without touching the rest', () => {
    const clean = sine(1.2, fs, fs * 20, 1);
    const hum = sine(50, fs, fs * 20, 0.3);
    const y = notch(clean.map((v, i) => v + hum[i]), fs);
    const err = y.map((v, i) => v - clean[i]);
    expect(rms(err, fs * 2, y.length - fs * 2)).toBeLessThan(0.005);
  });

  it('refuses a mains frequency above Nyquist', () => {
    expect(() => notch(new Float64Array(10), 80, { frequency: 50 })).toThrow(SignalError);
  });
});

describe('streaming filters', () => {
  const g = gaussian(3);
  const x = Float64Array.from({ length: 20_000 }, () => g());
  const sizes = [1, 2, 997, 13, 4096, 5000, 3];

  it('BiquadCascade, EcgCleaner and NotchFilter give the same samples chunk by chunk as on the whole array', () => {
    for (const make of [
      () => new BiquadCascade(cleanSections(fs, { purpose: 'qrs' })),
      () => new EcgCleaner(fs, { purpose: 'morphology', powerline: 60 }),
      () => new NotchFilter(fs, { frequency: 50, harmonics: true }),
    ]) {
      const whole = Array.from(make().process(x));
      expect(chunked(make, x, sizes)).toEqual(whole);
    }
  });

  it('hold NaN samples at the last valid value instead of poisoning the state', () => {
    const y = x.slice();
    y.fill(NaN, 1000, 1100);
    y[0] = NaN;
    const out = new EcgCleaner(fs).process(y);
    expect(out.every(Number.isFinite)).toBe(true);
    const zp = filtfilt(cleanSections(fs), y, 100);
    expect(zp.every(Number.isFinite)).toBe(true);
  });

  it('handle empty and single-sample input', () => {
    expect(ecgClean(new Float64Array(0), fs)).toHaveLength(0);
    expect(Array.from(ecgClean(Float64Array.of(3), fs)).every(Number.isFinite)).toBe(true);
    expect(new NotchFilter(fs).process(new Float64Array(0))).toHaveLength(0);
  });
});
