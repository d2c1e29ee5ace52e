/**
 * The device's model store. A push is staged, verified and self-tested before one atomic rename of
 * `state.json` makes it current; the previous model is kept for rollback. Anything left in `staging/` by an
 * interrupted push (power loss, kill) is removed at start-up, and model directories that `state.json` does not
 * name are removed too, so an interrupted push never changes the running model and leaves no temp files.
 *
 *   <data-dir>/state.json          { current, previous }   (ActiveModel records)
 *   <data-dir>/models/<id>/        model.json, weights, model card
 *   <data-dir>/staging/<upload>/   an upload in progress
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { unpackBundle } from '../src-main/devices/bundle.js';
import { DeviceError } from '../src-main/devices/errors.js';
import type { ActiveModel } from '../src-main/devices/protocol.js';
import { writeFileAtomic } from './fsutil.js';

export interface StoreState { current: ActiveModel | null; previous: ActiveModel | null }

export class PushError extends DeviceError {}

export class ModelStore {
  state: StoreState = { current: null, previous: null };
  private constructor(readonly dataDir: string) {}

  static async open(dataDir: string): Promise<ModelStore> {
    const s = new ModelStore(dataDir);
    await mkdir(join(dataDir, 'models'), { recursive: true });
    await rm(join(dataDir, 'staging'), { recursive: true, force: true });
    await mkdir(join(dataDir, 'staging'), { recursive: true });
    try {
      s.state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as StoreState;
    } catch {
      s.state = { current: null, previous: null };
    }
    // Remove stray temp files of atomic writes and model directories no state names.
    for (const f of await readdir(dataDir)) if (f.includes('.tmp-')) await rm(join(dataDir, f), { force: true });
    await s.prune();
    return s;
  }

  modelDir(m: ActiveModel): string {
    return join(this.dataDir, 'models', m.id);
  }

  /**
   * Receive an upload into staging, checking size and SHA-256 as bytes arrive. Returns the staging directory
   * with the unpacked files; the caller self-tests it and then calls `activate` or `discard`.
   */
  async receive(body: Readable, expectedSha256: string, maxBytes: number): Promise<{ dir: string; sha256: string; bytes: number }> {
    const id = randomUUID();
    const bundlePath = join(this.dataDir, 'staging', `${id}.bundle`);
    const dir = join(this.dataDir, 'staging', id);
    const h = createHash('sha256');
    let bytes = 0;
    const out = createWriteStream(bundlePath);
    try {
      await new Promise<void>((resolve, reject) => {
        let refused = false;
        body.on('data', (chunk: Buffer) => {
          if (refused) return; // drained, so the 413 answer reaches the app instead of a reset connection
          bytes += chunk.length;
          if (bytes > maxBytes) {
            refused = true;
            reject(new PushError(`upload exceeds the device's limit of ${maxBytes} bytes`, undefined, 413));
            return;
          }
          h.update(chunk);
          if (!out.write(chunk)) { body.pause(); out.once('drain', () => body.resume()); }
        });
        body.on('end', () => out.end(() => resolve()));
        body.on('aborted', () => reject(new PushError('upload was interrupted', undefined, 400)));
        body.on('error', (e) => reject(new PushError(`upload failed: ${e.message}`, undefined, 400)));
        out.on('error', (e) => reject(new PushError(`cannot store upload: ${e.message}`, undefined, 507)));
      });
      const sha256 = h.digest('hex');
      if (sha256 !== expectedSha256.toLowerCase()) {
        throw new PushError(`SHA-256 mismatch: the upload hashes to ${sha256}, the app announced ${expectedSha256}`, undefined, 422);
      }
      const files = unpackBundle(await readFile(bundlePath), 'uploaded model bundle');
      if (!files.some((f) => f.name === 'model.json')) throw new PushError('the uploaded bundle has no model.json', undefined, 422);
      await mkdir(dir);
      for (const f of files) await writeFile(join(dir, f.name), f.bytes);
      return { dir, sha256, bytes };
    } catch (e) {
      out.destroy();
      await rm(dir, { recursive: true, force: true });
      throw e instanceof DeviceError ? new PushError(e.message, undefined, (e as PushError).status ?? 422) : e;
    } finally {
      await rm(bundlePath, { force: true });
    }
  }

  async discard(stagingDir: string): Promise<void> {
    await rm(stagingDir, { recursive: true, force: true });
  }

  /** Make a self-tested staging directory the current model: rename into models/, then one atomic state write. */
  async activate(stagingDir: string, model: Omit<ActiveModel, 'id' | 'activatedAt'>): Promise<StoreState> {
    const id = `${model.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${model.sha256.slice(0, 12)}`;
    const target = join(this.dataDir, 'models', id);
    const active: ActiveModel = { ...model, id, activatedAt: new Date().toISOString() };
    if (this.state.current?.id === id) {
      await this.discard(stagingDir); // same bytes already running
      return this.state;
    }
    await rm(target, { recursive: true, force: true });
    await rename(stagingDir, target);
    const next: StoreState = { current: active, previous: this.state.current };
    await writeFileAtomic(join(this.dataDir, 'state.json'), JSON.stringify(next, null, 2));
    this.state = next;
    await this.prune();
    return next;
  }

  async rollback(): Promise<StoreState> {
    if (!this.state.previous) throw new PushError('there is no previous model to roll back to', undefined, 409);
    const next: StoreState = { current: this.state.previous, previous: this.state.current };
    await writeFileAtomic(join(this.dataDir, 'state.json'), JSON.stringify(next, null, 2));
    this.state = next;
    return next;
  }

  /** Keep only the current and previous models on disk. */
  private async prune(): Promise<void> {
    const keep = new Set([this.state.current?.id, this.state.previous?.id].filter(Boolean));
    for (const d of await readdir(join(this.dataDir, 'models'))) {
      if (!keep.has(d)) await rm(join(this.dataDir, 'models', d), { recursive: true, force: true });
    }
  }
}
