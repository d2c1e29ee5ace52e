/** Small helpers every importer and writer shares, so their checks and messages stay the same. */
import { stat } from 'node:fs/promises';
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
