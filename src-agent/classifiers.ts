/**
 * What runs the model on the device: one interface, two implementations. The agent's pipeline (live beats and
 * the self-test) builds a `BeatSet` and hands it to a `BeatClassifier`; only that step differs between
 *
 *  - the lite runtime (`src-main/model/lite/`, plain TypeScript, one beat at a time, ≈ 0.05 ms per beat), for
 *    the layers it implements (`cnn` and the students), and
 *  - TensorFlow.js (`model.predict` on the whole set), for everything else (e.g. `attention`'s custom pooling);
 *  - and, for a model with an integer form (`compress --integer`), the integer runtime (lite/integer.ts).
 *
 * Both decide the class as `decide` (train/train.ts) does: argmax of log p plus the model's decision offsets.
 * The lite runtime agrees with tfjs within 1e-6 with identical labels (tests/model/lite.test.ts).
 */
import type { BeatSet } from '../src-main/model/dataset/beats.js';
import { windowLength } from '../src-main/model/dataset/windows.js';
import { loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMetadata } from '../src-main/model/io.js';
import { classifyBeats } from '../src-main/model/lite/classify-beat.js';
import { LiteModelError } from '../src-main/model/lite/errors.js';
import { loadLiteModel } from '../src-main/model/lite/load.js';
import type { LiteModel } from '../src-main/model/lite/model.js';
import { decide } from '../src-main/model/train/train.js';
import { modelProbs } from '../src-main/model/classify.js';
import { readIntegerModel } from '../src-main/model/lite/integer-files.js';
import { INTEGER_RUNTIME } from '../src-main/model/lite/integer.js';

/** The status's `backend` when the lite runtime runs the model. */
export const LITE_BACKEND = 'lite (plain TypeScript)';

export interface Classified {
  /** [beat][class], `meta.classes` order. */
  probabilities: Float32Array;
  /** Index into `meta.classes` per beat. */
  predicted: Int8Array;
}

export interface BeatClassifier {
  /** Which runtime runs the model: `LITE_BACKEND`, or the TensorFlow.js backend (`wasm`, `tensorflow`, `cpu`). */
  readonly backend: string;
  readonly meta: ModelMetadata;
  classify(set: BeatSet): Classified;
  dispose(): void;
}

/** TensorFlow.js: the model as `ecg-review classify` runs it (`loadModel` checks the directory). */
export async function loadTfjsClassifier(dir: string, backend: string): Promise<BeatClassifier> {
  const c = await loadModel(dir);
  return {
    backend,
    meta: c.meta,
    classify(set) {
      const probabilities = modelProbs(c, set);
      return { probabilities, predicted: decide(probabilities, c.meta.decisionBias) };
    },
    dispose: () => c.model.dispose(),
  };
}

/** The status's `backend` when the model's integer form (integer.json) runs. */
export const INTEGER_BACKEND = INTEGER_RUNTIME;

/** A model with an integer form runs it, as the microcontroller its C source is for would; null without one. */
export async function loadIntegerClassifier(dir: string): Promise<BeatClassifier | null> {
  const integer = await readIntegerModel(dir);
  if (!integer) return null;
  const meta = checkedMeta(await loadLiteModel(dir));
  return {
    backend: INTEGER_BACKEND,
    meta,
    classify(set) {
      const probabilities = integer.predictSet(set);
      return { probabilities, predicted: decide(probabilities, meta.decisionBias) };
    },
    dispose: () => {},
  };
}

/**
 * The lite runtime. Throws LiteModelError for a model it does not run — an unsupported layer, or a directory
 * whose metadata and network disagree (the caller can then let `loadModel` judge it and give its own error).
 */
export async function loadLiteClassifier(dir: string): Promise<BeatClassifier> {
  const lite = await loadLiteModel(dir);
  const meta = checkedMeta(lite);
  const K = meta.classes.length;
  return {
    backend: LITE_BACKEND,
    meta,
    classify(set) {
      return classifyBeats(lite, set);
    },
    dispose: () => {},
  };
}

/** The classifier metadata, checked against the network as `loadModel` checks it (window, features, classes). */
function checkedMeta(lite: LiteModel): ModelMetadata {
  const meta = lite.meta;
  const fail = (message: string): never => { throw new LiteModelError(message, lite.dir); };
  if (!meta || meta.format !== MODEL_FORMAT || !(meta.formatVersion <= MODEL_FORMAT_VERSION)) return fail('has no ECG Review classifier metadata this program understands');
  const shapes = lite.inputs.map((i) => i.shape.join());
  if (shapes.length !== 2 || shapes[0] !== [windowLength(meta.window), meta.channels.length].join() || shapes[1] !== String(meta.features.length)) {
    return fail(`network inputs [${lite.inputs.map((i) => `[${i.shape}]`).join(', ')}] do not match the metadata's window and features`);
  }
  if (lite.outputSize !== meta.classes.length) return fail(`network outputs ${lite.outputSize} values for ${meta.classes.length} classes`);
  return meta;
}
