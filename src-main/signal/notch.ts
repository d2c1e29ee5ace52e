/**
 * Power-line interference removal: a second-order IIR notch (bilinear transform, RBJ cookbook) at 50 or 60 Hz
 * and, optionally, its harmonics below Nyquist. `notch` is zero-phase (forward-backward, for offline use);
 * `NotchFilter` is the causal streaming form, whose chunked output equals its whole-array output.
 */
import { BiquadCascade, filtfilt, notchSection, type Biquad, type FloatArray } from './biquad.js';
import { checkRate, SignalError } from './errors.js';

export interface NotchOptions {
  /** Mains frequency, Hz (default 50). */
  frequency?: number;
  /** Quality factor: the notch is frequency/q wide at -3 dB (default 30, i.e. 1.7 Hz at 50 Hz). */
  q?: number;
  /** Also notch 2f, 3f… below fs/2 (default false). */
  harmonics?: boolean;
}

export function notchSections(fs: number, options: NotchOptions = {}): Biquad[] {
  checkRate(fs);
  const f0 = options.frequency ?? 50;
  const q = options.q ?? 30;
  if (!(f0 > 0) || f0 >= fs / 2) throw new SignalError(`notch frequency ${f0} Hz must lie between 0 and fs/2 = ${fs / 2} Hz`);
  if (!(q > 0)) throw new SignalError(`notch q must be positive, got ${q}`);
  const sections: Biquad[] = [];
  for (let k = 1; k * f0 < fs / 2 && (k === 1 || options.harmonics); k++) sections.push(notchSection(k * f0, fs, q));
  return sections;
}

/** Zero-phase notch of a whole signal (NaN samples are held at the last valid value). */
export function notch(signal: ArrayLike<number>, fs: number, options: NotchOptions = {}): Float64Array {
  return filtfilt(notchSections(fs, options), signal, Math.round(fs));
}

/** Causal streaming notch: `process(chunk)` returns the filtered chunk and keeps its state. */
export class NotchFilter {
  private readonly cascade: BiquadCascade;
  constructor(readonly fs: number, options: NotchOptions = {}) {
    this.cascade = new BiquadCascade(notchSections(fs, options));
  }
  process(chunk: ArrayLike<number>, out?: FloatArray): FloatArray {
    return this.cascade.process(chunk, out);
  }
}
