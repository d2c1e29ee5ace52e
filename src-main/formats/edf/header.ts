/**
 * EDF / EDF+ header (https://www.edfplus.info/specs/edf.html, edfplus.html): a 256-byte fixed part followed by
 * ns × 256 bytes of signal fields, all space-padded ASCII, stored field-major (all labels, then all
 * transducers, …). This module parses and validates it; it never touches the data records.
 *
 * Why not edf-parser's `ParseEdfHeader` (our listed dependency): it decodes text as Node's 'ascii', which clears
 * the high bit of every byte (a patient name in Latin-1 or UTF-8 comes out garbled), builds the start date with
 * a zero-based month from a one-based field (every date is one month late) in local time, and uses `parseInt`,
 * which accepts `12abc` as 12. Its signal-header parser only exists inside its stream transform. The reader
 * needs strict, named errors and visible warnings for vendor deviations, so the header is parsed here; the
 * package is used in the tests as an independent decoder (tests/formats/edf/edf.test.ts).
 */
import { FormatError } from '../errors.js';

export const EDF_FIXED_HEADER_BYTES = 256;
/** More signals than this is not an ECG file but a corrupt header (the field allows 9999). */
export const MAX_EDF_SIGNALS = 512;
/** A data record larger than this cannot be sensible (the spec recommends < 61,440 bytes). */
export const MAX_EDF_RECORD_BYTES = 64 * 1024 * 1024;

export interface EdfSignalHeader {
  label: string;
  transducer: string;
  physicalDimension: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  prefiltering: string;
  samplesPerRecord: number;
  reserved: string;
  /** `EDF Annotations` (EDF+ TAL channel). */
  isAnnotation: boolean;
  /** Byte offset of this signal's samples inside a data record. */
  recordOffset: number;
}

export interface EdfHeader {
  version: string;
  patient: string;
  recording: string;
  /** Start from the dd.mm.yy / hh.mm.ss fields (EDF+ `Startdate dd-MMM-yyyy` gives the century); UTC. */
  startTime: Date | null;
  headerBytes: number;
  reserved: string;
  /** EDF+ continuity from the reserved field: `C`ontinuous, `D`iscontinuous, or null for plain EDF. */
  plus: 'C' | 'D' | null;
  /** Number of data records as declared (-1 = unknown). */
  declaredRecords: number;
  recordDuration: number;
  signals: EdfSignalHeader[];
  /** Bytes of one data record (2 × total samples per record). */
  recordBytes: number;
  warnings: string[];
}

function text(bytes: Uint8Array, from: number, len: number): string {
  let s = '';
  for (let i = from; i < from + len; i++) s += String.fromCharCode(bytes[i]);
  return s.trim();
}

function hasNonAscii(bytes: Uint8Array, from: number, len: number): boolean {
  for (let i = from; i < from + len; i++) if (bytes[i] > 126 || (bytes[i] < 32 && bytes[i] !== 0)) return true;
  return false;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function int(file: string, value: string, what: string, _warnings?: string[]): number {
  if (!INT.test(value)) throw new FormatError(file, `EDF header field ${what} is not an integer: '${value}'`);
  return Number(value);
}

function float(file: string, value: string, what: string, warnings: string[]): number {
  if (FLOAT.test(value)) return Number(value);
  // Some vendors write a decimal comma.
  if (FLOAT.test(value.replace(',', '.'))) {
    warnings.push(`EDF header field ${what} uses a decimal comma ('${value}')`);
    return Number(value.replace(',', '.'));
  }
  throw new FormatError(file, `EDF header field ${what} is not a number: '${value}'`);
}

/** Validate the 256-byte fixed part and return the total header size it announces. */
export function edfHeaderSize(file: string, fixed: Uint8Array): { ns: number; headerBytes: number } {
  if (fixed.length < EDF_FIXED_HEADER_BYTES) {
    throw new FormatError(file, `file is ${fixed.length} bytes, shorter than the 256-byte EDF header`);
  }
  const ns = int(file, text(fixed, 252, 4), 'number of signals (bytes 252-255)');
  if (ns < 1 || ns > MAX_EDF_SIGNALS) {
    throw new FormatError(file, `EDF header declares ${ns} signals; expected 1..${MAX_EDF_SIGNALS}`);
  }
  const headerBytes = int(file, text(fixed, 184, 8), 'number of header bytes (bytes 184-191)');
  if (headerBytes !== 256 * (ns + 1)) {
    throw new FormatError(file, `EDF header says it is ${headerBytes} bytes long, but ${ns} signals need 256 × (${ns} + 1) = ${256 * (ns + 1)}`);
  }
  return { ns, headerBytes };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function startTime(date: string, time: string, recording: string, warnings: string[]): Date | null {
  const d = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(date);
  const t = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(time);
  if (!d || !t) {
    warnings.push(`start date/time fields are malformed ('${date}' '${time}'); start time unknown`);
    return null;
  }
  const yy = Number(d[3]);
  let year = yy >= 85 ? 1900 + yy : 2000 + yy;
  // EDF+: `Startdate 02-MAR-2002 …` carries the full year (needed after 2084, when the yy field reads 'yy').
  const plus = /^Startdate (\d\d)-([A-Z]{3})-(\d{4})\b/i.exec(recording);
  if (plus && MONTHS.includes(plus[2].toUpperCase())) year = Number(plus[3]);
  const [day, month, h, m, s] = [Number(d[1]), Number(d[2]), Number(t[1]), Number(t[2]), Number(t[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 23 || m > 59 || s > 59) {
    warnings.push(`start date/time '${date} ${time}' is not a valid date; start time unknown`);
    return null;
  }
  return new Date(Date.UTC(year, month - 1, day, h, m, s));
}

/** Parse the full header (`bytes` holds at least `headerBytes` bytes as returned by edfHeaderSize). */
export function parseEdfHeader(file: string, bytes: Uint8Array): EdfHeader {
  const { ns, headerBytes } = edfHeaderSize(file, bytes);
  if (bytes.length < headerBytes) {
    throw new FormatError(file, `file is ${bytes.length} bytes, shorter than its ${headerBytes}-byte EDF header (${ns} signals)`);
  }
  const warnings: string[] = [];
  const version = text(bytes, 0, 8);
  if (version !== '0') warnings.push(`EDF version field is '${version}', not '0'`);
  const patient = text(bytes, 8, 80);
  const recording = text(bytes, 88, 80);
  const reserved = text(bytes, 192, 44);
  let plus: 'C' | 'D' | null = null;
  if (reserved.startsWith('EDF+C')) plus = 'C';
  else if (reserved.startsWith('EDF+D')) plus = 'D';
  else if (/^EDF\s*\+\s*C/i.test(reserved)) { plus = 'C'; warnings.push(`reserved field reads '${reserved}' instead of 'EDF+C'; taken as EDF+C`); }
  else if (/^EDF\s*\+\s*D/i.test(reserved)) { plus = 'D'; warnings.push(`reserved field reads '${reserved}' instead of 'EDF+D'; taken as EDF+D`); }
  const declaredRecords = int(file, text(bytes, 236, 8), 'number of data records (bytes 236-243)');
  if (declaredRecords < -1) throw new FormatError(file, `EDF header declares ${declaredRecords} data records`);
  const recordDuration = float(file, text(bytes, 244, 8), 'duration of a data record (bytes 244-251)', warnings);
  if (!(recordDuration >= 0) || !Number.isFinite(recordDuration)) {
    throw new FormatError(file, `EDF data record duration is ${recordDuration} s`);
  }
  const nonAscii: string[] = [];
  if (hasNonAscii(bytes, 8, 80)) nonAscii.push('patient');
  if (hasNonAscii(bytes, 88, 80)) nonAscii.push('recording');

  // Signal fields are stored field by field: ns labels (16 bytes each), then ns transducers (80), …
  const widths = [16, 80, 8, 8, 8, 8, 8, 80, 8, 32];
  const fieldStart: number[] = [];
  let p = 256;
  for (const w of widths) { fieldStart.push(p); p += w * ns; }
  const field = (f: number, i: number): string => text(bytes, fieldStart[f] + i * widths[f], widths[f]);
  const signals: EdfSignalHeader[] = [];
  let offset = 0;
  for (let i = 0; i < ns; i++) {
    const label = field(0, i);
    const what = (name: string): string => `${name} of signal ${i} ('${label}')`;
    if (hasNonAscii(bytes, fieldStart[0] + i * 16, 16)) nonAscii.push(`label of signal ${i}`);
    const samplesPerRecord = int(file, field(8, i), what('samples per data record'));
    if (samplesPerRecord < 0) throw new FormatError(file, `${what('samples per data record')} is negative (${samplesPerRecord})`);
    const isAnnotation = label === 'EDF Annotations';
    // Ranges are parsed leniently here; the reader decides per signal (annotation channels have no meaningful range).
    const num = (f: number, name: string, parse: typeof float): number => {
      try { return parse(file, field(f, i), what(name), warnings); } catch (e) { if (isAnnotation) return NaN; throw e; }
    };
    signals.push({
      label,
      transducer: field(1, i),
      physicalDimension: field(2, i),
      physicalMin: num(3, 'physical minimum', float),
      physicalMax: num(4, 'physical maximum', float),
      digitalMin: num(5, 'digital minimum', int),
      digitalMax: num(6, 'digital maximum', int),
      prefiltering: field(7, i),
      samplesPerRecord,
      reserved: field(9, i),
      isAnnotation,
      recordOffset: offset,
    });
    offset += 2 * samplesPerRecord;
  }
  if (nonAscii.length > 0) warnings.push(`non-ASCII characters in ${nonAscii.join(', ')} (read as Latin-1)`);
  const recordBytes = offset;
  if (recordBytes === 0) throw new FormatError(file, 'EDF header declares 0 samples per data record in every signal');
  if (recordBytes > MAX_EDF_RECORD_BYTES) {
    throw new FormatError(file, `EDF data records would be ${recordBytes} bytes each, more than the ${MAX_EDF_RECORD_BYTES} this reader accepts`);
  }
  const hasAnnotations = signals.some((s) => s.isAnnotation);
  if (plus === null && hasAnnotations) {
    warnings.push(`file has an 'EDF Annotations' signal but its reserved field ('${reserved}') does not say EDF+C or EDF+D; read as EDF+C`);
    plus = 'C';
  }
  return {
    version,
    patient,
    recording,
    startTime: startTime(text(bytes, 168, 8), text(bytes, 176, 8), recording, warnings),
    headerBytes,
    reserved,
    plus,
    declaredRecords,
    recordDuration,
    signals,
    recordBytes,
    warnings,
  };
}
