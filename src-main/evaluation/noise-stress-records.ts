/**
 * Noise stress test records (EC57; signal/noise-stress.ts has the method): a clean record plus a noise record at
 * one SNR, written as a WFDB record named as the MIT-BIH Noise Stress Test Database names its own (`118e24`,
 * `118e06`, `118e00`, `118e_6`), with the reference annotations copied beside it, so that every tool that reads a
 * record — detect, classify, evaluate, the app — runs on it unchanged.
 */
import { join } from 'node:path';
import { aamiClassOf } from '../domain/aami.js';
import { toPhysical, type SignalInfo } from '../domain/recording.js';
import { openRecording, readAnnotations } from '../formats/index.js';
import { writeWfdbAnnotationFile } from '../formats/wfdb/annotations.js';
import { writeWfdbRecord } from '../formats/wfdb/write.js';
import { addStressNoise, noiseGain, qrsAmplitude, rmsAmplitude, stressProtocol, STRESS_SEGMENT_SECONDS, STRESS_START_SECONDS } from '../signal/noise-stress.js';
import { SignalError } from '../signal/errors.js';
import { resample } from '../signal/resample.js';
import { EvaluationError } from './errors.js';

/** NSTDB's record-name suffix for an SNR: 24 → e24, 6 → e06, 0 → e00, −6 → e_6. */
export function stressRecordName(record: string, snrDb: number): string {
  if (!Number.isInteger(snrDb)) throw new EvaluationError(`SNR must be a whole number of dB for a record name, got ${snrDb}`);
  return `${record}e${snrDb < 0 ? `_${-snrDb}` : String(snrDb).padStart(2, '0')}`;
}

export interface StressRecord {
  name: string;
  /** Record path (no extension), for openRecording. */
  path: string;
  snrDb: number;
  /** Per ECG signal: QRS peak-to-peak amplitude, the noise signal's RMS amplitude (physical units), the gain. */
  signals: { name: string; qrsAmplitude: number; noiseRms: number; gain: number }[];
  /** Samples in noise (the noisy segments' total). */
  noisySamples: number;
}

export interface StressRecordOptions {
  /** Reference annotator (default atr): its normal beats set the QRS amplitude, and it is copied. */
  reference?: string;
}

/** Write `<outDir>/<record>e<snr>` (.hea, .dat, .<reference>) and say what went into it. */
export async function makeStressRecord(recordPath: string, noisePath: string, snrDb: number, outDir: string, o: StressRecordOptions = {}): Promise<StressRecord> {
  const ref = o.reference ?? 'atr';
  const src = await openRecording(recordPath);
  const noiseSrc = await openRecording(noisePath);
  try {
    const { fs, length } = src.info;
    const rec = await src.read();
    const ann = await readAnnotations(src, ref);
    const normal = Int32Array.from(ann.filter((a) => aamiClassOf(a.symbol) === 'N').map((a) => a.sample));
    if (normal.length === 0) throw new EvaluationError(`annotator '${ref}' has no normal beat to measure the QRS amplitude on`, src.info.path);
    const nrec = await noiseSrc.read();
    let noise = nrec.signals.map((s) => toPhysical(s));
    if (noise.length === 0) throw new EvaluationError('the noise record has no signals', noiseSrc.info.path);
    if (Math.abs(noiseSrc.info.fs - fs) > 1e-9) noise = noise.map((n) => Float32Array.from(resample(n, noiseSrc.info.fs, fs)));
    const ecg = rec.signals.map((s) => toPhysical(s));
    const signals = ecg.map((x, i) => {
      const q = named(() => qrsAmplitude(x, normal, fs), `${src.info.path} signal ${i}`);
      const nr = named(() => rmsAmplitude(noise[i % noise.length], fs), `${noiseSrc.info.path} signal ${i % noise.length}`);
      return { name: rec.signals[i].name, qrsAmplitude: q, noiseRms: nr, gain: named(() => noiseGain(snrDb, q, nr), `${noiseSrc.info.path} signal ${i % noise.length}`) };
    });
    const segments = stressProtocol(length, fs);
    const noisy = addStressNoise(ecg, noise, { gains: signals.map((s) => s.gain), segments });
    const name = stressRecordName(src.info.name, snrDb);
    await writeWfdbRecord(outDir, {
      name, fs,
      signals: noisy.map((y, i) => digital(y, rec.signals[i], `${join(outDir, name)} signal ${i}`)),
      comments: [
        `Noise stress test record (EC57, as WFDB nst): ${src.info.name} + ${noiseSrc.info.name} at ${snrDb} dB`,
        `clean until ${STRESS_START_SECONDS / 60}:00, then noise in ${STRESS_SEGMENT_SECONDS / 60}-minute segments alternating with clean ones`,
        ...signals.map((s, i) => `signal ${i} (${s.name}): QRS p-p ${s.qrsAmplitude.toFixed(4)}, noise RMS ${s.noiseRms.toFixed(4)} (${noiseSrc.info.name} signal ${i % noise.length}), gain ${s.gain.toFixed(4)}`),
        'made by ecg-review noise-stress',
      ],
    });
    await writeWfdbAnnotationFile(join(outDir, `${name}.${ref}`), ann);
    return { name, path: join(outDir, name), snrDb, signals, noisySamples: segments.filter((s) => s.noisy).reduce((a, s) => a + s.to - s.from, 0) };
  } finally {
    await noiseSrc.close();
    await src.close();
  }
}

/** A signal-layer failure, re-raised naming the record and signal it was about. */
function named<T>(f: () => T, input: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SignalError) throw new EvaluationError(e.message, input, { cause: e });
    throw e;
  }
}

/** Physical values back to the source signal's ADC scale, stored as format 16 (as nst writes). */
function digital(y: Float32Array, s: SignalInfo, what: string) {
  const gain = s.gain === 0 ? 200 : s.gain;
  const samples = new Int16Array(y.length);
  let clipped = 0;
  for (let i = 0; i < y.length; i++) {
    const v = Math.round(y[i] * gain + s.baseline);
    if (v > 32767 || v < -32768) clipped++;
    samples[i] = Number.isNaN(v) ? -32768 : Math.max(-32768, Math.min(32767, v));
  }
  if (clipped > y.length / 100) throw new EvaluationError(`${clipped} samples exceed the 16-bit range at this SNR`, what);
  return { samples, format: 16, gain, baseline: s.baseline, units: s.units, adcResolution: 16, adcZero: s.adcZero, description: s.name };
}
