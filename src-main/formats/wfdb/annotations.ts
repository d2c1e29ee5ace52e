/**
 * WFDB annotation files in MIT format (https://physionet.org/physiotools/wag/annot-5.htm).
 *
 * The file is a sequence of 16-bit little-endian words. Each word holds a 6-bit code A (bits 10-15) and a
 * 10-bit value I (bits 0-9). A word with A in 1..49 is an annotation whose time is the previous time plus I.
 * Pseudo-codes modify it:
 *   A=59 SKIP: I is 0; the next two words hold a 32-bit time increment, high word first (PDP-11 order).
 *   A=60 NUM:  I is the `num` field of this and later annotations (num carries over).
 *   A=61 SUB:  I is the subtype of the current annotation.
 *   A=62 CHN:  I is the `chan` field of this and later annotations (chan carries over).
 *   A=63 AUX:  I is a byte count; that many bytes of auxiliary text follow, padded to an even length.
 *   A=0, I=0:  end of file.
 * SKIP precedes the annotation word it applies to; SUB, CHN, NUM and AUX follow it.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { annotationCode, WFDB_ANNOTATION_SYMBOLS, type Annotation } from '../../domain/annotation.js';
import { FormatError } from '../errors.js';

const SKIP = 59, NUM = 60, SUB = 61, CHN = 62, AUX = 63;

export function decodeWfdbAnnotations(file: string, bytes: Uint8Array): Annotation[] {
  const out: Annotation[] = [];
  const n = bytes.length;
  if (n % 2 !== 0) throw new FormatError(file, `annotation file has an odd length (${n} bytes); it is truncated or not a WFDB annotation file`);
  let p = 0;
  let time = 0;
  let chan = 0;
  let numField = 0;
  let pendingSkip = 0;
  let current: Annotation | undefined;
  let ended = false;
  const word = (at: number): number => bytes[at] | (bytes[at + 1] << 8);
  while (p + 1 < n) {
    const w = word(p);
    const a = w >> 10;
    const i = w & 0x3ff;
    p += 2;
    if (a === 0 && i === 0) { ended = true; break; }
    switch (a) {
      case SKIP: {
        if (p + 4 > n) throw new FormatError(file, `SKIP at byte ${p - 2} is cut off by the end of the file`);
        const hi = word(p), lo = word(p + 2);
        pendingSkip += ((hi << 16) | lo) | 0; // signed 32-bit
        p += 4;
        break;
      }
      case NUM:
        numField = (i << 22) >> 22; // num is a signed 10-bit field
        if (current) current.num = numField;
        break;
      case SUB:
        if (!current) throw new FormatError(file, `SUB at byte ${p - 2} before any annotation`);
        current.subtype = (i << 22) >> 22;
        break;
      case CHN:
        chan = i;
        if (current) current.chan = chan;
        break;
      case AUX: {
        if (!current) throw new FormatError(file, `AUX at byte ${p - 2} before any annotation`);
        if (p + i > n) throw new FormatError(file, `AUX text of ${i} bytes at byte ${p - 2} runs past the end of the file`);
        let end = p + i;
        // WFDB writes a terminating NUL inside the counted bytes for some annotators; stop at it.
        const nul = bytes.subarray(p, end).indexOf(0);
        if (nul >= 0) end = p + nul;
        current.aux = new TextDecoder('latin1').decode(bytes.subarray(p, end));
        p += i + (i & 1);
        break;
      }
      default: {
        if (a > 49) throw new FormatError(file, `invalid annotation code ${a} at byte ${p - 2}`);
        time += pendingSkip + i;
        pendingSkip = 0;
        current = {
          sample: time,
          symbol: WFDB_ANNOTATION_SYMBOLS[a] ?? `[${a}]`,
          code: a,
          subtype: 0,
          chan,
          num: numField,
          aux: '',
        };
        out.push(current);
      }
    }
  }
  if (!ended && p < n) throw new FormatError(file, 'annotation file ends in the middle of a word');
  return out;
}

export async function readWfdbAnnotationFile(file: string): Promise<Annotation[]> {
  let bytes: Buffer;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new FormatError(file, 'is a directory, not an annotation file');
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError(file, code === 'ENOENT' ? 'annotation file does not exist' : `cannot read annotation file (${code})`);
  }
  return decodeWfdbAnnotations(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Encode annotations (sorted by sample) into MIT format. Never drops one: unknown symbols are an error. */
export function encodeWfdbAnnotations(annotations: readonly Annotation[], file = '<annotations>'): Uint8Array {
  // Worst case per annotation: SKIP (6) + word (2) + SUB/CHN/NUM (6) + AUX (2 + 256).
  let cap = 2;
  for (const a of annotations) cap += 14 + 2 + a.aux.length * 3 + 2;
  const buf = new Uint8Array(cap);
  let p = 0;
  const put = (w: number): void => { buf[p++] = w & 0xff; buf[p++] = (w >> 8) & 0xff; };
  let time = 0, chan = 0, num = 0;
  const enc = new TextEncoder();
  for (const a of annotations) {
    const code = a.code > 0 && a.code <= 49 ? a.code : annotationCode(a.symbol);
    if (code === undefined || code < 0 || code > 49 || (code === 0 && a.symbol !== ' ')) {
      throw new FormatError(file, `annotation at sample ${a.sample} has symbol '${a.symbol}' with no WFDB code`);
    }
    if (!Number.isInteger(a.sample) || a.sample < 0) throw new FormatError(file, `annotation has invalid sample ${a.sample}`);
    const delta = a.sample - time;
    if (delta < 0 || delta > 1023) {
      put(SKIP << 10);
      put((delta >>> 16) & 0xffff);
      put(delta & 0xffff);
      put(code << 10);
    } else {
      put((code << 10) | delta);
    }
    time = a.sample;
    if (a.subtype !== 0) put((SUB << 10) | (a.subtype & 0x3ff));
    if (a.chan !== chan) { put((CHN << 10) | (a.chan & 0x3ff)); chan = a.chan; }
    if (a.num !== num) { put((NUM << 10) | (a.num & 0x3ff)); num = a.num; }
    if (a.aux) {
      const bytes = enc.encode(a.aux);
      if (bytes.length > 255) throw new FormatError(file, `aux text at sample ${a.sample} is longer than 255 bytes`);
      put((AUX << 10) | bytes.length);
      buf.set(bytes, p);
      p += bytes.length + (bytes.length & 1);
    }
  }
  put(0);
  return buf.slice(0, p);
}

export async function writeWfdbAnnotationFile(file: string, annotations: readonly Annotation[]): Promise<void> {
  const sorted = [...annotations].sort((x, y) => x.sample - y.sample);
  await writeFile(file, encodeWfdbAnnotations(sorted, file));
}
