/**
 * WFDB header (`.hea`) parser, following https://physionet.org/physiotools/wag/header-5.htm line type by line
 * type. Lines may end in CRLF (as PhysioNet ships MIT-BIH) or LF; `#` starts a comment.
 */
import { FormatError } from '../errors.js';
import { WFDB_FORMATS, type WfdbFormat } from './signal-formats.js';

export interface WfdbSignalSpec {
  fileName: string;
  format: WfdbFormat;
  samplesPerFrame: number;
  skew: number;
  byteOffset: number;
  gain: number;
  baseline: number;
  units: string;
  adcResolution: number;
  adcZero: number;
  initialValue: number;
  checksum: number | undefined;
  blockSize: number;
  description: string;
}

export interface WfdbHeader {
  recordName: string;
  numberOfSegments: number | undefined;
  numberOfSignals: number;
  samplingFrequency: number;
  counterFrequency: number | undefined;
  baseCounter: number | undefined;
  numberOfSamples: number | undefined;
  baseTime: string | undefined;
  baseDate: string | undefined;
  signals: WfdbSignalSpec[];
  comments: string[];
}

const DEFAULT_FS = 250;
const DEFAULT_GAIN = 200;

function num(file: string, line: number, field: string, text: string, integer = false): number {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new FormatError(file, `line ${line}: ${field} must be ${integer ? 'an integer' : 'a number'}, found '${text}'`);
  }
  return v;
}

export function parseWfdbHeader(file: string, text: string): WfdbHeader {
  const comments: string[] = [];
  const lines: { no: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    if (hash >= 0) {
      const c = raw.slice(hash + 1).trim();
      if (c) comments.push(c);
    }
    const t = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (t) lines.push({ no: i + 1, text: t });
  });
  if (lines.length === 0) throw new FormatError(file, 'header has no record line (empty or only comments)');

  // Record line: recname[/nseg] nsig [fs[/counterfreq[(basecounter)]] [nsamp [basetime [basedate]]]]
  const rec = lines[0];
  const f = rec.text.split(/\s+/);
  const [recordName, segText] = f[0].split('/');
  if (!/^[\w-]+$/.test(recordName)) throw new FormatError(file, `line ${rec.no}: invalid record name '${f[0]}'`);
  const numberOfSegments = segText !== undefined ? num(file, rec.no, 'number of segments', segText, true) : undefined;
  if (f.length < 2) throw new FormatError(file, `line ${rec.no}: record line lacks the number of signals`);
  const numberOfSignals = num(file, rec.no, 'number of signals', f[1], true);
  if (numberOfSignals < 0) throw new FormatError(file, `line ${rec.no}: negative number of signals ${numberOfSignals}`);
  let samplingFrequency = DEFAULT_FS;
  let counterFrequency: number | undefined;
  let baseCounter: number | undefined;
  if (f[2] !== undefined) {
    const m = /^([^/]+)(?:\/([^(]+)(?:\(([^)]*)\))?)?$/.exec(f[2]);
    if (!m) throw new FormatError(file, `line ${rec.no}: cannot read sampling frequency '${f[2]}'`);
    samplingFrequency = num(file, rec.no, 'sampling frequency', m[1]);
    if (m[2] !== undefined) counterFrequency = num(file, rec.no, 'counter frequency', m[2]);
    if (m[3] !== undefined) baseCounter = num(file, rec.no, 'base counter', m[3]);
  }
  if (!(samplingFrequency > 0)) throw new FormatError(file, `line ${rec.no}: sampling frequency must be positive, found ${samplingFrequency}`);
  const numberOfSamples = f[3] !== undefined ? num(file, rec.no, 'number of samples', f[3], true) : undefined;
  if (numberOfSamples !== undefined && numberOfSamples < 0) throw new FormatError(file, `line ${rec.no}: negative number of samples`);
  const baseTime = f[4];
  const baseDate = f[5];

  if (numberOfSegments !== undefined) {
    return { recordName, numberOfSegments, numberOfSignals, samplingFrequency, counterFrequency, baseCounter, numberOfSamples, baseTime, baseDate, signals: [], comments };
  }

  // Signal lines: filename format[xsamp][:skew][+offset] [gain[(baseline)][/units] [adcres [adczero [initval [checksum [blocksize [description]]]]]]]
  const signals: WfdbSignalSpec[] = [];
  if (lines.length - 1 < numberOfSignals) {
    throw new FormatError(file, `record line declares ${numberOfSignals} signals but the header has ${lines.length - 1} signal lines`);
  }
  for (let s = 0; s < numberOfSignals; s++) {
    const { no, text: t } = lines[1 + s];
    const g = t.split(/\s+/);
    if (g.length < 2) throw new FormatError(file, `line ${no}: signal line lacks the storage format`);
    const fm = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(g[1]);
    if (!fm) throw new FormatError(file, `line ${no}: cannot read storage format '${g[1]}'`);
    const code = Number(fm[1]);
    const format = WFDB_FORMATS.get(code);
    if (!format) throw new FormatError(file, `line ${no}: signal format ${code} is not supported (supported: ${[...WFDB_FORMATS.keys()].join(', ')})`);
    const samplesPerFrame = fm[2] !== undefined ? Number(fm[2]) : 1;
    const skew = fm[3] !== undefined ? Number(fm[3]) : 0;
    const byteOffset = fm[4] !== undefined ? Number(fm[4]) : 0;
    let gain = DEFAULT_GAIN;
    let baseline: number | undefined;
    let units = 'mV';
    if (g[2] !== undefined) {
      const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.+))?$/.exec(g[2]);
      if (!gm) throw new FormatError(file, `line ${no}: cannot read ADC gain '${g[2]}'`);
      gain = num(file, no, 'ADC gain', gm[1]);
      if (gm[2] !== undefined) baseline = num(file, no, 'baseline', gm[2], true);
      if (gm[3] !== undefined) units = gm[3];
      if (gain === 0) gain = DEFAULT_GAIN; // "a gain of 0 means uncalibrated; use the default 200"
    }
    const adcResolution = g[3] !== undefined ? num(file, no, 'ADC resolution', g[3], true) : format.bits;
    const adcZero = g[4] !== undefined ? num(file, no, 'ADC zero', g[4], true) : 0;
    const initialValue = g[5] !== undefined ? num(file, no, 'initial value', g[5], true) : adcZero;
    const checksum = g[6] !== undefined ? num(file, no, 'checksum', g[6], true) : undefined;
    const blockSize = g[7] !== undefined ? num(file, no, 'block size', g[7], true) : 0;
    const description = g.slice(8).join(' ') || `signal ${s}`;
    signals.push({
      fileName: g[0], format, samplesPerFrame, skew, byteOffset, gain,
      baseline: baseline ?? adcZero, units, adcResolution, adcZero: adcZero, initialValue, checksum, blockSize, description,
    });
  }
  return { recordName, numberOfSegments, numberOfSignals, samplingFrequency, counterFrequency, baseCounter, numberOfSamples, baseTime, baseDate, signals, comments };
}

/** WFDB base time `HH:MM:SS[.sss]` and date `DD/MM/YYYY` → Date (UTC, since WFDB records carry no zone). */
export function wfdbStartTime(h: WfdbHeader): Date | null {
  if (!h.baseTime) return null;
  const t = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/.exec(h.baseTime);
  if (!t) return null;
  const d = h.baseDate ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(h.baseDate) : null;
  const sec = Number(t[3] ?? 0);
  const ms = Date.UTC(d ? Number(d[3]) : 1970, d ? Number(d[2]) - 1 : 0, d ? Number(d[1]) : 1, Number(t[1]), Number(t[2]), Math.floor(sec), Math.round((sec % 1) * 1000));
  return d ? new Date(ms) : null;
}
