/**
 * WFDB signal storage formats, one row per format code, as specified in
 * https://physionet.org/physiotools/wag/signal-5.htm ("Signal files").
 *
 * `bytesPerGroup` / `samplesPerGroup` describe the smallest byte-aligned unit: format 212 packs two samples in
 * three bytes, 310 and 311 pack three samples in four bytes; every other format stores whole bytes per sample.
 * Samples are packed in the file in frame order (sample 0 of every signal in the file, then sample 1, …), and
 * the packing groups run across signal boundaries within the frame sequence. Format 0 is a null signal (no
 * file); format 8 stores first differences, decoded by accumulating from the header's initial value.
 */
export interface WfdbFormat {
  code: number;
  bytesPerGroup: number;
  samplesPerGroup: number;
  /** Bits of resolution of one sample. */
  bits: number;
  /** Decoded samples fit an Int16Array (format 8 accumulates differences, so its values may not). */
  fitsInt16: boolean;
  /** Value that WFDB uses to mark a missing sample in this format. */
  invalidValue: number;
  /** Formats that store first differences must be decoded from the start of the file. */
  differences: boolean;
  description: string;
}

export const WFDB_FORMATS: ReadonlyMap<number, WfdbFormat> = new Map(
  (
    [
      [0, 0, 1, 16, -32768, false, 'null signal: no data stored, every sample missing'],
      [8, 1, 1, 8, -32768, true, '8-bit first differences'],
      [16, 2, 1, 16, -32768, false, '16-bit two’s complement, little-endian'],
      [24, 3, 1, 24, -(2 ** 23), false, '24-bit two’s complement, little-endian'],
      [32, 4, 1, 32, -(2 ** 31), false, '32-bit two’s complement, little-endian'],
      [61, 2, 1, 16, -32768, false, '16-bit two’s complement, big-endian'],
      [80, 1, 1, 8, -128, false, '8-bit offset binary'],
      [160, 2, 1, 16, -32768, false, '16-bit offset binary'],
      [212, 3, 2, 12, -2048, false, 'two 12-bit samples packed in three bytes'],
      [310, 4, 3, 10, -512, false, 'three 10-bit samples packed in two 16-bit words'],
      [311, 4, 3, 10, -512, false, 'three 10-bit samples packed in one 32-bit word'],
    ] as const
  ).map(([code, bytesPerGroup, samplesPerGroup, bits, invalidValue, differences, description]) => [
    code,
    { code, bytesPerGroup, samplesPerGroup, bits, fitsInt16: bits <= 16 && !differences, invalidValue, differences, description },
  ]),
);

/**
 * Decode `count` consecutive samples of one format starting at packed-sample index `firstIndex` (an index in
 * the file's sample sequence, counting from the signal file's byte offset) from `bytes`, whose first byte is
 * the start of the group that holds `firstIndex`. Writes into `out` and returns it.
 */
export function decodeSamples(
  fmt: WfdbFormat,
  bytes: Uint8Array,
  firstIndex: number,
  count: number,
  out: Int32Array,
): Int32Array {
  const b = bytes;
  switch (fmt.code) {
    case 212: {
      // Byte layout of a pair (s0, s1): b0 = s0 bits 0-7; b1 low nibble = s0 bits 8-11,
      // b1 high nibble = s1 bits 8-11; b2 = s1 bits 0-7. Sign-extend 12 → 32 bits with << 20 >> 20.
      let k = firstIndex & 1;
      let p = 0;
      for (let i = 0; i < count; i++) {
        if (k === 0) {
          out[i] = ((b[p] | ((b[p + 1] & 0x0f) << 8)) << 20) >> 20;
          k = 1;
        } else {
          out[i] = ((b[p + 2] | ((b[p + 1] & 0xf0) << 4)) << 20) >> 20;
          k = 0;
          p += 3;
        }
      }
      return out;
    }
    case 16: {
      for (let i = 0, p = 0; i < count; i++, p += 2) out[i] = ((b[p] | (b[p + 1] << 8)) << 16) >> 16;
      return out;
    }
    case 61: {
      for (let i = 0, p = 0; i < count; i++, p += 2) out[i] = (((b[p] << 8) | b[p + 1]) << 16) >> 16;
      return out;
    }
    case 80: {
      for (let i = 0; i < count; i++) out[i] = b[i] - 128;
      return out;
    }
    case 160: {
      for (let i = 0, p = 0; i < count; i++, p += 2) out[i] = (b[p] | (b[p + 1] << 8)) - 32768;
      return out;
    }
    case 24: {
      for (let i = 0, p = 0; i < count; i++, p += 3) out[i] = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8;
      return out;
    }
    case 32: {
      for (let i = 0, p = 0; i < count; i++, p += 4) out[i] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
      return out;
    }
    case 310: {
      // Two little-endian 16-bit words w0, w1 per group; bit 0 of each word is unused.
      // s0 = w0 bits 1-10, s1 = w1 bits 1-10, s2 = w0 bits 11-15 (low half) + w1 bits 11-15 (high half).
      let k = firstIndex % 3;
      let p = 0;
      for (let i = 0; i < count; i++) {
        const w0 = b[p] | (b[p + 1] << 8);
        const w1 = b[p + 2] | (b[p + 3] << 8);
        let v: number;
        if (k === 0) v = (w0 >> 1) & 0x3ff;
        else if (k === 1) v = (w1 >> 1) & 0x3ff;
        else v = ((w0 >> 11) & 0x1f) | (((w1 >> 11) & 0x1f) << 5);
        out[i] = (v << 22) >> 22;
        if (++k === 3) { k = 0; p += 4; }
      }
      return out;
    }
    case 311: {
      // One little-endian 32-bit word per group: s0 = bits 0-9, s1 = bits 10-19, s2 = bits 20-29.
      let k = firstIndex % 3;
      let p = 0;
      for (let i = 0; i < count; i++) {
        const w = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
        out[i] = (((w >>> (10 * k)) & 0x3ff) << 22) >> 22;
        if (++k === 3) { k = 0; p += 4; }
      }
      return out;
    }
    case 8: {
      // Differences; the caller accumulates per signal from each signal's initial value.
      for (let i = 0; i < count; i++) out[i] = (b[i] << 24) >> 24;
      return out;
    }
    default:
      throw new Error(`format ${fmt.code} has no decoder`);
  }
}

/** Byte offset (from the file's data start) of the group containing packed-sample index `index`. */
export function groupByteOffset(fmt: WfdbFormat, index: number): number {
  return Math.floor(index / fmt.samplesPerGroup) * fmt.bytesPerGroup;
}

/** Bytes needed to hold packed samples [0, n). */
export function bytesForSamples(fmt: WfdbFormat, n: number): number {
  return Math.ceil(n / fmt.samplesPerGroup) * fmt.bytesPerGroup;
}

/** Number of whole samples that `byteCount` bytes hold. */
export function samplesInBytes(fmt: WfdbFormat, byteCount: number): number {
  return Math.floor(byteCount / fmt.bytesPerGroup) * fmt.samplesPerGroup +
    (fmt.code === 212 && byteCount % 3 >= 2 ? 1 : 0);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Hot path for the common MIT-BIH layout: format 212 with two signals per file, one sample each per frame, so
 * every frame is exactly one 3-byte group. Decodes `count` frames starting at byte `p` straight into the
 * output arrays (either may be null when that signal was not asked for) with no intermediate buffer.
 */
export function decode212Pairs(
  b: Uint8Array,
  p: number,
  count: number,
  out0: Int16Array | Int32Array | null,
  out1: Int16Array | Int32Array | null,
): void {
  if (out0 && out1) {
    let i = 0;
    if (LITTLE_ENDIAN && (b.byteOffset + p) % 4 === 0 && count >= 4) {
      // Four frames are twelve bytes, i.e. three aligned 32-bit words x, y, z (bytes B0..B11, little-endian);
      // three word loads replace twelve byte loads. Frame f's bytes are B(3f), B(3f+1), B(3f+2).
      const nw = Math.floor(count / 4) * 3;
      const w = new Int32Array(b.buffer, b.byteOffset + p, nw);
      for (let k = 0; k < nw; k += 3, i += 4) {
        const x = w[k], y = w[k + 1], z = w[k + 2];
        out0[i] = (x << 20) >> 20;
        out1[i] = ((((x >>> 16) & 0xff) | ((x >>> 4) & 0xf00)) << 20) >> 20;
        out0[i + 1] = (((x >>> 24) | ((y & 0xf) << 8)) << 20) >> 20;
        out1[i + 1] = ((((y >>> 8) & 0xff) | ((y << 4) & 0xf00)) << 20) >> 20;
        out0[i + 2] = ((y >>> 16) << 20) >> 20;
        out1[i + 2] = (((z & 0xff) | ((y >>> 20) & 0xf00)) << 20) >> 20;
        out0[i + 3] = ((z >>> 8) << 20) >> 20;
        out1[i + 3] = (((z >>> 24) | ((z >>> 12) & 0xf00)) << 20) >> 20;
      }
      p += nw * 4;
    }
    for (; i < count; i++, p += 3) {
      const m = b[p + 1];
      out0[i] = ((b[p] | ((m & 0x0f) << 8)) << 20) >> 20;
      out1[i] = ((b[p + 2] | ((m & 0xf0) << 4)) << 20) >> 20;
    }
  } else if (out0) {
    for (let i = 0; i < count; i++, p += 3) out0[i] = ((b[p] | ((b[p + 1] & 0x0f) << 8)) << 20) >> 20;
  } else if (out1) {
    for (let i = 0; i < count; i++, p += 3) out1[i] = ((b[p + 2] | ((b[p + 1] & 0xf0) << 4)) << 20) >> 20;
  }
}

/**
 * Decode `count` samples of one signal from a byte-aligned format (16, 61, 80, 160, 24, 32): the first at
 * byte `p`, the next `stride` bytes later (stride = bytes per frame, so this demultiplexes one signal).
 */
export function decodeStrided(fmt: WfdbFormat, b: Uint8Array, p: number, stride: number, count: number, out: Int16Array | Int32Array): void {
  switch (fmt.code) {
    case 16:
      for (let i = 0; i < count; i++, p += stride) out[i] = ((b[p] | (b[p + 1] << 8)) << 16) >> 16;
      return;
    case 61:
      for (let i = 0; i < count; i++, p += stride) out[i] = (((b[p] << 8) | b[p + 1]) << 16) >> 16;
      return;
    case 80:
      for (let i = 0; i < count; i++, p += stride) out[i] = b[p] - 128;
      return;
    case 160:
      for (let i = 0; i < count; i++, p += stride) out[i] = (b[p] | (b[p + 1] << 8)) - 32768;
      return;
    case 24:
      for (let i = 0; i < count; i++, p += stride) out[i] = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8;
      return;
    case 32:
      for (let i = 0; i < count; i++, p += stride) out[i] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
      return;
    default:
      throw new Error(`format ${fmt.code} is not byte-aligned`);
  }
}

/** Formats whose samples each occupy whole bytes and need no history (decodeStrided handles them). */
export function isByteAligned(fmt: WfdbFormat): boolean {
  return fmt.samplesPerGroup === 1 && fmt.bytesPerGroup > 0 && !fmt.differences;
}
