/** initEngine climbs the backend ladder, reports what it got, and is idempotent. */
import { describe, expect, it } from 'vitest';
import { tf } from '../../../src-main/model/engine/tf.js';
import { describeEngine, engineInfo, initEngine, wasmBinaryDir } from '../../../src-main/model/engine/backend.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

describe('initEngine', () => {
  it('prefer wasm → the wasm backend, single-threaded in Node, with the registered gradient kernels', async () => {
    const info = await initEngine({ prefer: 'wasm' });
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(typeof info.simd).toBe('boolean');
    expect(info.version).toContain(tf.version_core);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(engineInfo()).toEqual(info);
    expect(describeEngine(info)).toMatch(/^wasm \((no )?SIMD, 1 thread\)/);
  });

  it('is idempotent, and can switch to cpu and back', async () => {
    const a = await initEngine({ prefer: 'wasm' });
    const [b, c] = await Promise.all([initEngine({ prefer: 'wasm' }), initEngine({ prefer: 'wasm' })]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const cpu = await initEngine({ prefer: 'cpu' });
    expect(cpu.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initEngine({ prefer: 'wasm' })).backend).toBe('wasm');
  });

  it('prefer node falls through to the best available backend when tfjs-node is not installed', async () => {
    const info = await initEngine({ prefer: 'node' });
    let nodeInstalled = true;
    try {
      await import(['@tensorflow', 'tfjs-node'].join('/'));
    } catch {
      nodeInstalled = false;
    }
    expect(info.backend).toBe(nodeInstalled ? 'tensorflow' : 'wasm');
    // Whatever the backend, computation works.
    expect(Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync()))).toEqual([2, 3]);
  });

  it('finds the wasm binaries on disk', () => {
    expect(existsSync(join(wasmBinaryDir(), 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });
});
