/**
 * Backend ladder for TensorFlow.js: native libtensorflow (`@tensorflow/tfjs-node`, optional and usually absent
 * because its install downloads a binary) → WebAssembly (`@tensorflow/tfjs-backend-wasm`, XNNPACK with SIMD,
 * single-threaded in Node) → plain-JS `cpu`. `initEngine` picks the best rung at or below `prefer`, activates
 * it and returns what it got; `engineInfo()` reports it for display wherever results are shown.
 *
 * On wasm it also registers our gradient kernels (see wasm-grad-kernels.ts): the stock wasm backend lacks
 * Conv2DBackpropFilter, so a conv net could not train on it at all, and its Conv2DBackpropInput is slow.
 *
 * The environment variable ECG_REVIEW_BACKEND (node|wasm|cpu) overrides the default preference.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tf } from './tf.js';
import { EngineError } from './errors.js';
import { registerWasmGradKernels } from './wasm-grad-kernels.js';

export type BackendPreference = 'node' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface EngineInfo {
  /** The tfjs backend in use. */
  backend: BackendName;
  /** Whether the backend runs SIMD code (wasm: the SIMD binary was loaded; tensorflow: native build). */
  simd: boolean;
  /** Threads the backend's kernels use (wasm in Node is single-threaded). */
  threads: number;
  /** tfjs-core version, and the backend package's version. */
  version: string;
}

let current: EngineInfo | undefined;
let queue: Promise<unknown> = Promise.resolve();
const registered = new Set<BackendName>();

/**
 * Initialise (or switch) the tfjs backend. Idempotent: calling again with the same preference returns the
 * same info without reloading anything; calls are serialised. Throws EngineError only if even `cpu` fails.
 */
export function initEngine(options: { prefer?: BackendPreference } = {}): Promise<EngineInfo> {
  const prefer = options.prefer ?? envPreference() ?? 'node';
  const run = queue.then(() => climb(prefer));
  queue = run.catch(() => undefined);
  return run;
}

/** The backend in use, or undefined before `initEngine`. */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

/** One line for logs, CLI output and the app's status bar, e.g. "wasm (SIMD, 1 thread) tfjs 4.22.0". */
export function describeEngine(info: EngineInfo | undefined = current): string {
  if (!info) return 'tfjs (not initialised)';
  const feats = [info.simd ? 'SIMD' : 'no SIMD', `${info.threads} thread${info.threads === 1 ? '' : 's'}`];
  return `${info.backend} (${feats.join(', ')}) ${info.version}`;
}

function envPreference(): BackendPreference | undefined {
  const v = process.env.ECG_REVIEW_BACKEND;
  return v === 'node' || v === 'wasm' || v === 'cpu' ? v : undefined;
}

async function climb(prefer: BackendPreference): Promise<EngineInfo> {
  const ladder: BackendName[] =
    prefer === 'node' ? ['tensorflow', 'wasm', 'cpu'] : prefer === 'wasm' ? ['wasm', 'cpu'] : ['cpu'];
  const failures: string[] = [];
  for (const name of ladder) {
    try {
      if (!registered.has(name)) {
        await load(name);
        registered.add(name);
      }
      if (tf.getBackend() !== name) {
        const ok = await tf.setBackend(name);
        if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      }
      await tf.ready();
      current = await describe(name);
      return current;
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message ?? String(e)}`);
    }
  }
  throw new EngineError(`no TensorFlow.js backend could be initialised (${failures.join('; ')})`);
}

async function load(name: BackendName): Promise<void> {
  if (name === 'cpu') return; // bundled with @tensorflow/tfjs
  if (name === 'tensorflow') {
    // A variable specifier keeps TypeScript and bundlers from resolving the optional package.
    const pkg = '@tensorflow/tfjs-node';
    await import(pkg);
    // tfjs-node registers 'tensorflow' into the tfjs-core it depends on; if that is a second copy of
    // tfjs-core (version mismatch), our `tf` would not see it and must not pretend to use it.
    if (!tf.findBackendFactory('tensorflow')) {
      throw new Error('@tensorflow/tfjs-node loaded but registered into a different tfjs-core copy');
    }
    return;
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmBinaryDir();
  // In Node, emscripten reads the .wasm with fs from this prefix; in a browser bundle a URL would be needed.
  wasm.setWasmPaths(dir);
  registerWasmGradKernels();
}

/** Directory (with trailing separator) holding tfjs-backend-wasm's .wasm binaries. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@tensorflow/tfjs-backend-wasm'); // …/dist/tf-backend-wasm.node.js
  return join(dirname(main), '/');
}

/** URL form of `wasmBinaryDir`, for environments that fetch the binary. */
export function wasmBinaryUrl(): string {
  return pathToFileURL(wasmBinaryDir()).href;
}

async function describe(name: BackendName): Promise<EngineInfo> {
  const core = tf.version_core;
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    return { backend: 'wasm', simd, threads: wasm.getThreadsCount(), version: `tfjs ${core}, wasm ${wasm.version_wasm}` };
  }
  if (name === 'tensorflow') {
    const { availableParallelism } = await import('node:os');
    return { backend: 'tensorflow', simd: true, threads: availableParallelism(), version: `tfjs ${core}, tfjs-node` };
  }
  return { backend: 'cpu', simd: false, threads: 1, version: `tfjs ${core}, cpu` };
}
