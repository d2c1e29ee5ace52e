/**
 * CSV / TSV importer: an optional time column plus one column per lead, streamed in 1 MB chunks and parsed
 * line by line (the text is never held whole; each lead grows in Int32 chunks).
 *
 *  - Delimiter: the most frequent of tab, semicolon and comma in the first data line. With semicolons or
 *    tabs, a decimal comma (`0,125`) is accepted.
 *  - Header row: optional; present when the first line has a cell that is neither a number nor a time.
 *    A lead header may carry units: `MLII (mV)` or `MLII [uV]` (default units: mV).
 *  - Time column: a header named time, t, sec, seconds, timestamp or elapsed time (optionally with units),
 *    or — without a header — a first column of `hh:mm:ss.fff` values. Values are seconds or
 *    `[hh:]mm:ss[.fff]` (a clock wrapping past midnight is unwrapped).
 *  - Sampling rate: options.fs when given, else inferred from the time column, which must then be uniform:
 *    every time within half a sample period of t0 + i/fs, or the error names the first line that is not.
 *  - Digital representation: each lead stores round(value × 10^d) as Int32 with gain 10^d and baseline 0,
 *    where d is the largest number of decimals any of the lead's cells has (at most 6), so toPhysical gives
 *    back the file's values. Empty, NaN and NA cells become invalid samples (invalidValue -2^31), counted
 *    in info.warnings.
 */
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Annotation } from '../../domain/annotation.js';
import type { Recording, RecordingInfo, RecordingSource, SampleWindow, SignalInfo } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { fileSize } from '../file.js';

export interface CsvOptions {
  /** Sampling rate in Hz; required when the file has no time column. */
  fs?: number;
}

export const CSV_INVALID = -2147483648;
const MAX_DECIMALS = 6;
const CHUNK = 1 << 16;
const TIME_NAME = /^(time|t|sec|secs|seconds|timestamp|elapsed[ _]?time)\s*([[(].*[\])])?$/i;
const CLOCK = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MISSING = /^(|nan|na|n\/a|null|-)$/i;

/** Growable Int32 / Float64 storage in fixed chunks (no re-copy while growing). */
class Chunked<T extends Int32Array | Float64Array> {
  chunks: T[] = [];
  length = 0;
  constructor(private readonly make: (n: number) => T) {}
  push(v: number): void {
    const k = this.length % CHUNK;
    if (k === 0) this.chunks.push(this.make(CHUNK));
    this.chunks[this.chunks.length - 1][k] = v;
    this.length++;
  }
  get(i: number): number {
    return this.chunks[Math.floor(i / CHUNK)][i % CHUNK];
  }
  toArray(): T {
    const out = this.make(this.length);
    let p = 0;
    for (const c of this.chunks) {
      const take = Math.min(CHUNK, this.length - p);
      out.set(c.subarray(0, take) as never, p);
      p += take;
    }
    this.chunks = [];
    return out;
  }
}

interface Lead {
  name: string;
  units: string;
  column: number;
  decimals: number;
  maxAbs: number;
  invalid: number;
  precisionCapped: boolean;
  values: Chunked<Int32Array>;
}

/**
 * Decimals of a plain number (`-12.345`, `1e-3`, `.5`), or -1 when `s` is not one: the same language as the
 * NUMBER pattern, scanned by hand because this runs once per cell.
 */
export function scanNumber(s: string): number {
  const n = s.length;
  let i = 0;
  let ch = n > 0 ? s.charCodeAt(0) : 0;
  if (ch === 43 || ch === 45) i++;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < n; i++) {
    ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) { digits++; if (dot) frac++; }
    else if (ch === 46 && !dot) dot = true;
    else break;
  }
  if (digits === 0) return -1;
  if (i === n) return frac;
  if (ch !== 101 && ch !== 69) return -1;
  i++;
  let sign = 1;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) { if (s.charCodeAt(i) === 45) sign = -1; i++; }
  let exp = 0;
  let expDigits = 0;
  for (; i < n; i++) {
    ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return -1;
    exp = Math.min(1e6, exp * 10 + (ch - 48));
    expDigits++;
  }
  if (expDigits === 0) return -1;
  return Math.max(0, frac - sign * exp);
}

function unquote(c: string): string {
  const n = c.length;
  // Fast path: nothing to trim or unquote.
  if (n > 0 && c.charCodeAt(0) > 32 && c.charCodeAt(n - 1) > 32 && c.charCodeAt(0) !== 34) return c;
  const t = c.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function parseClock(s: string): number | undefined {
  const m = CLOCK.exec(s);
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function splitName(h: string): { name: string; units: string } {
  const m = /^(.*?)\s*[[(]\s*([^\])]*)\s*[\])]$/.exec(h);
  return m && m[1] ? { name: m[1], units: m[2] } : { name: h, units: 'mV' };
}

export async function openCsvRecording(path: string, options: CsvOptions = {}): Promise<RecordingSource> {
  const size = await fileSize(path, 'a CSV file');
  if (size === 0) throw new FormatError(path, 'file is empty');
  if (options.fs !== undefined && !(options.fs > 0 && Number.isFinite(options.fs))) {
    throw new FormatError(path, `sampling rate ${options.fs} is not a positive number`);
  }

  const warnings: string[] = [];
  let delimiter: string | undefined;
  let ncols = 0;
  let timeCol = -1;
  let leads: Lead[] = [];
  let times: Chunked<Float64Array> | undefined;
  // Line numbers for error messages without storing one per row: the first data row's line, plus the rows
  // before which a blank or comment line was skipped.
  let firstDataLine = 0;
  const skippedBeforeRow: number[] = [];
  let dayOffset = 0;
  let lastTime = -Infinity;
  let rows = 0;
  let lineNo = 0;

  const onLine = (raw: string): void => {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    const c0 = line.charCodeAt(0);
    if (line.length === 0 || c0 === 35 /* # */ || (c0 <= 32 && line.trim() === '')) {
      if (rows > 0) skippedBeforeRow.push(rows);
      return;
    }
    if (line.includes('\0')) throw new FormatError(path, `line ${lineNo}: binary data (NUL byte); not a CSV file`);
    if (delimiter === undefined) {
      const count = (ch: string): number => line.split(ch).length - 1;
      const c = [['\t', count('\t')], [';', count(';')], [',', count(',')]] as const;
      const best = c.reduce((a, b) => (b[1] > a[1] ? b : a));
      delimiter = best[1] > 0 ? best[0] : ',';
      const cells = line.split(delimiter).map(unquote);
      if (cells.length > 1 && cells[cells.length - 1] === '') cells.pop();
      ncols = cells.length;
      const isValue = (c: string): boolean => MISSING.test(c) || NUMBER.test(c) || CLOCK.test(c) || (delimiter !== ',' && NUMBER.test(c.replace(',', '.')));
      const header = cells.some((c) => !isValue(c));
      if (header) {
        timeCol = cells.findIndex((c) => TIME_NAME.test(c));
      } else if (CLOCK.test(cells[0]) && ncols > 1) {
        timeCol = 0;
      }
      leads = cells.flatMap((c, i) => {
        if (i === timeCol) return [];
        const { name, units } = header ? splitName(c) : { name: `ECG${i + (timeCol >= 0 ? 0 : 1)}`, units: 'mV' };
        return [{ name, units, column: i, decimals: 0, maxAbs: 0, invalid: 0, precisionCapped: false, values: new Chunked((n) => new Int32Array(n)) }];
      });
      if (leads.length === 0) throw new FormatError(path, `line ${lineNo}: no signal column (only a time column)`);
      if (timeCol >= 0) {
        times = new Chunked((n) => new Float64Array(n));
      }
      if (header) return;
    }
    const cells = line.split(delimiter);
    if (cells.length === ncols + 1 && cells[ncols].trim() === '') cells.pop();
    if (cells.length !== ncols) {
      throw new FormatError(path, `line ${lineNo}: has ${cells.length} cells, expected ${ncols} (delimiter '${delimiter === '\t' ? '\\t' : delimiter}')`);
    }
    if (rows === 0) firstDataLine = lineNo;
    if (times) {
      const c = unquote(cells[timeCol]);
      let t = scanNumber(c) >= 0 ? Number(c) : parseClock(c);
      if (t === undefined || !Number.isFinite(t)) throw new FormatError(path, `line ${lineNo}: time '${c.slice(0, 40)}' is neither seconds nor hh:mm:ss.fff`);
      if (t + dayOffset < lastTime - 43200 && CLOCK.test(c)) dayOffset += 86400; // clock passed midnight
      t += dayOffset;
      lastTime = t;
      times.push(t);
    }
    for (const lead of leads) {
      let c = unquote(cells[lead.column]);
      let d = scanNumber(c);
      if (d < 0) {
        if (MISSING.test(c)) { lead.values.push(CSV_INVALID); lead.invalid++; continue; }
        const dc = c.replace(',', '.');
        d = delimiter !== ',' ? scanNumber(dc) : -1;
        if (d < 0) throw new FormatError(path, `line ${lineNo}, column '${lead.name}': '${c.slice(0, 40)}' is not a number`);
        c = dc;
      }
      const v = Number(c);
      if (!Number.isFinite(v)) throw new FormatError(path, `line ${lineNo}, column '${lead.name}': '${c.slice(0, 40)}' is out of range`);
      if (d > MAX_DECIMALS) { d = MAX_DECIMALS; lead.precisionCapped = true; }
      if (d > lead.decimals) {
        // Rescale what is stored so far to the finer step, unless that would overflow Int32.
        const f = 10 ** (d - lead.decimals);
        if (lead.maxAbs * f <= 2147483647 && Math.abs(v) * 10 ** d <= 2147483647) {
          for (const ch of lead.values.chunks) for (let i = 0; i < ch.length; i++) if (ch[i] !== CSV_INVALID) ch[i] *= f;
          lead.maxAbs *= f;
          lead.decimals = d;
        } else {
          lead.precisionCapped = true;
        }
      }
      const q = Math.round(v * 10 ** lead.decimals);
      if (!(Math.abs(q) <= 2147483647)) {
        throw new FormatError(path, `line ${lineNo}, column '${lead.name}': value ${c} is too large to store at ${lead.decimals} decimals`);
      }
      if (Math.abs(q) > lead.maxAbs) lead.maxAbs = Math.abs(q);
      lead.values.push(q);
    }
    rows++;
  };

  // Read in 1 MB chunks and split lines by hand: readline's async iterator costs more than the parsing.
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    let rest = '';
    for await (const chunk of input as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        onLine(text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    if (rest !== '') onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  } catch (e) {
    // I/O failures (EACCES, EISDIR…) become FormatErrors; anything else is a bug and keeps its type.
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof FormatError || typeof code !== 'string') throw e;
    throw new FormatError(path, `cannot read file (${code})`, { cause: e });
  } finally {
    input.destroy();
  }
  if (rows === 0) throw new FormatError(path, 'has no data rows');

  let fs = options.fs;
  const lineOf = (row: number): number => {
    let lo = 0;
    let hi = skippedBeforeRow.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (skippedBeforeRow[m] <= row) lo = m + 1; else hi = m; }
    return firstDataLine + row + lo;
  };
  if (times) {
    if (rows < 2) {
      if (fs === undefined) throw new FormatError(path, 'has a single data row; the sampling rate cannot be inferred from its time column');
    } else {
      const t0 = times.get(0);
      const dt = (times.get(rows - 1) - t0) / (rows - 1);
      if (!(dt > 0)) throw new FormatError(path, `time column does not increase (line ${lineOf(0)}: ${t0} s, line ${lineOf(rows - 1)}: ${times.get(rows - 1)} s)`);
      const hz = (x: number): string => String(Number(x.toPrecision(6)));
      // Each step first (names the row where a gap or jump is), then the drift from a constant rate.
      for (let i = 1; i < rows; i++) {
        const step = times.get(i) - times.get(i - 1);
        if (!(step >= 0.5 * dt && step <= 1.5 * dt)) {
          throw new FormatError(path, `time column is not uniform at line ${lineOf(i)}: ${times.get(i)} s comes ${step.toPrecision(4)} s after the previous row, but the file's mean step is ${dt.toPrecision(4)} s (${hz(1 / dt)} Hz)`);
        }
      }
      for (let i = 1; i < rows; i++) {
        const t = times.get(i);
        if (!(Math.abs(t - (t0 + i * dt)) <= 0.5 * dt)) {
          throw new FormatError(path, `time column is not uniform at line ${lineOf(i)}: ${t} s where a constant rate of ${hz(1 / dt)} Hz (from the first and last rows) puts ${(t0 + i * dt).toFixed(6)} s`);
        }
      }
      let inferred = 1 / dt;
      if (Math.abs(inferred - Math.round(inferred)) < 1e-3 * inferred) inferred = Math.round(inferred);
      if (fs === undefined) fs = inferred;
      else if (Math.abs(fs - inferred) > 0.01 * fs) warnings.push(`sampling rate ${fs} Hz was given, but the time column implies ${hz(inferred)} Hz; using ${fs} Hz`);
    }
  }
  if (fs === undefined) {
    throw new FormatError(path, 'has no time column (a header named time, t, seconds or elapsed time) and no sampling rate was given; pass the sampling rate (--fs)');
  }
  for (const l of leads) {
    if (l.invalid > 0) warnings.push(`column '${l.name}': ${l.invalid} of ${rows} samples are empty or NaN (marked invalid)`);
    if (l.precisionCapped) warnings.push(`column '${l.name}': values rounded to ${l.decimals} decimals`);
  }
  const arrays = leads.map((l) => l.values.toArray());
  const signals: SignalInfo[] = leads.map((l) => ({
    name: l.name,
    units: l.units,
    gain: 10 ** l.decimals,
    baseline: 0,
    adcResolution: 32,
    adcZero: 0,
    storage: 'csv',
    invalidValue: CSV_INVALID,
  }));
  const info: RecordingInfo = {
    name: basename(path, extname(path)),
    path,
    format: 'csv',
    fs,
    length: rows,
    startTime: null,
    signals,
    warnings,
    comments: [],
  };
  return {
    info,
    read: async (w?: SampleWindow): Promise<Recording> => {
      const from = w?.from ?? 0;
      const to = w?.to ?? rows;
      const channels = w?.channels ?? signals.map((_, i) => i);
      if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > rows || from > to) {
        throw new FormatError(path, `sample window [${from}, ${to}) is outside the recording's 0..${rows}`);
      }
      for (const c of channels) {
        if (!Number.isInteger(c) || c < 0 || c >= signals.length) throw new FormatError(path, `channel ${c} does not exist (the file has ${signals.length} signal columns)`);
      }
      return { info, from, to, signals: channels.map((c) => ({ ...signals[c], samples: arrays[c].slice(from, to) })) };
    },
    embeddedAnnotations: async (): Promise<Annotation[]> => [],
    close: async () => {},
  };
}
