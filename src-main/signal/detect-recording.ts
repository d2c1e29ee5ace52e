/**
 * QRS detection over an opened recording, read window by window so a 24-hour Holter never sits in memory
 * whole: each window's leads are converted to physical units (invalid samples → NaN) and pushed into one
 * streaming QrsDetector, so the result equals detection on the whole array.
 */
import { toPhysical, type RecordingSource } from '../domain/recording.js';
import { QrsDetector, type QrsDetectorOptions } from './detect-qrs.js';
import { SignalError } from './errors.js';

export interface RecordingDetectOptions extends QrsDetectorOptions {
  /** Signal indices to use (default: all). */
  leads?: number[];
  /** Seconds read per window (default 60). */
  windowSeconds?: number;
  /** Called after each window with the fraction done (0..1). */
  onProgress?: (fraction: number) => void;
}

export async function detectQrsInRecording(source: RecordingSource, options: RecordingDetectOptions = {}): Promise<Int32Array> {
  const { info } = source;
  const leads = options.leads ?? info.signals.map((_, i) => i);
  if (leads.length === 0) throw new SignalError('the recording has no signals to detect beats in', info.path);
  for (const l of leads) {
    if (!Number.isInteger(l) || l < 0 || l >= info.signals.length) {
      throw new SignalError(`lead ${l} does not exist (the recording has ${info.signals.length} signal(s))`, info.path);
    }
  }
  if (!Number.isFinite(info.fs) || info.fs <= 0) throw new SignalError(`sampling rate ${info.fs} Hz is not usable`, info.path);
  // The detector's minimum QRS amplitude is in mV: scale µV and V leads; unknown units disable it.
  const scales = leads.map((l) => unitScaleToMv(info.signals[l].units));
  const known = scales.every((k) => k !== undefined);
  const detector = new QrsDetector(info.fs, leads.length, known ? options : { ...options, minAmplitude: 0 });
  const step = Math.max(1, Math.round((options.windowSeconds ?? 60) * info.fs));
  const beats: number[] = [];
  const buffers = leads.map(() => new Float32Array(step));
  for (let from = 0; from < info.length; from += step) {
    const to = Math.min(info.length, from + step);
    const rec = await source.read({ from, to, channels: leads });
    const chunk = rec.signals.map((s, i) => {
      const x = toPhysical(s, buffers[i].subarray(0, to - from));
      const k = scales[i];
      if (k !== undefined && k !== 1) for (let j = 0; j < x.length; j++) x[j] *= k;
      return x;
    });
    for (const b of detector.push(chunk)) beats.push(b);
    options.onProgress?.(to / info.length);
  }
  for (const b of detector.flush()) beats.push(b);
  return Int32Array.from(beats);
}

/** Factor from a lead's physical units to mV, or undefined when the units are not a voltage we know. */
export function unitScaleToMv(units: string): number | undefined {
  const u = units.trim().toLowerCase().replace('μ', 'µ');
  if (u === 'mv') return 1;
  if (u === 'uv' || u === 'µv') return 1e-3;
  if (u === 'v') return 1e3;
  if (u === 'nv') return 1e-6;
  return undefined;
}
