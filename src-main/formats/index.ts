/**
 * The importer registry: recognise a recording's format from its content (not only its extension — `.ecg` is
 * both the ISHNE Holter extension and a common WFDB annotator name) and open it.
 */
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Annotation } from '../domain/annotation.js';
import type { RecordingFormat, RecordingSource } from '../domain/recording.js';
import { FormatError } from './errors.js';
import { openWfdbRecord, readWfdbAnnotationFile, wfdbRecordBase } from './wfdb/index.js';

export { FormatError } from './errors.js';

export interface OpenOptions {
  /** CSV only: sampling rate when the file has no time column. */
  fs?: number;
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}

async function head(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function tail(path: string, size: number, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(Math.min(n, size));
    await fh.read(buf, 0, buf.length, size - buf.length);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * A WFDB (MIT-format) annotation file: 16-bit little-endian words ending in the 0x0000 end word, whose codes
 * (top 6 bits) are annotation codes 0..49 or the pseudo-codes 59..63, never 50..58.
 */
async function looksLikeWfdbAnnotations(path: string, b: Uint8Array, size: number): Promise<boolean> {
  if (size % 2 !== 0 || size < 4) return false;
  const end = await tail(path, size, 2);
  if (end[0] !== 0 || end[1] !== 0) return false;
  for (let p = 0; p + 1 < b.length; p += 2) {
    const w = b[p] | (b[p + 1] << 8);
    const a = w >> 10;
    if (a >= 50 && a <= 58) return false;
    if (a === 59) p += 4; // SKIP: two more words
    else if (a === 63) p += (w & 0x3ff) + ((w & 0x3ff) & 1); // AUX: that many bytes, padded to even
    else if (w === 0) return p + 2 === size;
  }
  return true;
}

/**
 * Decide a path's format from what is on disk: content first (ISHNE magic, EDF version field, BDF marker,
 * text with delimiters), the extension only to word the refusal when the content matches nothing.
 */
export async function detectFormat(path: string): Promise<RecordingFormat> {
  if (path.endsWith('.hea')) return 'wfdb';
  let st;
  try {
    st = await stat(path);
  } catch {
    if (await exists(`${path}.hea`)) return 'wfdb';
    throw new FormatError(path, 'no such file or WFDB record');
  }
  if (st.isDirectory()) throw new FormatError(path, 'is a directory, not a recording (give a .hea, .edf, .ecg or .csv file)');
  if (await exists(`${path}.hea`)) return 'wfdb';
  if (st.size === 0) throw new FormatError(path, 'file is empty');
  const b = await head(path, 256);
  const ascii = new TextDecoder('latin1').decode(b);
  if (ascii.startsWith('ISHNE1.0')) return 'ishne';
  if (ascii.startsWith('ANN  1.0')) throw new FormatError(path, 'is an ISHNE annotation file; open the matching ISHNE .ecg recording');
  if (b[0] === 0xff && ascii.slice(1, 8) === 'BIOSEMI') throw new FormatError(path, 'is a BDF (24-bit BioSemi) file; BDF is not supported, convert it to EDF');
  // EDF: version '0' padded with spaces, then ASCII header fields (the number of header bytes at 184).
  if (/^0 {7}/.test(ascii) && (b.length < 192 || /^\s*\d+\s*$/.test(ascii.slice(184, 192)))) {
    return /^EDF\s*\+\s*[CD]/i.test(ascii.slice(192, 236)) ? 'edf+' : 'edf';
  }
  const ext = extname(path).toLowerCase();
  // A WFDB annotation file (e.g. `100.ecg`, `100.atr`) sits beside its record's header.
  const dot = path.lastIndexOf('.');
  if (dot > 0 && (await exists(`${path.slice(0, dot)}.hea`))) {
    throw new FormatError(path, `looks like a WFDB annotation file of record ${path.slice(0, dot)}; give the record (${path.slice(0, dot)}) instead`);
  }
  const binary = b.includes(0);
  if (ext === '.edf' || ext === '.rec') throw new FormatError(path, `has an ${ext} name but no EDF header (the version field reads '${ascii.slice(0, 8).replace(/[^\x20-\x7e]/g, '?')}', expected '0' and spaces)`);
  if (ext === '.bdf') throw new FormatError(path, 'has a .bdf name; BDF (24-bit) is not supported, convert it to EDF');
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') {
    if (binary) throw new FormatError(path, `has a ${ext} name but holds binary data`);
    return 'csv';
  }
  if (ext === '.ecg') {
    if (await looksLikeWfdbAnnotations(path, b, st.size)) {
      throw new FormatError(path, 'is a WFDB annotation file (MIT format), not an ISHNE recording; open the WFDB record it annotates and pass the annotator name');
    }
    throw new FormatError(path, 'is neither an ISHNE Holter file (no ISHNE1.0 magic) nor a WFDB annotation file');
  }
  if (!binary && /[,;\t]/.test(ascii)) return 'csv';
  throw new FormatError(path, 'format not recognised (expected WFDB .hea, EDF/EDF+, ISHNE .ecg or CSV)');
}

export async function openRecording(path: string, options: OpenOptions = {}): Promise<RecordingSource> {
  const format = await detectFormat(path);
  switch (format) {
    case 'wfdb':
      return openWfdbRecord(path);
    case 'edf':
    case 'edf+':
      return (await import('./edf/index.js')).openEdfRecording(path);
    case 'ishne':
      return (await import('./ishne/index.js')).openIshneRecording(path);
    case 'csv':
      return (await import('./csv/index.js')).openCsvRecording(path, { fs: options.fs });
  }
}

/**
 * Annotations of a recording: for WFDB, the annotator file `<record>.<annotator>` (or `annotator` as a path
 * when it contains a slash or the file exists); for EDF+, the embedded TAL annotations.
 */
export async function readAnnotations(source: RecordingSource, annotator?: string): Promise<Annotation[]> {
  if (annotator && (annotator.includes('/') || (await exists(annotator)) )) {
    return readWfdbAnnotationFile(annotator);
  }
  if (source.info.format === 'wfdb') {
    return readWfdbAnnotationFile(`${wfdbRecordBase(source.info.path)}.${annotator ?? 'atr'}`);
  }
  if (annotator) {
    const dot = source.info.path.lastIndexOf('.');
    const side = `${dot > 0 ? source.info.path.slice(0, dot) : source.info.path}.${annotator}`;
    if (await exists(side)) return readWfdbAnnotationFile(side);
  }
  return source.embeddedAnnotations();
}
