/**
 * Opening a WFDB record: the header plus random access to its signal files by sample window. Only the bytes
 * that hold the window are read (except for difference-encoded format 8, which must be decoded from the start).
 *
 * Layouts handled (https://physionet.org/physiotools/wag/signal-5.htm, header-5.htm):
 * - several signals per file (multiplexed in frames) and several files per record;
 * - a byte offset (preamble) per file, and a skew per signal (sample i stored in frame i + skew; samples whose
 *   frame lies past the end of the file read as missing);
 * - multi-frequency records (samples-per-frame > 1). The domain model has one sampling rate per recording, so
 *   we do what the WFDB library's high-resolution mode (`setgvmode(WFDB_HIGHRES)`) does: the recording's rate
 *   is the frame rate × the largest samples-per-frame M, signals with M samples per frame come back at their
 *   native rate, and a signal with k < M samples per frame has each of its samples repeated to fill the
 *   frame (sample j of M in a frame shows the signal's sample floor(j·k/M)). A warning says so.
 * - multi-segment records (see multi-segment.ts).
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Annotation } from '../../domain/annotation.js';
import type { DigitalSamples, Recording, RecordingInfo, RecordingSource, SampleWindow, SignalInfo } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { readAt } from '../file.js';
import { parseWfdbHeader, wfdbStartTime, type WfdbHeader, type WfdbSignalSpec } from './header.js';
import {
  bytesForSamples, decode212Pairs, decodeSamples, decodeStrided, groupByteOffset, isByteAligned, samplesInBytes,
  type WfdbFormat,
} from './signal-formats.js';

/** Refuse absurd declared lengths before allocating anything (1e9 samples ≈ 32 days at 360 Hz). */
export const MAX_WFDB_SAMPLES = 1_000_000_000;

/** Largest window (samples × signals) one read may return: about 1-2 GB of typed arrays. Read longer in parts. */
export const MAX_WINDOW_SAMPLES = 2 ** 29;

interface SignalFile {
  path: string;
  /** A `~` file name or format 0: nothing stored, every sample missing. */
  isNull: boolean;
  format: WfdbFormat;
  /** Indices (into the header's signals) stored in this file, in frame order. */
  signals: number[];
  /** Position of each of those signals' first sample within a frame of this file. */
  frameOffsets: number[];
  /** Samples stored per frame in this file (sum of samples-per-frame of its signals). */
  frameSize: number;
  byteOffset: number;
  /** Frames the file actually holds. */
  frames: number;
}

/** `100`, `100.hea` and `dir/100` all name record `dir/100`. */
export function wfdbRecordBase(path: string): string {
  return path.endsWith('.hea') ? path.slice(0, -4) : path;
}

/** Name shown for a record path: `dir/100.hea` → `100`. */
export function wfdbRecordName(path: string): string {
  return basename(wfdbRecordBase(path));
}

export async function readWfdbHeaderFile(path: string): Promise<WfdbHeader> {
  const headerPath = `${wfdbRecordBase(path)}.hea`;
  let text: string;
  try {
    const st = await stat(headerPath);
    if (st.isDirectory()) throw new FormatError(headerPath, 'is a directory, not a WFDB header');
    if (st.size === 0) throw new FormatError(headerPath, 'header file is empty');
    if (st.size > 64 * 1024 * 1024) throw new FormatError(headerPath, `header file is ${st.size} bytes; a WFDB header is text of a few kilobytes`);
    text = await readFile(headerPath, 'latin1');
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError(headerPath, code === 'ENOENT' ? 'no such file' : `cannot read header (${code ?? String(e)})`);
  }
  return parseWfdbHeader(headerPath, text);
}

export async function openWfdbRecord(path: string): Promise<RecordingSource> {
  const base = wfdbRecordBase(path);
  const header = await readWfdbHeaderFile(base);
  if (header.numberOfSegments !== undefined) {
    const { openWfdbMultiSegmentRecord } = await import('./multi-segment.js');
    return openWfdbMultiSegmentRecord(base, header);
  }
  return openWfdbSingleSegment(base, header);
}

/** Open a single-segment record whose header has already been parsed (also used for each segment). */
export async function openWfdbSingleSegment(base: string, header: WfdbHeader): Promise<RecordingSource> {
  const headerPath = `${base}.hea`;
  if (header.numberOfSegments !== undefined) throw new FormatError(headerPath, 'a segment of a multi-segment record is itself multi-segment');
  const dir = dirname(base);
  const files: SignalFile[] = [];
  const byName = new Map<string, SignalFile>();
  header.signals.forEach((s, i) => {
    // Signals of one file are consecutive lines of the header sharing the file name.
    const isNull = s.fileName === '~' || s.format.code === 0;
    let f = isNull ? undefined : byName.get(s.fileName);
    if (!f || f.signals[f.signals.length - 1] !== i - 1) {
      if (f) throw new FormatError(headerPath, `signal ${i} names file ${s.fileName} again after other files; a file's signals must be on consecutive lines`);
      f = { path: join(dir, s.fileName), isNull, format: s.format, signals: [], frameOffsets: [], frameSize: 0, byteOffset: s.byteOffset, frames: 0 };
      if (!isNull) byName.set(s.fileName, f);
      files.push(f);
    } else if (f.format.code !== s.format.code) {
      throw new FormatError(headerPath, `signals in ${s.fileName} mix formats ${f.format.code} and ${s.format.code}`);
    } else if (s.byteOffset !== f.byteOffset) {
      throw new FormatError(headerPath, `signals in ${s.fileName} give different byte offsets (${f.byteOffset} and ${s.byteOffset})`);
    }
    f.signals.push(i);
    f.frameOffsets.push(f.frameSize);
    f.frameSize += s.samplesPerFrame;
  });
  const spfMax = header.signals.reduce((m, s) => Math.max(m, s.samplesPerFrame), 1);

  // Size every signal file and check it against the declared length.
  let frames = header.numberOfSamples;
  for (const f of files) {
    if (f.isNull) continue;
    let size: number;
    try {
      const st = await stat(f.path);
      if (st.isDirectory()) throw new FormatError(f.path, 'is a directory, not a signal file');
      size = st.size;
    } catch (e) {
      if (e instanceof FormatError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new FormatError(f.path, code === 'ENOENT' ? `signal file of record ${header.recordName} does not exist` : `cannot read signal file (${code ?? String(e)})`);
    }
    if (size < f.byteOffset) throw new FormatError(f.path, `signal file has ${size} bytes, less than its byte offset ${f.byteOffset} in ${headerPath}`);
    f.frames = Math.floor(samplesInBytes(f.format, size - f.byteOffset) / f.frameSize);
    if (header.numberOfSamples === undefined) frames = Math.min(frames ?? Infinity, f.frames);
  }
  frames ??= 0;
  if (frames === Infinity) frames = 0;
  if (frames * spfMax > MAX_WFDB_SAMPLES) {
    throw new FormatError(headerPath, `declares ${frames * spfMax} samples per signal, more than the ${MAX_WFDB_SAMPLES} this reader accepts`);
  }
  for (const f of files) {
    if (!f.isNull && f.frames < frames) {
      throw new FormatError(f.path, `signal file is shorter than the header says: it holds ${f.frames} samples per signal, ${headerPath} declares ${frames}`);
    }
  }

  const warnings: string[] = [];
  if (spfMax > 1) {
    const slower = header.signals.filter((s) => s.samplesPerFrame < spfMax).map((s) => `${s.description} (${s.samplesPerFrame}/frame)`);
    warnings.push(`multi-frequency record: read at ${header.samplingFrequency * spfMax} Hz (${spfMax} samples per frame)` +
      (slower.length ? `; lower-rate signals are repeated to that rate: ${slower.join(', ')}` : ''));
  }
  const signalInfos: SignalInfo[] = header.signals.map((s) => ({
    name: s.description,
    units: s.units,
    gain: s.gain,
    baseline: s.baseline,
    adcResolution: s.adcResolution,
    adcZero: s.adcZero,
    storage: String(s.format.code),
    invalidValue: s.format.invalidValue,
    initialValue: s.initialValue,
    // The checksum covers the stored samples; a repeated lower-rate signal is not that sequence.
    checksum: s.samplesPerFrame === spfMax ? s.checksum : undefined,
  }));
  const info: RecordingInfo = {
    name: header.recordName,
    path: base,
    format: 'wfdb',
    fs: header.samplingFrequency * spfMax,
    length: frames * spfMax,
    startTime: wfdbStartTime(header),
    signals: signalInfos,
    warnings,
    comments: header.comments,
  };

  return {
    info,
    read: (w) => readWindow(header, files, spfMax, info, w),
    embeddedAnnotations: async (): Promise<Annotation[]> => [],
    close: async () => {},
  };
}

/** Check a window against a recording and fill its defaults; shared with the multi-segment reader. */
export function checkWindow(info: RecordingInfo, w: SampleWindow = {}): { from: number; to: number; channels: number[] } {
  const from = w.from ?? 0;
  const to = w.to ?? info.length;
  const channels = w.channels ?? info.signals.map((_, i) => i);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > info.length || from > to) {
    throw new FormatError(info.path, `sample window [${from}, ${to}) is outside the record's 0..${info.length}`);
  }
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= info.signals.length) {
      throw new FormatError(info.path, `channel ${c} does not exist (the record has ${info.signals.length} signals)`);
    }
  }
  if ((to - from) * channels.length > MAX_WINDOW_SAMPLES) {
    throw new FormatError(info.path, `a window of ${to - from} samples × ${channels.length} signals is more than ${MAX_WINDOW_SAMPLES} samples; read it in smaller windows`);
  }
  return { from, to, channels };
}

async function readWindow(header: WfdbHeader, files: SignalFile[], spfMax: number, info: RecordingInfo, w?: SampleWindow): Promise<Recording> {
  const { from, to, channels } = checkWindow(info, w);
  const n = to - from;
  const arrays = new Map<number, DigitalSamples>();
  for (const c of channels) if (!arrays.has(c)) arrays.set(c, header.signals[c].format.fitsInt16 ? new Int16Array(n) : new Int32Array(n));
  for (const f of files) {
    const outs = f.signals.map((i) => arrays.get(i) ?? null);
    if (outs.every((o) => o === null)) continue;
    if (f.isNull || n === 0) {
      for (const o of outs) o?.fill(f.format.invalidValue);
      continue;
    }
    const specs = f.signals.map((i) => header.signals[i]);
    await decodeFileWindow(f, specs, spfMax, from, to, outs);
  }
  // A channel asked for twice gets its own copy, so callers may modify one without the other changing.
  const seen = new Set<number>();
  const signals = channels.map((c) => {
    const a = arrays.get(c)!;
    const samples = seen.has(c) ? a.slice() : a;
    seen.add(c);
    return { ...info.signals[c], samples };
  });
  return { info, from, to, signals };
}

/**
 * Scratch buffers for raw file bytes that are decoded and dropped at once: reusing them spares allocating and
 * zeroing ~2 MB per MIT-BIH record. Each read takes its own buffer from the pool (reads may overlap across
 * awaits) and gives it back after decoding; the pool keeps a few buffers of at most 64 MB.
 */
const scratchPool: Uint8Array[] = [];
function takeScratch(n: number): Uint8Array {
  const i = scratchPool.findIndex((b) => b.length >= n);
  if (i >= 0) return scratchPool.splice(i, 1)[0].subarray(0, n);
  return new Uint8Array(n);
}
function giveScratch(b: Uint8Array): void {
  if (b.buffer.byteLength <= 64 * 1024 * 1024 && scratchPool.length < 4) scratchPool.push(new Uint8Array(b.buffer));
}

/** Read bytes [start, end) after the file's byte offset; bytes past the end of the file read as 0. */
async function readBytes(f: SignalFile, start: number, end: number, scratch = false): Promise<Uint8Array> {
  const bytes = scratch ? takeScratch(end - start) : new Uint8Array(end - start);
  let fh;
  try {
    fh = await open(f.path, 'r');
  } catch (e) {
    throw new FormatError(f.path, `cannot open signal file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const got = await readAt(fh, bytes, f.byteOffset + start);
    if (got < bytes.length) bytes.fill(0, got);
  } catch (e) {
    if (scratch) giveScratch(bytes);
    throw e;
  } finally {
    await fh.close();
  }
  return bytes;
}

async function decodeFileWindow(
  f: SignalFile,
  specs: WfdbSignalSpec[],
  spfMax: number,
  from: number,
  to: number,
  outs: (DigitalSamples | null)[],
): Promise<void> {
  const fmt = f.format;
  const n = to - from;
  const simple = spfMax === 1 && specs.every((s) => s.skew === 0) && !fmt.differences;
  if (simple) {
    // One sample per signal per frame and no skew: frame i holds sample i of every signal. The header check
    // guarantees the file holds every frame of the record.
    if (fmt.code === 212 && f.frameSize === 2) {
      const bytes = await readBytes(f, from * 3, to * 3, true);
      decode212Pairs(bytes, 0, n, outs[0], outs[1]);
      giveScratch(bytes);
      return;
    }
    if (isByteAligned(fmt)) {
      const stride = f.frameSize * fmt.bytesPerGroup;
      const bytes = await readBytes(f, from * stride, to * stride, true);
      for (let k = 0; k < outs.length; k++) {
        const o = outs[k];
        if (o) decodeStrided(fmt, bytes, k * fmt.bytesPerGroup, stride, n, o);
      }
      giveScratch(bytes);
      return;
    }
  }

  // General path: decode the frames that hold the window into one Int32Array, then pick each signal's samples.
  const frameFrom = fmt.differences ? 0 : Math.floor(from / spfMax);
  const maxSkew = specs.reduce((m, s) => Math.max(m, s.skew), 0);
  const frameTo = Math.min(f.frames, Math.ceil(to / spfMax) + maxSkew);
  const nf = f.frameSize;
  const decoded = new Int32Array(Math.max(0, frameTo - frameFrom) * nf);
  if (frameTo > frameFrom) {
    const firstIndex = frameFrom * nf;
    const byteStart = groupByteOffset(fmt, firstIndex);
    const bytes = await readBytes(f, byteStart, bytesForSamples(fmt, firstIndex + decoded.length));
    decodeSamples(fmt, bytes, firstIndex, decoded.length, decoded);
  }
  for (let k = 0; k < specs.length; k++) {
    const out = outs[k];
    if (!out) continue;
    const spec = specs[k];
    const spf = spec.samplesPerFrame;
    const off = f.frameOffsets[k];
    if (fmt.differences) {
      // Format 8 stores first differences; rebuild absolute values in place from the header's initial value.
      let v = spec.initialValue;
      for (let fr = 0, p = off; fr < frameTo; fr++, p += nf) {
        for (let j = 0; j < spf; j++) {
          v += decoded[p + j];
          decoded[p + j] = v;
        }
      }
    }
    const invalid = fmt.invalidValue;
    if (spf === spfMax) {
      // Sample s of this signal is sample (s mod M) of frame floor(s / M) + skew.
      for (let i = 0; i < n; i++) {
        const s = from + i;
        const fr = Math.floor(s / spfMax) + spec.skew;
        out[i] = fr < frameTo ? decoded[(fr - frameFrom) * nf + off + (s % spfMax)] : invalid;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const s = from + i;
        const fr = Math.floor(s / spfMax) + spec.skew;
        out[i] = fr < frameTo ? decoded[(fr - frameFrom) * nf + off + Math.floor(((s % spfMax) * spf) / spfMax)] : invalid;
      }
    }
  }
}
