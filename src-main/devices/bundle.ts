/**
 * A model directory packed into one byte string for a push, so the device can verify one SHA-256 over the
 * whole upload before anything is unpacked. Layout:
 *   "ECGRMODEL1\n" | u32 LE index length | JSON index [{name, size}] | file bytes in index order
 * Names are flat file names (no directories): a TensorFlow.js model directory is flat.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeviceError } from './errors.js';

const MAGIC = Buffer.from('ECGRMODEL1\n', 'latin1');
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface BundleFile { name: string; bytes: Uint8Array }

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function packBundle(files: BundleFile[]): Buffer {
  const index = JSON.stringify(files.map((f) => ({ name: f.name, size: f.bytes.length })));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(Buffer.byteLength(index), 0);
  return Buffer.concat([MAGIC, head, Buffer.from(index), ...files.map((f) => Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength))]);
}

export function unpackBundle(bytes: Buffer, what = 'model bundle'): BundleFile[] {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DeviceError('is not an ECG Review model bundle (bad magic)', what);
  }
  const n = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + n > bytes.length) throw new DeviceError('bundle index runs past the end of the upload', what);
  let index: { name: string; size: number }[];
  try {
    index = JSON.parse(bytes.subarray(start, start + n).toString('utf8'));
  } catch {
    throw new DeviceError('bundle index is not valid JSON', what);
  }
  if (!Array.isArray(index) || index.length === 0 || index.length > 64) throw new DeviceError('bundle index must list 1 to 64 files', what);
  let p = start + n;
  const out: BundleFile[] = [];
  for (const e of index) {
    if (typeof e?.name !== 'string' || !SAFE_NAME.test(e.name) || !Number.isInteger(e.size) || e.size < 0) {
      throw new DeviceError(`bundle entry ${JSON.stringify(e?.name)} has an unsafe name or a bad size`, what);
    }
    if (p + e.size > bytes.length) throw new DeviceError(`bundle entry ${e.name} runs past the end of the upload`, what);
    out.push({ name: e.name, bytes: bytes.subarray(p, p + e.size) });
    p += e.size;
  }
  if (p !== bytes.length) throw new DeviceError(`bundle has ${bytes.length - p} trailing bytes`, what);
  return out;
}

/** Pack a model directory (model.json, weight files, model card). */
export async function packModelDir(dir: string): Promise<Buffer> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    throw new DeviceError('model directory does not exist or cannot be read', dir);
  }
  if (!names.includes('model.json')) throw new DeviceError('is not a model directory (no model.json)', dir);
  const files: BundleFile[] = [];
  for (const name of names) {
    const p = join(dir, name);
    if (!(await stat(p)).isFile() || !SAFE_NAME.test(name)) continue;
    files.push({ name, bytes: await readFile(p) });
  }
  return packBundle(files);
}
