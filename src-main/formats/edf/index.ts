/**
 * EDF / EDF+C reader with random access by sample window.
 *
 * Why not edf-parser for the samples: it is a stream transform that must decode the file from the first byte
 * (a 10 s window at hour 12 of a Holter would cost a full pass), it converts every sample to a JS number in a
 * plain Array (we keep digital Int16 in typed arrays), and its block stream pushes the same reused Buffer for
 * every record, so a consumer that does not copy synchronously sees later records' bytes. Here a window maps
 * to the data records that hold it, read in one positioned read (in bounded chunks for long windows).
 *
 * Conventions (documented for users in info.warnings when they apply):
 *  - fs is the rate of the ECG signals; ordinary signals at other rates are not exposed (a warning names
 *    them), nor are 'EDF Annotations' channels (their TALs come back from embeddedAnnotations()).
 *  - A signal whose digital minimum is above -32768 gets invalidValue -32768 (our writer marks missing
 *    samples that way); a signal using the full int16 range has no invalid marker.
 *  - EDF+D (discontinuous): every record's time-keeping TAL gives its start; the recording spans from the
 *    first record's start to the last record's end and the gaps read as invalid samples (a signal whose
 *    digital range already uses -32768 is then returned as Int32 with invalidValue -2^31). Overlapping or
 *    backwards records, or records without a time-keeping TAL, are refused.
 */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { annotationCode, type Annotation } from '../../domain/annotation.js';
import type { Recording, RecordingInfo, RecordingSource, SampleWindow, Signal, SignalInfo } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { fileSize, readAt } from '../file.js';
import { checkWindow } from '../window.js';
import { EDF_FIXED_HEADER_BYTES, edfHeaderSize, parseEdfHeader, type EdfHeader, type EdfSignalHeader } from './header.js';
import { parseTals, textToSymbol } from './tal.js';

export { parseEdfHeader, edfHeaderSize, type EdfHeader, type EdfSignalHeader } from './header.js';
export { writeEdf, type WriteEdfOptions } from './write.js';

/** Bytes read per positioned read when a window spans many records. */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Refuse declared lengths beyond this (≈ 32 days at 360 Hz) before allocating anything. */
export const MAX_EDF_SAMPLES = 1_000_000_000;
/** One read() returns at most this many samples per channel (512 MB as Int16); longer spans are read in pieces. */
export { MAX_WINDOW_SAMPLES } from '../window.js';

const ECG_LABEL = /ECG|EKG|^(I|II|III|aVR|aVL|aVF|V[1-6]|MLII|MLI|MLIII|MV\d|ML\d|D[1-3])\b/i;

interface Layout {
  header: EdfHeader;
  /** Header indices of the exposed signals, in file order. */
  exposed: number[];
  annotationSignals: number[];
  samplesPerRecord: number;
  records: number;
  /** EDF+D only: first sample of each data record (continuous files: r × samplesPerRecord). */
  recordStarts?: Float64Array;
  /** Exposed signals (by info index) returned as Int32 because gaps need an invalid marker outside int16. */
  wide: boolean[];
}

interface TalScan {
  /** Time-keeping onset of every record (NaN where a record has none). */
  onsets: Float64Array;
  entries: { onset: number; text: string; duration?: number }[];
  malformed: number;
  firstError: string;
}

const statFile = (path: string): Promise<number> => fileSize(path, 'an EDF file');

/** Reconcile the declared record count with the file size; refuse what cannot be repaired. */
function countRecords(path: string, h: EdfHeader, fileSize: number, warnings: string[]): number {
  const dataBytes = fileSize - h.headerBytes;
  const whole = Math.floor(Math.max(0, dataBytes) / h.recordBytes);
  const extra = Math.max(0, dataBytes) - whole * h.recordBytes;
  if (whole === 0) {
    throw new FormatError(path, `file is shorter than one data record: ${fileSize} bytes for a ${h.headerBytes}-byte header and ${h.recordBytes}-byte records`);
  }
  const declared = h.declaredRecords;
  if (declared === -1) {
    warnings.push(`header gives the number of data records as -1 (unknown); ${whole} records taken from the file size`);
  } else if (declared > whole) {
    if (declared > 2 * whole) {
      throw new FormatError(path, `header declares ${declared} data records of ${h.recordBytes} bytes (${declared * h.recordBytes + h.headerBytes} bytes) but the file is ${fileSize} bytes (${whole} records); the header is broken or the file badly truncated`);
    }
    warnings.push(`header declares ${declared} data records but the file holds only ${whole}; the file is truncated, reading ${whole}`);
  } else if (declared < whole) {
    warnings.push(`header declares ${declared} data records but the file holds ${whole}; reading all ${whole} (file size wins)`);
  }
  if (extra > 0) warnings.push(`file ends with ${extra} bytes that do not make a whole data record (ignored)`);
  return whole;
}

/** Samples per second; 36 samples in 0.1 s is 360 Hz, not 359.99999999999994. */
function rate(samplesPerRecord: number, duration: number): number {
  const r = samplesPerRecord / duration;
  const whole = Math.round(r);
  return Math.abs(r - whole) < 1e-9 * Math.max(1, r) ? whole : r;
}

function chooseSignals(path: string, h: EdfHeader, warnings: string[]): { exposed: number[]; annotationSignals: number[]; spr: number } {
  const annotationSignals: number[] = [];
  const usable: number[] = [];
  h.signals.forEach((s, i) => {
    if (s.isAnnotation) { annotationSignals.push(i); return; }
    const name = `signal ${i} ('${s.label}')`;
    if (s.samplesPerRecord === 0) { warnings.push(`${name} has 0 samples per record; not exposed`); return; }
    if (!(s.digitalMax > s.digitalMin)) { warnings.push(`${name} refused: digital minimum ${s.digitalMin} is not below digital maximum ${s.digitalMax}`); return; }
    if (s.digitalMin < -32768 || s.digitalMax > 32767) { warnings.push(`${name} refused: digital range ${s.digitalMin}..${s.digitalMax} exceeds 16 bits`); return; }
    if (!(s.physicalMax !== s.physicalMin) || !Number.isFinite(s.physicalMax - s.physicalMin)) {
      warnings.push(`${name} refused: physical minimum and maximum are both ${s.physicalMin}, so no gain can be derived`);
      return;
    }
    if (s.physicalMin > s.physicalMax) warnings.push(`${name} has physical minimum ${s.physicalMin} above maximum ${s.physicalMax} (inverted polarity; kept)`);
    usable.push(i);
  });
  if (usable.length === 0) throw new FormatError(path, 'no usable signal: every signal is an annotation channel or has an invalid range (see the header)');
  const ecg = usable.filter((i) => ECG_LABEL.test(h.signals[i].label));
  const pool = ecg.length > 0 ? ecg : usable;
  const counts = new Map<number, number>();
  for (const i of pool) counts.set(h.signals[i].samplesPerRecord, (counts.get(h.signals[i].samplesPerRecord) ?? 0) + 1);
  let spr = 0;
  let best = -1;
  for (const [rate, c] of counts) if (c > best || (c === best && rate > spr)) { spr = rate; best = c; }
  const exposed = usable.filter((i) => h.signals[i].samplesPerRecord === spr);
  const fs = rate(spr, h.recordDuration);
  for (const i of usable) {
    if (h.signals[i].samplesPerRecord === spr) continue;
    const s = h.signals[i];
    warnings.push(`signal ${i} ('${s.label}', ${rate(s.samplesPerRecord, h.recordDuration)} Hz) not exposed: only signals at the ECG rate (${fs} Hz) are read; resample it separately if needed`);
  }
  return { exposed, annotationSignals, spr };
}

function signalInfo(s: EdfSignalHeader): SignalInfo {
  const gain = (s.digitalMax - s.digitalMin) / (s.physicalMax - s.physicalMin);
  const baseline = s.digitalMin - s.physicalMin * gain;
  const info: SignalInfo = {
    name: s.label,
    units: s.physicalDimension,
    gain,
    baseline,
    adcResolution: 16,
    adcZero: 0,
    storage: 'edf16',
  };
  if (s.digitalMin > -32768) info.invalidValue = -32768;
  return info;
}

export async function openEdfRecording(path: string): Promise<RecordingSource> {
  const size = await statFile(path);
  if (size === 0) throw new FormatError(path, 'file is empty');
  const fh = await open(path, 'r');
  try {
    const fixed = new Uint8Array(EDF_FIXED_HEADER_BYTES);
    const got = await readAt(fh, fixed, 0);
    if (fixed[0] === 0xff && String.fromCharCode(...fixed.subarray(1, 8)) === 'BIOSEMI') {
      throw new FormatError(path, 'is a BDF (24-bit BioSemi) file; BDF is not supported, convert it to EDF');
    }
    const { headerBytes } = edfHeaderSize(path, fixed.subarray(0, got));
    if (headerBytes > size) throw new FormatError(path, `file is ${size} bytes, shorter than its ${headerBytes}-byte header`);
    const hb = new Uint8Array(headerBytes);
    await readAt(fh, hb, 0);
    const header = parseEdfHeader(path, hb);
    const warnings = [...header.warnings];
    const { exposed, annotationSignals, spr } = chooseSignals(path, header, warnings);
    if (!(header.recordDuration > 0)) {
      throw new FormatError(path, `data record duration is ${header.recordDuration} s, but the file has ordinary signals (a sampling rate needs a positive duration)`);
    }
    const records = countRecords(path, header, size, warnings);
    let length = records * spr;
    const signals = exposed.map((i) => signalInfo(header.signals[i]));
    const layout: Layout = { header, exposed, annotationSignals, samplesPerRecord: spr, records, wide: signals.map(() => false) };
    let scan: TalScan | undefined;
    if (header.plus === 'D') {
      if (annotationSignals.length === 0) throw new FormatError(path, "is EDF+D (discontinuous) but has no 'EDF Annotations' signal to say when each data record starts");
      scan = await scanTals(path, layout);
      const fs = rate(spr, header.recordDuration);
      const starts = new Float64Array(records);
      let gaps = 0;
      let gapSeconds = 0;
      for (let r = 0; r < records; r++) {
        const onset = scan.onsets[r];
        if (Number.isNaN(onset)) throw new FormatError(path, `EDF+D data record ${r} has no time-keeping TAL, so its start is unknown`);
        starts[r] = Math.round((onset - scan.onsets[0]) * fs);
        if (r > 0) {
          const gap = starts[r] - (starts[r - 1] + spr);
          if (gap < 0) throw new FormatError(path, `EDF+D data record ${r} starts at ${onset} s, before data record ${r - 1} ends (${scan.onsets[r - 1]} + ${header.recordDuration} s)`);
          if (gap > 0) { gaps++; gapSeconds += gap / fs; }
        }
      }
      length = starts[records - 1] + spr;
      layout.recordStarts = starts;
      if (scan.onsets[0] !== 0 && header.startTime) header.startTime = new Date(header.startTime.getTime() + scan.onsets[0] * 1000);
      if (gaps > 0) {
        warnings.push(`EDF+D: ${gaps} gaps between data records (${Number(gapSeconds.toFixed(3))} s in all) read as invalid samples`);
        signals.forEach((sig, c) => {
          if (sig.invalidValue === undefined) { sig.invalidValue = -2147483648; layout.wide[c] = true; }
        });
      }
    }
    if (length > MAX_EDF_SAMPLES) {
      throw new FormatError(path, `holds ${length} samples per signal, more than the ${MAX_EDF_SAMPLES} this reader accepts`);
    }
    const info: RecordingInfo = {
      name: basename(path, extname(path)),
      path,
      format: header.plus ? 'edf+' : 'edf',
      fs: rate(spr, header.recordDuration),
      length,
      startTime: header.startTime,
      signals,
      warnings,
      comments: [header.patient && `patient: ${header.patient}`, header.recording && `recording: ${header.recording}`].filter((c) => c !== ''),
    };
    let annotations: Promise<Annotation[]> | undefined;
    return {
      info,
      read: (w) => readWindow(path, layout, info, w),
      embeddedAnnotations: () => (annotations ??= readAnnotations(path, layout, info, scan)),
      close: async () => {},
    };
  } finally {
    await fh.close();
  }
}

async function readWindow(path: string, layout: Layout, info: RecordingInfo, w: SampleWindow = {}): Promise<Recording> {
  const { from, to, channels } = checkWindow(path, info, w);
  const { header, samplesPerRecord: spr, recordStarts } = layout;
  const rb = header.recordBytes;
  const n = to - from;
  const arrays = channels.map((c) => (layout.wide[c] ? new Int32Array(n) : new Int16Array(n)));
  const start = (r: number): number => (recordStarts ? recordStarts[r] : r * spr);
  if (to > from) {
    let r0: number;
    let r1: number;
    if (recordStarts) {
      // Gaps read as invalid; records found by binary search on their start samples.
      channels.forEach((c, j) => arrays[j].fill(info.signals[c].invalidValue ?? 0));
      r0 = firstRecordEndingAfter(recordStarts, spr, from);
      r1 = firstRecordEndingAfter(recordStarts, 0, to - 1); // first record starting at or after `to`
    } else {
      r0 = Math.floor(from / spr);
      r1 = Math.ceil(to / spr);
    }
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / rb));
    const buf = new Uint8Array(Math.max(0, Math.min(r1 - r0, perChunk)) * rb);
    const offsets = channels.map((c) => header.signals[layout.exposed[c]].recordOffset / 2);
    const fh = await open(path, 'r');
    try {
      for (let r = r0; r < r1; r += perChunk) {
        const nr = Math.min(perChunk, r1 - r);
        const bytes = buf.subarray(0, nr * rb);
        const got = await readAt(fh, bytes, header.headerBytes + r * rb);
        if (got < bytes.length) throw new FormatError(path, `file shrank while reading: data record ${r + Math.floor(got / rb)} is missing`);
        const words = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
        for (let k = 0; k < nr; k++) {
          const recStart = start(r + k); // sample index of this record's first sample
          const a = Math.max(from, recStart);
          const b = Math.min(to, recStart + spr);
          if (b <= a) continue;
          const wordBase = (k * rb) / 2;
          for (let j = 0; j < channels.length; j++) {
            const src = wordBase + offsets[j] + (a - recStart);
            arrays[j].set(words.subarray(src, src + (b - a)), a - from);
          }
        }
      }
    } finally {
      await fh.close();
    }
  }
  const signals: Signal[] = channels.map((c, j) => ({ ...info.signals[c], samples: arrays[j] }));
  return { info, from, to, signals };
}

/** First record r with starts[r] + spr > sample (records sorted by start). */
function firstRecordEndingAfter(starts: Float64Array, spr: number, sample: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] + spr > sample) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Read every record's TALs (annotation signals only, in 8 MB chunks of whole records). */
async function scanTals(path: string, layout: Layout): Promise<TalScan> {
  const { header, annotationSignals, records } = layout;
  const scan: TalScan = { onsets: new Float64Array(records).fill(NaN), entries: [], malformed: 0, firstError: '' };
  if (annotationSignals.length === 0) return scan;
  const rb = header.recordBytes;
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / rb));
  const buf = new Uint8Array(Math.min(records, perChunk) * rb);
  const fh = await open(path, 'r');
  try {
    for (let r = 0; r < records; r += perChunk) {
      const nr = Math.min(perChunk, records - r);
      const bytes = buf.subarray(0, nr * rb);
      await readAt(fh, bytes, header.headerBytes + r * rb);
      for (let k = 0; k < nr; k++) {
        for (const si of annotationSignals) {
          const s = header.signals[si];
          const start = k * rb + s.recordOffset;
          const tals = parseTals(bytes.subarray(start, start + 2 * s.samplesPerRecord));
          if (tals.error) { scan.malformed++; scan.firstError ||= `record ${r + k}: ${tals.error}`; }
          if (si === annotationSignals[0] && tals.recordOnset !== null) scan.onsets[r + k] = tals.recordOnset;
          for (const e of tals.entries) for (const text of e.texts) scan.entries.push({ onset: e.onset, text, duration: e.duration });
        }
      }
    }
  } finally {
    await fh.close();
  }
  return scan;
}

async function readAnnotations(path: string, layout: Layout, info: RecordingInfo, known?: TalScan): Promise<Annotation[]> {
  if (layout.annotationSignals.length === 0) return [];
  const scan = known ?? (await scanTals(path, layout));
  if (scan.malformed > 0) info.warnings.push(`${scan.malformed} data records hold malformed EDF+ annotations (skipped); first: ${scan.firstError}`);
  // Sample 0 is the first record's start, which its time-keeping TAL may put after the header's whole second.
  const first = Number.isNaN(scan.onsets[0]) ? 0 : scan.onsets[0];
  if (first !== 0 && info.startTime && !layout.recordStarts) info.startTime = new Date(info.startTime.getTime() + first * 1000);
  if (!layout.recordStarts) {
    // EDF+C promises contiguous records; say so when the time-keeping TALs disagree (a mislabelled EDF+D).
    const d = layout.header.recordDuration;
    let off = -1;
    for (let r = 0; r < scan.onsets.length && off < 0; r++) {
      if (!Number.isNaN(scan.onsets[r]) && Math.abs(scan.onsets[r] - first - r * d) > 0.5 / info.fs) off = r;
    }
    if (off >= 0) info.warnings.push(`EDF+C data record ${off} starts at ${scan.onsets[off]} s by its time-keeping TAL, not at ${first + off * d} s: the file may be discontinuous (EDF+D) mislabelled as EDF+C; samples are read as contiguous`);
  }
  const found: Annotation[] = scan.entries.map((e) => {
    const { symbol, aux } = textToSymbol(e.text, e.duration);
    return { sample: Math.round((e.onset - first) * info.fs), symbol, code: annotationCode(symbol) ?? 22, subtype: 0, chan: 0, num: 0, aux };
  });
  // Array.prototype.sort is stable: annotations at the same sample keep their file order.
  return found.sort((x, y) => x.sample - y.sample);
}
