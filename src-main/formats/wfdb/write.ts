/**
 * WFDB signal writer: encodes digital samples into any supported storage format and writes the signal files
 * and a header whose checksums and initial values match what was written. Used to test the reader by round
 * trip and to export records. It never alters data silently: a sample outside the format's range (or, for
 * format 8, a step larger than one byte of difference) is an error; `clipToFormat` clips explicitly first.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError } from '../errors.js';
import { WFDB_FORMATS, type WfdbFormat } from './signal-formats.js';

export interface WfdbSignalToWrite {
  /** Digital samples: frames × samplesPerFrame of them, in time order. */
  samples: ArrayLike<number>;
  /** Storage format code (8, 16, 24, 32, 61, 80, 160, 212, 310, 311). */
  format: number;
  /** Signal file; signals naming the same file are multiplexed in it, in the order given. Default `<record>.dat`. */
  fileName?: string;
  samplesPerFrame?: number;
  /** Store sample i in frame i + skew. */
  skew?: number;
  /** Bytes of preamble before the samples (filled with `preambleByte`). All signals of a file share it. */
  byteOffset?: number;
  gain?: number;
  baseline?: number;
  units?: string;
  adcResolution?: number;
  adcZero?: number;
  description?: string;
}

export interface WfdbRecordToWrite {
  name: string;
  /** Frame rate in Hz. */
  fs: number;
  signals: WfdbSignalToWrite[];
  baseTime?: string;
  baseDate?: string;
  comments?: string[];
  /** Header line ending; MIT-BIH ships CRLF. */
  lineEnding?: '\n' | '\r\n';
  preambleByte?: number;
}

/** Smallest and largest digital value each format can store. */
export function formatRange(fmt: WfdbFormat): [number, number] {
  switch (fmt.code) {
    case 8: return [-(2 ** 31), 2 ** 31 - 1]; // any value reachable by one-byte steps
    case 80: return [-128, 127];
    case 212: return [-2048, 2047];
    case 310: case 311: return [-512, 511];
    case 24: return [-(2 ** 23), 2 ** 23 - 1];
    case 32: return [-(2 ** 31), 2 ** 31 - 1];
    default: return [-32768, 32767];
  }
}

function wfdbFormat(code: number, file: string): WfdbFormat {
  const f = WFDB_FORMATS.get(code);
  if (!f || code === 0) throw new FormatError(file, `cannot write signal format ${code}`);
  return f;
}

/**
 * Clip samples to what a format stores, as the WFDB library's writer does: amplitudes to the format's range;
 * for format 8, each step to a one-byte difference, later steps catching up as fast as they can.
 */
export function clipToFormat(code: number, samples: ArrayLike<number>): Int32Array {
  const fmt = wfdbFormat(code, '<samples>');
  const [lo, hi] = formatRange(fmt);
  const out = new Int32Array(samples.length);
  if (fmt.differences) {
    let v = samples.length ? samples[0] : 0;
    for (let i = 0; i < samples.length; i++) {
      v += Math.max(-128, Math.min(127, samples[i] - v));
      out[i] = v;
    }
    return out;
  }
  for (let i = 0; i < samples.length; i++) out[i] = Math.max(lo, Math.min(hi, samples[i]));
  return out;
}

/**
 * Encode a file's sample sequence (frames in order, each frame the samples of every signal in the file) into
 * bytes. For format 8 `initial` holds the value each difference chain starts from, per position in the frame.
 * The last group of 212/310/311 is padded with zero samples.
 */
export function encodeSamples(fmt: WfdbFormat, values: ArrayLike<number>, file = '<samples>', differenceChains?: { frameSize: number; owner: number[]; initial: number[] }): Uint8Array {
  const n = values.length;
  const groups = Math.ceil(n / fmt.samplesPerGroup);
  const out = new Uint8Array(groups * fmt.bytesPerGroup);
  const [lo, hi] = formatRange(fmt);
  const get = (i: number): number => {
    const v = i < n ? values[i] : 0;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new FormatError(file, `sample ${i} of the file (${v}) does not fit format ${fmt.code} (${lo}..${hi})`);
    return v;
  };
  switch (fmt.code) {
    case 212:
      for (let g = 0, p = 0; g < groups; g++, p += 3) {
        const a = get(2 * g) & 0xfff, b = get(2 * g + 1) & 0xfff;
        out[p] = a & 0xff;
        out[p + 1] = (a >> 8) | ((b >> 4) & 0xf0);
        out[p + 2] = b & 0xff;
      }
      return out;
    case 310:
      for (let g = 0, p = 0; g < groups; g++, p += 4) {
        const a = get(3 * g) & 0x3ff, b = get(3 * g + 1) & 0x3ff, c = get(3 * g + 2) & 0x3ff;
        const w0 = (a << 1) | ((c & 0x1f) << 11);
        const w1 = (b << 1) | ((c >> 5) << 11);
        out[p] = w0 & 0xff; out[p + 1] = w0 >> 8; out[p + 2] = w1 & 0xff; out[p + 3] = w1 >> 8;
      }
      return out;
    case 311:
      for (let g = 0, p = 0; g < groups; g++, p += 4) {
        const w = ((get(3 * g) & 0x3ff) | ((get(3 * g + 1) & 0x3ff) << 10) | ((get(3 * g + 2) & 0x3ff) << 20)) >>> 0;
        out[p] = w & 0xff; out[p + 1] = (w >>> 8) & 0xff; out[p + 2] = (w >>> 16) & 0xff; out[p + 3] = w >>> 24;
      }
      return out;
    case 16: case 61: case 160: case 24: case 32: case 80: {
      const bpg = fmt.bytesPerGroup;
      for (let i = 0, p = 0; i < n; i++, p += bpg) {
        let v = get(i);
        if (fmt.code === 160) v += 32768;
        else if (fmt.code === 80) v += 128;
        if (fmt.code === 61) { out[p] = (v >> 8) & 0xff; out[p + 1] = v & 0xff; continue; }
        for (let k = 0; k < bpg; k++) out[p + k] = (v >> (8 * k)) & 0xff;
      }
      return out;
    }
    case 8: {
      if (!differenceChains) throw new Error('format 8 needs the difference chains');
      const { frameSize, owner, initial } = differenceChains;
      const prev = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const sig = owner[i % frameSize];
        const last = prev.get(sig) ?? initial[sig];
        const v = values[i];
        const d = v - last;
        if (!Number.isInteger(v) || d < -128 || d > 127) {
          throw new FormatError(file, `sample ${i} of the file (${v}) differs from the previous one of its signal by ${d}, more than format 8's -128..127 (use clipToFormat)`);
        }
        out[i] = d & 0xff;
        prev.set(sig, v);
      }
      return out;
    }
    default:
      throw new FormatError(file, `cannot write signal format ${fmt.code}`);
  }
}

/** WFDB's 16-bit signed checksum: the sum of a signal's samples, modulo 2^16. */
export function wfdbChecksum(samples: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < samples.length; i++) c = (c + samples[i]) | 0;
  return (c << 16) >> 16;
}

/** Write `<dir>/<name>.hea` and its signal files; returns the header path. */
export async function writeWfdbRecord(dir: string, rec: WfdbRecordToWrite): Promise<string> {
  const headerPath = join(dir, `${rec.name}.hea`);
  const sigs = rec.signals.map((s) => ({ ...s, fileName: s.fileName ?? `${rec.name}.dat`, spf: s.samplesPerFrame ?? 1, skew: s.skew ?? 0, byteOffset: s.byteOffset ?? 0 }));
  const frameCounts = sigs.map((s) => s.samples.length / s.spf);
  const frames = frameCounts.length ? frameCounts[0] : 0;
  if (frameCounts.some((f) => f !== frames || !Number.isInteger(f))) {
    throw new FormatError(headerPath, `signals must all hold the same number of frames (got ${frameCounts.join(', ')})`);
  }
  // Group signals by file, in order; a file's signals must be consecutive.
  const files: { name: string; members: number[] }[] = [];
  sigs.forEach((s, i) => {
    const last = files[files.length - 1];
    if (last && last.name === s.fileName) last.members.push(i);
    else if (files.some((f) => f.name === s.fileName)) throw new FormatError(headerPath, `signals of ${s.fileName} must be consecutive`);
    else files.push({ name: s.fileName, members: [i] });
  });
  for (const f of files) {
    const fsigs = f.members.map((i) => sigs[i]);
    const fmt = wfdbFormat(fsigs[0].format, join(dir, f.name));
    if (fsigs.some((s) => s.format !== fmt.code)) throw new FormatError(join(dir, f.name), 'signals of one file must share a format');
    const maxSkew = Math.max(...fsigs.map((s) => s.skew));
    const frameSize = fsigs.reduce((a, s) => a + s.spf, 0);
    const fileFrames = frames + maxSkew;
    const seq = new Float64Array(fileFrames * frameSize);
    const owner: number[] = [];
    let off = 0;
    for (const [k, s] of fsigs.entries()) {
      for (let j = 0; j < s.spf; j++) owner.push(k);
      // Frames before the skew repeat the first sample and frames after the end repeat the last, so format 8's
      // difference chain stays within range and readers that ignore skew still see plausible values.
      const n = s.samples.length;
      for (let fr = 0; fr < fileFrames; fr++) {
        for (let j = 0; j < s.spf; j++) {
          const idx = Math.min(n - 1, Math.max(0, (fr - s.skew) * s.spf + j));
          seq[fr * frameSize + off + j] = n ? s.samples[idx] : 0;
        }
      }
      off += s.spf;
    }
    const initial = fsigs.map((s) => (s.samples.length ? s.samples[0] : 0));
    const body = encodeSamples(fmt, seq, join(dir, f.name), { frameSize, owner, initial });
    const byteOffset = fsigs[0].byteOffset;
    if (fsigs.some((s) => s.byteOffset !== byteOffset)) throw new FormatError(join(dir, f.name), 'signals of one file must share a byte offset');
    const bytes = new Uint8Array(byteOffset + body.length);
    bytes.fill(rec.preambleByte ?? 0xa5, 0, byteOffset);
    bytes.set(body, byteOffset);
    await writeFile(join(dir, f.name), bytes);
  }
  await writeFile(headerPath, formatWfdbHeader(rec.name, rec.fs, frames, sigs.map((s, i) => ({
    fileName: s.fileName,
    format: s.format,
    samplesPerFrame: s.spf,
    skew: s.skew,
    byteOffset: s.byteOffset,
    gain: s.gain ?? 200,
    baseline: s.baseline ?? s.adcZero ?? 0,
    units: s.units ?? 'mV',
    adcResolution: s.adcResolution ?? wfdbFormat(s.format, headerPath).bits,
    adcZero: s.adcZero ?? 0,
    initialValue: s.samples.length ? s.samples[0] : 0,
    checksum: wfdbChecksum(s.samples),
    description: s.description ?? `signal ${i}`,
  })), rec), 'latin1');
  return headerPath;
}

export interface WfdbSignalLine {
  fileName: string; format: number; samplesPerFrame: number; skew: number; byteOffset: number; gain: number;
  baseline: number; units: string; adcResolution: number; adcZero: number; initialValue: number; checksum: number;
  description: string;
}

/** Header text: record line, then one signal line per signal (every field written), then comments. */
export function formatWfdbHeader(
  name: string,
  fs: number,
  frames: number,
  signals: WfdbSignalLine[],
  opts: { baseTime?: string; baseDate?: string; comments?: string[]; lineEnding?: '\n' | '\r\n' } = {},
): string {
  const eol = opts.lineEnding ?? '\n';
  const recordLine = [name, signals.length, fs, frames, opts.baseTime, opts.baseTime ? opts.baseDate : undefined].filter((x) => x !== undefined).join(' ');
  const lines = [recordLine];
  for (const s of signals) {
    const fmt = `${s.format}${s.samplesPerFrame !== 1 ? `x${s.samplesPerFrame}` : ''}${s.skew ? `:${s.skew}` : ''}${s.byteOffset ? `+${s.byteOffset}` : ''}`;
    lines.push([s.fileName, fmt, `${s.gain}(${s.baseline})/${s.units}`, s.adcResolution, s.adcZero, s.initialValue, s.checksum, 0, s.description].join(' '));
  }
  for (const c of opts.comments ?? []) lines.push(`# ${c}`);
  return lines.join(eol) + eol;
}

/** Master header of a multi-segment record (`name/nseg nsig fs nsamp`, then `segment length` lines). */
export async function writeWfdbMultiSegmentHeader(
  dir: string,
  name: string,
  fs: number,
  numberOfSignals: number,
  segments: { name: string; length: number }[],
): Promise<string> {
  const total = segments.reduce((s, g) => s + g.length, 0);
  const text = [`${name}/${segments.length} ${numberOfSignals} ${fs} ${total}`, ...segments.map((s) => `${s.name} ${s.length}`)].join('\n') + '\n';
  const path = join(dir, `${name}.hea`);
  await writeFile(path, text, 'latin1');
  return path;
}
