/**
 * An integer model on disk, beside the tfjs files of the model it was quantized from: `integer.json` (the spec the
 * TypeScript runtime reads) and `ecg_model.h` / `ecg_model.c` (the same model as C99 source for a microcontroller).
 * A directory with `integer.json` is classified by the integer runtime (`loadModel`, `classify`, `compare`).
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LiteModelError } from './errors.js';
import { IntegerModel, type IntegerModelSpec } from './integer.js';
import { integerModelC } from './integer-c.js';

export const INTEGER_JSON = 'integer.json';
export const C_HEADER = 'ecg_model.h';
export const C_SOURCE = 'ecg_model.c';
export const INTEGER_FILES = [INTEGER_JSON, C_HEADER, C_SOURCE] as const;

/** The integer model of `dir`, or null when it has none. */
export async function readIntegerModel(dir: string): Promise<IntegerModel | null> {
  const p = join(dir, INTEGER_JSON);
  if (!existsSync(p)) return null;
  let spec: IntegerModelSpec;
  try {
    spec = JSON.parse(await readFile(p, 'utf8')) as IntegerModelSpec;
  } catch (e) {
    throw new LiteModelError(`${INTEGER_JSON} is not valid JSON: ${(e as Error).message}`, dir);
  }
  return new IntegerModel(spec, dir);
}

/** Write the spec and its C source; returns each file's bytes and gzipped bytes. */
export async function writeIntegerModel(dir: string, spec: IntegerModelSpec): Promise<{ name: string; bytes: number; gzipBytes: number }[]> {
  const c = integerModelC(spec);
  const contents: [string, string][] = [[INTEGER_JSON, `${JSON.stringify(spec)}\n`], [C_HEADER, c.header], [C_SOURCE, c.source]];
  const out = [];
  for (const [name, text] of contents) {
    await writeFile(join(dir, name), text);
    const buf = Buffer.from(text);
    out.push({ name, bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length });
  }
  return out;
}

/** Remove a stale integer model from a directory about to be rewritten. */
export async function removeIntegerModel(dir: string): Promise<void> {
  for (const f of INTEGER_FILES) await rm(join(dir, f), { force: true });
}
