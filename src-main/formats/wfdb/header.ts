/**
 * WFDB header (`.hea`) parser, following https://physionet.org/physiotools/wag/header-5.htm line type by line
 * type. Lines may end in CRLF (as PhysioNet ships MIT-BIH) or LF; `#` starts a comment ("info string").
 *
 * A header holds, in order: one record line; then either one segment line per segment (multi-segment
 * records, record line `name/nseg`) or one signal line per signal; then any number of info strings.
 */
import { FormatError } from '../errors.js';
import { WFDB_FORMATS, type WfdbFormat } from './signal-formats.js';

export interface WfdbSignalSpec {
  /** Signal file name relative to the header's directory; `~` means a null signal (no file, all missing). */
  fileName: string;
  format: WfdbFormat;
  /** Samples of this signal in each frame (> 1 in multi-frequency records). */
  samplesPerFrame: number;
  /** Frames by which this signal is delayed in its file: sample i is stored in frame i + skew. */
  skew: number;
  /** Bytes to skip at the start of the signal file (a preamble the file's writer left there). */
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

export interface WfdbSegmentSpec {
  /** Segment record name (its header is `<name>.hea` beside the master header), or `~` for a null segment. */
  name: string;
  /** Samples per signal (frames) in the segment; 0 marks the layout segment of a variable-layout record. */
  numberOfSamples: number;
}

export interface WfdbHeader {
  recordName: string;
  numberOfSegments: number | undefined;
  numberOfSignals: number;
  /** Frames per second (each signal has samplesPerFrame samples in a frame). */
  samplingFrequency: number;
  counterFrequency: number | undefined;
  baseCounter: number | undefined;
  /** Frames per signal; undefined when the header leaves it out (then the file size decides). */
  numberOfSamples: number | undefined;
  baseTime: string | undefined;
  baseDate: string | undefined;
  /** Signal lines; empty for a multi-segment master header. */
  signals: WfdbSignalSpec[];
  /** Segment lines of a multi-segment master header; empty otherwise. */
  segments: WfdbSegmentSpec[];
  comments: string[];
}

const DEFAULT_FS = 250;
const DEFAULT_GAIN = 200;

/** Header text echoed in an error message: printable, and short even when the line is junk. */
function quote(text: string): string {
  const t = text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${t.length > 60 ? `${t.slice(0, 60)}…` : t}'`;
}

/** A number field: the whole token must be a number (`Number('')` and `Number(' ')` are 0, so guard them). */
function num(file: string, line: number, field: string, text: string, integer = false): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new FormatError(file, `line ${line}: ${field} must be ${integer ? 'an integer' : 'a number'}, found ${quote(text)}`);
  }
  return v;
}

/** Split a line into its first `n` whitespace-separated fields and the verbatim rest (descriptions keep spaces). */
function fields(text: string, n: number): { f: string[]; rest: string } {
  const f: string[] = [];
  let p = 0;
  while (f.length < n) {
    while (p < text.length && (text[p] === ' ' || text[p] === '\t')) p++;
    if (p >= text.length) break;
    const start = p;
    while (p < text.length && text[p] !== ' ' && text[p] !== '\t') p++;
    f.push(text.slice(start, p));
  }
  while (p < text.length && (text[p] === ' ' || text[p] === '\t')) p++;
  return { f, rest: text.slice(p) };
}

export function parseWfdbHeader(file: string, text: string): WfdbHeader {
  // A header is text: control characters other than tab, CR, LF, VT and FF mean a binary file was given.
  const ctl = /[\x00-\x08\x0e-\x1f\x7f]/.exec(text);
  if (ctl) {
    throw new FormatError(file, `byte 0x${ctl[0].charCodeAt(0).toString(16).padStart(2, '0')} at offset ${ctl.index} is a control character: this is binary data, not a WFDB header`);
  }
  const comments: string[] = [];
  const lines: { no: number; text: string }[] = [];
  // Lines end in LF, CRLF or (old Macintosh files) CR alone.
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
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
  const { f } = fields(rec.text, 6);
  const [recordName, segText, ...extraSlash] = f[0].split('/');
  if (!/^[\w.-]+$/.test(recordName) || extraSlash.length > 0) throw new FormatError(file, `line ${rec.no}: invalid record name ${quote(f[0])}`);
  const numberOfSegments = segText !== undefined ? num(file, rec.no, 'number of segments', segText, true) : undefined;
  if (numberOfSegments !== undefined && numberOfSegments < 1) throw new FormatError(file, `line ${rec.no}: number of segments must be at least 1, found ${numberOfSegments}`);
  if (f.length < 2) throw new FormatError(file, `line ${rec.no}: record line lacks the number of signals`);
  const numberOfSignals = num(file, rec.no, 'number of signals', f[1], true);
  if (numberOfSignals < 0) throw new FormatError(file, `line ${rec.no}: negative number of signals ${numberOfSignals}`);
  let samplingFrequency = DEFAULT_FS;
  let counterFrequency: number | undefined;
  let baseCounter: number | undefined;
  if (f[2] !== undefined) {
    const m = /^([^/]+)(?:\/([^(]+)(?:\(([^)]*)\))?)?$/.exec(f[2]);
    if (!m) throw new FormatError(file, `line ${rec.no}: cannot read sampling frequency ${quote(f[2])}`);
    samplingFrequency = num(file, rec.no, 'sampling frequency', m[1]);
    if (m[2] !== undefined) counterFrequency = num(file, rec.no, 'counter frequency', m[2]);
    if (m[3] !== undefined) baseCounter = num(file, rec.no, 'base counter', m[3]);
  }
  if (!(samplingFrequency > 0)) throw new FormatError(file, `line ${rec.no}: sampling frequency must be positive, found ${samplingFrequency}`);
  const numberOfSamples = f[3] !== undefined ? num(file, rec.no, 'number of samples', f[3], true) : undefined;
  if (numberOfSamples !== undefined && numberOfSamples < 0) throw new FormatError(file, `line ${rec.no}: negative number of samples ${numberOfSamples}`);
  const baseTime = f[4];
  const baseDate = f[5];
  const base = { recordName, numberOfSegments, numberOfSignals, samplingFrequency, counterFrequency, baseCounter, numberOfSamples, baseTime, baseDate, comments };

  if (numberOfSegments !== undefined) {
    // Segment lines: segname nsamp — one per segment; `~` is a null segment (a gap of nsamp missing samples).
    if (lines.length - 1 < numberOfSegments) {
      throw new FormatError(file, `record line declares ${numberOfSegments} segments but the header has ${lines.length - 1} segment lines`);
    }
    const segments: WfdbSegmentSpec[] = [];
    for (let s = 0; s < numberOfSegments; s++) {
      const { no, text: t } = lines[1 + s];
      const { f: g } = fields(t, 3);
      if (g.length !== 2) throw new FormatError(file, `line ${no}: segment line must be 'name samples', found ${quote(t)}`);
      if (g[0] !== '~' && !/^[\w.-]+$/.test(g[0])) throw new FormatError(file, `line ${no}: invalid segment name ${quote(g[0])}`);
      const n = num(file, no, 'segment length', g[1], true);
      if (n < 0) throw new FormatError(file, `line ${no}: negative segment length ${n}`);
      if (n === 0 && s !== 0) throw new FormatError(file, `line ${no}: only the first segment (the layout segment) may have length 0`);
      segments.push({ name: g[0], numberOfSamples: n });
    }
    return { ...base, signals: [], segments };
  }

  // Signal lines: filename format[xspf][:skew][+offset] [gain[(baseline)][/units] [adcres [adczero [initval [checksum [blocksize [description]]]]]]]
  const signals: WfdbSignalSpec[] = [];
  if (lines.length - 1 < numberOfSignals) {
    throw new FormatError(file, `record line declares ${numberOfSignals} signals but the header has ${lines.length - 1} signal lines`);
  }
  for (let s = 0; s < numberOfSignals; s++) {
    const { no, text: t } = lines[1 + s];
    const { f: g, rest } = fields(t, 8);
    if (g.length < 2) throw new FormatError(file, `line ${no}: signal line lacks the storage format`);
    const fileName = g[0];
    // format[xsamples per frame][:skew][+byte offset]
    const fm = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(g[1]);
    if (!fm) throw new FormatError(file, `line ${no}: cannot read storage format ${quote(g[1])}`);
    const code = Number(fm[1]);
    const format = WFDB_FORMATS.get(code);
    if (!format) throw new FormatError(file, `line ${no}: signal format ${code} is not supported (supported: ${[...WFDB_FORMATS.keys()].join(', ')})`);
    const samplesPerFrame = fm[2] !== undefined ? Number(fm[2]) : 1;
    if (samplesPerFrame < 1 || samplesPerFrame > 1024) throw new FormatError(file, `line ${no}: samples per frame must be 1..1024, found ${samplesPerFrame}`);
    const skew = fm[3] !== undefined ? Number(fm[3]) : 0;
    if (skew > 1_000_000) throw new FormatError(file, `line ${no}: skew of ${skew} frames is implausible`);
    const byteOffset = fm[4] !== undefined ? Number(fm[4]) : 0;
    if (!Number.isSafeInteger(byteOffset)) throw new FormatError(file, `line ${no}: byte offset ${fm[4]} is too large`);
    // ADC gain[(baseline)][/units]; a gain of 0 means uncalibrated, read as the default 200.
    let gain = DEFAULT_GAIN;
    let baseline: number | undefined;
    let units = 'mV';
    if (g[2] !== undefined) {
      const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.+))?$/.exec(g[2]);
      if (!gm) throw new FormatError(file, `line ${no}: cannot read ADC gain ${quote(g[2])}`);
      gain = num(file, no, 'ADC gain', gm[1]);
      if (gm[2] !== undefined) baseline = num(file, no, 'baseline', gm[2], true);
      if (gm[3] !== undefined) units = gm[3];
      if (gain === 0) gain = DEFAULT_GAIN;
    }
    // ADC resolution defaults to the format's bits; ADC zero to 0; initial value to ADC zero; baseline to ADC zero.
    const adcResolution = g[3] !== undefined ? num(file, no, 'ADC resolution', g[3], true) : format.bits;
    const adcZero = g[4] !== undefined ? num(file, no, 'ADC zero', g[4], true) : 0;
    const initialValue = g[5] !== undefined ? num(file, no, 'initial value', g[5], true) : adcZero;
    const checksum = g[6] !== undefined ? num(file, no, 'checksum', g[6], true) : undefined;
    const blockSize = g[7] !== undefined ? num(file, no, 'block size', g[7], true) : 0;
    const description = rest || `signal ${s}`;
    signals.push({
      fileName, format, samplesPerFrame, skew, byteOffset, gain,
      baseline: baseline ?? adcZero, units, adcResolution, adcZero, initialValue, checksum, blockSize, description,
    });
  }
  return { ...base, signals, segments: [] };
}

/** WFDB base time `HH:MM:SS[.sss]` and date `DD/MM/YYYY` → Date (UTC, since WFDB records carry no zone). */
export function wfdbStartTime(h: WfdbHeader): Date | null {
  if (!h.baseTime) return null;
  const t = /^\[?(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/.exec(h.baseTime);
  if (!t) return null;
  const d = h.baseDate ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})\]?$/.exec(h.baseDate) : null;
  const sec = Number(t[3] ?? 0);
  const ms = Date.UTC(d ? Number(d[3]) : 1970, d ? Number(d[2]) - 1 : 0, d ? Number(d[1]) : 1, Number(t[1]), Number(t[2]), Math.floor(sec), Math.round((sec % 1) * 1000));
  return d ? new Date(ms) : null;
}
