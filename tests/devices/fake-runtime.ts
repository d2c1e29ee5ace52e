/**
 * A stand-in model runtime for the agent's transport and storage tests (pairing, tokens, uploads, atomic
 * switch, rollback, fault injection). It reads the pushed model.json so the tests can push "models" whose
 * self-test passes or fails on purpose. The real runtime is exercised by tests/devices/agent-models.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedModel, ModelRuntime } from '../../src-agent/runtime.js';

export function fakeRuntime(opts: { beforeSelfTest?: () => Promise<void> } = {}): ModelRuntime {
  return {
    backend: 'fake',
    async load(dir: string): Promise<LoadedModel> {
      const m = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { fake?: { name: string; accuracy: number; promised: number } };
      if (!m.fake) throw new Error(`${join(dir, 'model.json')} is not a fake test model`);
      const f = m.fake;
      return {
        name: f.name,
        version: '1',
        backend: 'fake',
        selfTest: async () => {
          await opts.beforeSelfTest?.();
          const passed = f.accuracy >= f.promised - 0.02;
          return { accuracy: f.accuracy, beats: 100, promised: f.promised, tolerance: 0.02, passed, backend: 'fake', message: passed ? 'ok' : `accuracy ${f.accuracy} below the promised ${f.promised}` };
        },
        dispose: () => {},
      };
    },
    pipeline: () => ({ push: async () => [], flush: async () => [] }),
  };
}

export function fakeModelFiles(name: string, accuracy = 0.95, promised = 0.95, padding = 0): { name: string; bytes: Uint8Array }[] {
  return [
    { name: 'model.json', bytes: Buffer.from(JSON.stringify({ fake: { name, accuracy, promised } })) },
    { name: 'weights.bin', bytes: new Uint8Array(padding + 16).fill(7) },
  ];
}
