/** Small helpers every importer and writer shares, so their checks and messages stay the same. */
import { stat, type FileHandle } from 'node:fs/promises';
import { FormatError } from './errors.js';

/** Size of a regular file in bytes; a directory or an unreadable path is a FormatError naming it. */
export async function fileSize(path: string, kind: string): Promise<number> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new FormatError(path, `is a directory, not ${kind}`);
    return st.size;
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError(path, code === 'ENOENT' ? 'no such file' : `cannot read file (${code ?? String(e)})`);
  }
}

/** Smallest and largest digital value, skipping the format's invalid-sample marker; Infinity/-Infinity when none. */
export function digitalRange(samples: ArrayLike<number>, invalid: number | undefined): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v === invalid) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi };
}

/** Fill `buf` from `position` of an open file, as far as the file goes (one read may return less); bytes read. */
export async function readAt(fh: FileHandle, buf: Uint8Array, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
