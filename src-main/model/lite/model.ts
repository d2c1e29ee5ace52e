/**
 * The lite runtime: a beat classifier's model directory (model.json + weights, as tfjs writes them) run in plain
 * TypeScript over Float32Arrays, one beat at a time — what a watch without TensorFlow.js would run. It loads the
 * same files as tfjs (quantized weights decoded with the manifest's scale/min, pruned models through the sparse
 * reader) and refuses, with a LiteModelError naming the directory and the layer, anything it does not implement.
 */
import type { ModelMetadata } from '../io.js';
import { LiteModelError } from './errors.js';
import { compileGraph, type CompiledGraph } from './graph.js';
import { decodeWeights, type WeightSpec } from './weights.js';

/** What a model directory holds once read (`readModelFiles` gives exactly this; a device can build it from bytes). */
export interface LiteModelSource {
  dir: string;
  json: { modelTopology: unknown; userDefinedMetadata?: Record<string, unknown> };
  specs: readonly WeightSpec[];
  /** The dense weight buffer in manifest order (still quantized if the files are). */
  weightData: ArrayBuffer;
}

export interface LiteInput {
  name: string;
  /** Per-example shape, e.g. [120, 1] for a beat window, [11] for the features. */
  shape: readonly number[];
  size: number;
}

export class LiteModel {
  readonly dir: string;
  readonly inputs: readonly LiteInput[];
  readonly outputSize: number;
  /** The classifier metadata (`userDefinedMetadata.ecgReview`) when the model has it. */
  readonly meta: ModelMetadata | null;
  private readonly graph: CompiledGraph;

  private constructor(dir: string, graph: CompiledGraph, meta: ModelMetadata | null) {
    this.dir = dir;
    this.graph = graph;
    this.meta = meta;
    this.inputs = graph.inputs.map((i) => ({ name: i.name, shape: i.value.shape, size: i.value.data.length }));
    this.outputSize = graph.output.data.length;
  }

  static fromFiles(src: LiteModelSource): LiteModel {
    const fail = (message: string): never => { throw new LiteModelError(message, src.dir); };
    const weights = decodeWeights(src.specs, src.weightData, src.dir);
    const graph = compileGraph(src.json.modelTopology, weights, fail);
    const meta = (src.json.userDefinedMetadata?.ecgReview as ModelMetadata | undefined) ?? null;
    return new LiteModel(src.dir, graph, meta);
  }

  /** One example: `inputs` in the model's input order, each of its per-example size. Returns the output (e.g. class probabilities). */
  predict(inputs: readonly ArrayLike<number>[], out: Float32Array = new Float32Array(this.outputSize)): Float32Array {
    const g = this.graph;
    if (inputs.length !== g.inputs.length) throw new LiteModelError(`takes ${g.inputs.length} inputs, got ${inputs.length}`, this.dir);
    for (let i = 0; i < inputs.length; i++) {
      const buf = g.inputs[i].value.data;
      if (inputs[i].length !== buf.length) throw new LiteModelError(`input ${g.inputs[i].name} takes ${buf.length} values per example, got ${inputs[i].length}`, this.dir);
      buf.set(inputs[i]);
    }
    const steps = g.steps;
    for (let s = 0; s < steps.length; s++) steps[s]();
    out.set(g.output.data);
    return out;
  }

  /** `n` examples, each input holding them back to back; returns [n][outputSize]. */
  predictBatch(inputs: readonly Float32Array[], n: number): Float32Array {
    const out = new Float32Array(n * this.outputSize);
    const one: Float32Array[] = this.inputs.map(() => new Float32Array(0));
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < one.length; i++) one[i] = inputs[i].subarray(b * this.inputs[i].size, (b + 1) * this.inputs[i].size);
      this.predict(one, out.subarray(b * this.outputSize, (b + 1) * this.outputSize));
    }
    return out;
  }
}
