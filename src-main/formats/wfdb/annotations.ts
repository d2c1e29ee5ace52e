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
  return decodeWfdbAnnotationsWithLayout(file, bytes).annotations;
}

/**
 * How an annotation file spelled things the Annotation model does not keep, so that re-encoding can give back
 * the same bytes: whether each annotation's aux text counted a terminating NUL (the WFDB library writes one;
 * some MIT-BIH annotations were written without).
 */
export interface WfdbAnnotationLayout {
  auxNul: boolean[];
}

export function decodeWfdbAnnotationsWithLayout(file: string, bytes: Uint8Array): { annotations: Annotation[]; layout: WfdbAnnotationLayout } {
  const out: Annotation[] = [];
  const auxNul: boolean[] = [];
  const n = bytes.length;
  if (n === 0) throw new FormatError(file, 'annotation file is empty (not even the end-of-file word)');
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
        auxNul[out.length - 1] = nul >= 0 && nul === i - 1;
        current.aux = String.fromCharCode(...bytes.subarray(p, end)); // Latin-1: one byte, one code point
        p += i + (i & 1);
        break;
      }
      default: {
        if (a > 49) throw new FormatError(file, `invalid annotation code ${a} at byte ${p - 2}`);
        time += pendingSkip + i;
        pendingSkip = 0;
        if (time < 0 || time > Number.MAX_SAFE_INTEGER) throw new FormatError(file, `annotation at byte ${p - 2} has time ${time}, before the start of the record`);
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
        auxNul.push(true);
      }
    }
  }
  if (!ended && p < n) throw new FormatError(file, 'annotation file ends in the middle of a word');
  return { annotations: out, layout: { auxNul } };
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
export function encodeWfdbAnnotations(annotations: readonly Annotation[], file = '<annotations>', layout?: WfdbAnnotationLayout): Uint8Array {
  // Worst case per annotation: SKIP (6) + word (2) + SUB/CHN/NUM (6) + AUX (2 + 256).
  let cap = 2;
  for (const a of annotations) cap += 14 + 2 + a.aux.length + 2;
  const buf = new Uint8Array(cap);
  let p = 0;
  const put = (w: number): void => { buf[p++] = w & 0xff; buf[p++] = (w >> 8) & 0xff; };
  let time = 0, chan = 0, num = 0;
  for (let index = 0; index < annotations.length; index++) {
    const a = annotations[index];
    const code = a.code > 0 && a.code <= 49 ? a.code : annotationCode(a.symbol);
    if (code === undefined || code < 0 || code > 49 || (code === 0 && a.symbol !== ' ')) {
      throw new FormatError(file, `annotation at sample ${a.sample} has symbol '${a.symbol}' with no WFDB code`);
    }
    if (!Number.isInteger(a.sample) || a.sample < 0 || a.sample > 0x7fffffff) throw new FormatError(file, `annotation has invalid sample ${a.sample}`);
    // The fields are 10 bits wide: subtype and num signed, chan unsigned. Refuse rather than wrap.
    if (!Number.isInteger(a.subtype) || a.subtype < -512 || a.subtype > 511) throw new FormatError(file, `annotation at sample ${a.sample} has subtype ${a.subtype}, outside -512..511`);
    if (!Number.isInteger(a.num) || a.num < -512 || a.num > 511) throw new FormatError(file, `annotation at sample ${a.sample} has num ${a.num}, outside -512..511`);
    if (!Number.isInteger(a.chan) || a.chan < 0 || a.chan > 1023) throw new FormatError(file, `annotation at sample ${a.sample} has chan ${a.chan}, outside 0..1023`);
    const delta = a.sample - time;
    if (code === 0 && (delta < 1 || delta > 1023)) {
      // A code-0 word with a zero interval is the end-of-file marker, and SKIP is always followed by one.
      throw new FormatError(file, `annotation at sample ${a.sample} has code 0 (NOTQRS) ${delta} samples after the previous one; MIT format can store code 0 only 1..1023 samples after its predecessor`);
    }
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
      // As the WFDB library writes it: the text and a terminating NUL, counted, padded to an even length.
      const nul = layout?.auxNul[index] ?? true;
      const count = a.aux.length + (nul ? 1 : 0);
      if (count > 255) throw new FormatError(file, `aux text at sample ${a.sample} is ${a.aux.length} characters; at most 254 fit`);
      put((AUX << 10) | count);
      for (let k = 0; k < a.aux.length; k++) {
        const ch = a.aux.charCodeAt(k);
        if (ch === 0 || ch > 255) throw new FormatError(file, `aux text at sample ${a.sample} has character code ${ch}, which a WFDB annotation file cannot hold (Latin-1, no NUL)`);
        buf[p++] = ch;
      }
      if (nul) buf[p++] = 0;
      if (count & 1) buf[p++] = 0;
    }
  }
  put(0);
  return buf.slice(0, p);
}

export async function writeWfdbAnnotationFile(file: string, annotations: readonly Annotation[]): Promise<void> {
  const sorted = [...annotations].sort((x, y) => x.sample - y.sample);
  await writeFile(file, encodeWfdbAnnotations(sorted, file));
}
