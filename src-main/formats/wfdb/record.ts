/**
 * Opening a WFDB record: the header plus random access to its signal files by sample window. Only the bytes
 * that hold the window are read (except for difference-encoded format 8, which must be decoded from the start).
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Annotation } from '../../domain/annotation.js';
import type { Recording, RecordingInfo, RecordingSource, SampleWindow, Signal } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { parseWfdbHeader, wfdbStartTime, type WfdbHeader, type WfdbSignalSpec } from './header.js';
import { bytesForSamples, decodeSamples, groupByteOffset, samplesInBytes } from './signal-formats.js';

/** Refuse absurd declared lengths before allocating anything (1e9 samples ≈ 32 days at 360 Hz). */
export const MAX_WFDB_SAMPLES = 1_000_000_000;

interface SignalFile {
  path: string;
  /** Indices (into the header's signals) stored in this file, in frame order. */
  signals: number[];
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

export async function readWfdbHeaderFile(path: string): Promise<WfdbHeader> {
  const headerPath = `${wfdbRecordBase(path)}.hea`;
  let text: string;
  try {
    const st = await stat(headerPath);
    if (st.isDirectory()) throw new FormatError(headerPath, 'is a directory, not a WFDB header');
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
  const headerPath = `${base}.hea`;
  const header = await readWfdbHeaderFile(base);
  if (header.numberOfSegments !== undefined) {
    throw new FormatError(headerPath, `multi-segment records (${header.numberOfSegments} segments) are not supported yet`);
  }
  const dir = dirname(base);
  const files: SignalFile[] = [];
  const byName = new Map<string, SignalFile>();
  header.signals.forEach((s, i) => {
    if (s.samplesPerFrame !== 1) {
      throw new FormatError(headerPath, `signal ${i} (${s.description}) has ${s.samplesPerFrame} samples per frame; multi-frequency records are not supported yet`);
    }
    let f = byName.get(s.fileName);
    if (!f) {
      f = { path: join(dir, s.fileName), signals: [], frameSize: 0, byteOffset: s.byteOffset, frames: 0 };
      byName.set(s.fileName, f);
      files.push(f);
    } else if (header.signals[f.signals[0]].format.code !== s.format.code) {
      throw new FormatError(headerPath, `signals in ${s.fileName} mix formats ${header.signals[f.signals[0]].format.code} and ${s.format.code}`);
    }
    f.signals.push(i);
    f.frameSize += s.samplesPerFrame;
  });

  // Size every signal file and check it against the declared length.
  let length = header.numberOfSamples;
  for (const f of files) {
    if (f.path.endsWith('~')) continue; // "~" names a null signal file: all samples missing
    let size: number;
    try {
      const st = await stat(f.path);
      if (st.isDirectory()) throw new FormatError(f.path, 'is a directory, not a signal file');
      size = st.size;
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(f.path, `signal file of record ${header.recordName} is missing (${(e as NodeJS.ErrnoException).code})`);
    }
    const fmt = header.signals[f.signals[0]].format;
    f.frames = Math.floor(samplesInBytes(fmt, Math.max(0, size - f.byteOffset)) / f.frameSize);
    if (length === undefined) length = f.frames;
  }
  length ??= 0;
  if (length > MAX_WFDB_SAMPLES) {
    throw new FormatError(headerPath, `declares ${length} samples per signal, more than the ${MAX_WFDB_SAMPLES} this reader accepts`);
  }
  for (const f of files) {
    if (f.path.endsWith('~')) continue;
    const maxSkew = Math.max(...f.signals.map((i) => header.signals[i].skew));
    if (f.frames < length) {
      throw new FormatError(f.path, `signal file is shorter than the header says: it holds ${f.frames} samples per signal, ${headerPath} declares ${length}`);
    }
    void maxSkew;
  }

  const signalInfos = header.signals.map((s) => ({
    name: s.description,
    units: s.units,
    gain: s.gain,
    baseline: s.baseline,
    adcResolution: s.adcResolution,
    adcZero: s.adcZero,
    storage: String(s.format.code),
    invalidValue: s.format.invalidValue,
    initialValue: s.initialValue,
    checksum: s.checksum,
  }));
  const info: RecordingInfo = {
    name: header.recordName,
    path: base,
    format: 'wfdb',
    fs: header.samplingFrequency,
    length,
    startTime: wfdbStartTime(header),
    signals: signalInfos,
    warnings: [],
    comments: header.comments,
  };

  return {
    info,
    read: (w) => readWindow(header, files, info, w),
    embeddedAnnotations: async (): Promise<Annotation[]> => [],
    close: async () => {},
  };
}

async function readWindow(header: WfdbHeader, files: SignalFile[], info: RecordingInfo, w: SampleWindow = {}): Promise<Recording> {
  const from = w.from ?? 0;
  const to = w.to ?? info.length;
  const channels = w.channels ?? header.signals.map((_, i) => i);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > info.length || from > to) {
    throw new FormatError(info.path, `sample window [${from}, ${to}) is outside the record's 0..${info.length}`);
  }
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= header.signals.length) {
      throw new FormatError(info.path, `channel ${c} does not exist (the record has ${header.signals.length} signals)`);
    }
  }
  const n = to - from;
  const out = new Map<number, Signal>();
  for (const f of files) {
    const wanted = f.signals.filter((i) => channels.includes(i));
    if (wanted.length === 0) continue;
    const specs = f.signals.map((i) => header.signals[i]);
    const maxSkew = Math.max(...specs.map((s) => s.skew));
    const bits = specs[0].format.bits;
    const alloc = (): Int16Array | Int32Array => (bits <= 16 ? new Int16Array(n) : new Int32Array(n));
    const arrays = new Map<number, Int16Array | Int32Array>();
    for (const i of wanted) arrays.set(i, alloc());
    if (f.path.endsWith('~')) {
      for (const i of wanted) arrays.get(i)!.fill(header.signals[i].format.invalidValue);
    } else {
      await decodeFileWindow(f, specs, from, to, maxSkew, wanted, arrays);
    }
    for (const i of wanted) out.set(i, { ...info.signals[i], samples: arrays.get(i)! });
  }
  return { info, from, to, signals: channels.map((c) => out.get(c)!) };
}

async function decodeFileWindow(
  f: SignalFile,
  specs: WfdbSignalSpec[],
  from: number,
  to: number,
  maxSkew: number,
  wanted: number[],
  arrays: Map<number, Int16Array | Int32Array>,
): Promise<void> {
  const fmt = specs[0].format;
  const frameStart = fmt.differences ? 0 : from;
  const frameEnd = Math.min(f.frames, to + maxSkew);
  if (frameEnd <= frameStart) {
    for (const i of wanted) arrays.get(i)!.fill(fmt.invalidValue);
    return;
  }
  const firstIndex = frameStart * f.frameSize;
  const count = (frameEnd - frameStart) * f.frameSize;
  const byteStart = groupByteOffset(fmt, firstIndex);
  const byteEnd = Math.min(bytesForSamples(fmt, firstIndex + count));
  const bytes = new Uint8Array(byteEnd - byteStart);
  const fh = await open(f.path, 'r');
  try {
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await fh.read(bytes, got, bytes.length - got, f.byteOffset + byteStart + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < bytes.length) bytes.fill(0, got);
  } finally {
    await fh.close();
  }
  const decoded = decodeSamples(fmt, bytes, firstIndex, count, new Int32Array(count));
  const nf = f.frameSize;
  for (let k = 0; k < f.signals.length; k++) {
    const sigIndex = f.signals[k];
    const arr = arrays.get(sigIndex);
    if (!arr) continue;
    const spec = specs[k];
    if (fmt.differences) {
      // Format 8 stores first differences; rebuild absolute values from the header's initial value.
      let v = spec.initialValue;
      const abs = new Int32Array(frameEnd);
      for (let fr = 0; fr < frameEnd; fr++) {
        v += decoded[fr * nf + k];
        abs[fr] = v;
      }
      for (let i = 0; i < arr.length; i++) {
        const fr = from + i + spec.skew;
        arr[i] = fr < frameEnd ? abs[fr] : fmt.invalidValue;
      }
      continue;
    }
    // Sample i of this signal is stored in frame (from + i + skew).
    const avail = Math.max(0, Math.min(arr.length, frameEnd - from - spec.skew));
    let p = spec.skew * nf + k;
    for (let i = 0; i < avail; i++, p += nf) arr[i] = decoded[p];
    if (avail < arr.length) arr.fill(fmt.invalidValue, avail);
  }
}

/** Name shown for a record path: `dir/100.hea` → `100`. */
export function wfdbRecordName(path: string): string {
  return basename(wfdbRecordBase(path));
}
