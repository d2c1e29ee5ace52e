/**
 * A recording as every importer returns it: metadata first (cheap to read), samples by window (so a 24-hour
 * Holter never has to be decoded whole). Samples stay digital (ADC units) in typed arrays; physical values
 * are (digital - baseline) / gain, computed on demand.
 */
import type { Annotation } from './annotation.js';

export type RecordingFormat = 'wfdb' | 'edf' | 'edf+' | 'ishne' | 'csv';

/** Digital samples of one lead. Int16Array where the format fits in 16 bits, Int32Array otherwise. */
export type DigitalSamples = Int16Array | Int32Array;

export interface SignalInfo {
  /** Lead name, e.g. `MLII`, `V5`, `ECG I`. */
  name: string;
  /** Physical units, e.g. `mV`. */
  units: string;
  /** ADC units per physical unit. */
  gain: number;
  /** Digital value that corresponds to 0 physical units. */
  baseline: number;
  /** Bits of ADC resolution. */
  adcResolution: number;
  adcZero: number;
  /** Storage format as the source names it (`212`, `16`, `edf16`, `ishne16`, `csv`…). */
  storage: string;
  /** Digital value that marks a missing sample, if the format has one. */
  invalidValue?: number;
  /** First sample's value and 16-bit checksum from a WFDB header, when present (for verification). */
  initialValue?: number;
  checksum?: number;
}

export interface RecordingInfo {
  /** Record name (`100`) or file stem. */
  name: string;
  /** Path the user gave, as resolved. */
  path: string;
  format: RecordingFormat;
  /** Samples per second per signal (frame rate). */
  fs: number;
  /** Number of samples per signal. */
  length: number;
  /** Wall-clock start, when the file says. */
  startTime: Date | null;
  signals: SignalInfo[];
  /** Deviations from the format specification that were accepted; shown to the user. */
  warnings: string[];
  /** Free-text header comments (WFDB `#` lines, EDF patient/recording fields…). */
  comments: string[];
}

export interface SampleWindow {
  /** First sample (inclusive); default 0. */
  from?: number;
  /** Last sample (exclusive); default the recording's length. */
  to?: number;
  /** Signal indices; default all. */
  channels?: number[];
}

export interface Signal extends SignalInfo {
  samples: DigitalSamples;
}

/** A window of samples read from a recording. */
export interface Recording {
  info: RecordingInfo;
  from: number;
  to: number;
  signals: Signal[];
}

/** An opened recording: metadata plus random access to samples and any annotations embedded in the file. */
export interface RecordingSource {
  readonly info: RecordingInfo;
  read(window?: SampleWindow): Promise<Recording>;
  /** Annotations stored inside the recording file itself (EDF+ TAL); WFDB annotators live in separate files. */
  embeddedAnnotations(): Promise<Annotation[]>;
  close(): Promise<void>;
}

/** Physical values of one signal, NaN where the sample is marked invalid. */
export function toPhysical(signal: Signal, out?: Float32Array): Float32Array {
  const n = signal.samples.length;
  const res = out ?? new Float32Array(n);
  const { gain, baseline, invalidValue } = signal;
  const g = gain === 0 ? 200 : gain; // WFDB: gain 0 means the default, 200 adu per physical unit
  const s = signal.samples;
  if (invalidValue === undefined) {
    for (let i = 0; i < n; i++) res[i] = (s[i] - baseline) / g;
  } else {
    for (let i = 0; i < n; i++) res[i] = s[i] === invalidValue ? NaN : (s[i] - baseline) / g;
  }
  return res;
}
