/**
 * Magnitude pruning.
 *
 * Unstructured: gradual pruning of Zhu & Gupta, "To prune, or not to prune: exploring the efficacy of pruning for
 * model compression", arXiv:1710.01878 (2017). Each prunable weight (every kernel of rank ≥ 2) reaches the target
 * sparsity s_f along s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³, with fine-tuning between pruning steps; at
 * every pruning step the smallest-magnitude weights of each layer are masked to zero, and the masks are
 * re-applied after every optimizer update so that fine-tuning cannot revive them. The zeros only shrink the file
 * once the weights are stored sparse (see sparse.ts).
 *
 * Structured: whole filters (Conv1D) and units (hidden Dense) with the smallest L1 norm are removed (Li et al.,
 * "Pruning filters for efficient ConvNets", ICLR 2017); the model is rebuilt with fewer filters, the kept weights
 * copied, and every consumer's input channels (next conv, batch-norm, dense after flatten/pooling/concatenate)
 * cut to match, so the layers and the compute really shrink.
 */
import { CompressError } from './errors.js';
import { fitLogits, logitsView, predictLogits, type TrainingSet, type FitOptions } from './fit.js';
import { artifactsOf } from './model-files.js';
import { tf } from './tf.js';

/** Polynomial (cubic) sparsity schedule of Zhu & Gupta 2017 at step t. */
export function polynomialSparsity(t: number, opts: { initial?: number; final: number; begin: number; end: number }): number {
  const si = opts.initial ?? 0;
  if (t <= opts.begin) return si;
  if (t >= opts.end) return opts.final;
  const p = 1 - (t - opts.begin) / (opts.end - opts.begin);
  return opts.final + (si - opts.final) * p * p * p;
}

export function checkRatio(ratio: number, what = 'pruning ratio'): void {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio >= 1) {
    throw new CompressError(`${what} must be in [0, 1), got ${ratio}`);
  }
}

/** The weights unstructured pruning touches: kernels (rank ≥ 2), not biases, norms or embeddings. */
export function prunableWeights(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter((w) => w.shape.length >= 2 && !/embedding|position/i.test(w.name));
}

/** Mask (1 keep, 0 prune) of the `sparsity` fraction of smallest-magnitude entries; ties broken by index. */
export function magnitudeMask(values: Float32Array | Int32Array | Uint8Array, sparsity: number): Float32Array {
  const n = values.length;
  const k = Math.floor(sparsity * n);
  const mask = new Float32Array(n).fill(1);
  if (k <= 0) return mask;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(values[a]) - Math.abs(values[b]) || a - b);
  for (let i = 0; i < k; i++) mask[idx[i]] = 0;
  return mask;
}

export interface SparsityReport {
  /** Per pruned weight: elements and zeros. */
  weights: { name: string; size: number; zeros: number }[];
  /** Zeros / elements over the pruned weights. */
  sparsity: number;
}

export function measureSparsity(model: tf.LayersModel): SparsityReport {
  const weights = prunableWeights(model).map((w) => {
    const v = w.read().dataSync();
    let zeros = 0;
    for (let i = 0; i < v.length; i++) if (v[i] === 0) zeros++;
    return { name: w.name, size: v.length, zeros };
  });
  const size = weights.reduce((a, w) => a + w.size, 0);
  return { weights, sparsity: size ? weights.reduce((a, w) => a + w.zeros, 0) / size : 0 };
}

export interface PruneOptions extends Omit<FitOptions, 'afterStep' | 'beforeStep' | 'teacherLogits'> {
  /** Target fraction of zeros in every prunable weight, in [0, 1). */
  sparsity: number;
  /** Pruning steps (mask updates) spread over the first `rampFraction` of training (default 8 and 0.7). */
  pruningSteps?: number;
  rampFraction?: number;
  /** Distil from the dense model while fine-tuning (self-distillation); default alpha 0.5. */
  selfDistill?: boolean;
}

/**
 * Gradual unstructured magnitude pruning with fine-tuning on `data`, in place. With epochs = 0 the model is
 * pruned one-shot to the target (no fine-tuning).
 */
export async function pruneUnstructured(model: tf.LayersModel, data: TrainingSet, opts: PruneOptions): Promise<SparsityReport> {
  checkRatio(opts.sparsity);
  const vars = prunableWeights(model);
  if (vars.length === 0) throw new CompressError('the model has no prunable weights (kernels of rank ≥ 2)');
  const masks = new Map<tf.LayerVariable, tf.Tensor>();
  const setSparsity = (s: number): void => {
    for (const v of vars) {
      const mask = tf.tensor(magnitudeMask(v.read().dataSync() as Float32Array, s), v.shape as number[]);
      masks.get(v)?.dispose();
      masks.set(v, mask);
    }
    applyMasks();
  };
  const applyMasks = (): void => {
    for (const v of vars) tf.tidy(() => { v.write(tf.mul(v.read(), masks.get(v)!)); });
  };
  const batch = opts.batchSize ?? 256;
  const total = Math.ceil(data.labels.length / batch) * opts.epochs;
  if (total === 0) {
    setSparsity(opts.sparsity);
  } else {
    const nSteps = opts.pruningSteps ?? 8;
    const end = Math.max(1, Math.floor(total * (opts.rampFraction ?? 0.7)));
    const every = Math.max(1, Math.floor(end / nSteps));
    const teacherLogits = opts.selfDistill === false ? undefined : predictLogits(model, data.inputs);
    let current = -1;
    try {
      await fitLogits(logitsView(model), data, {
        ...opts,
        teacherLogits,
        alpha: opts.alpha ?? (teacherLogits ? 0.5 : 1),
        beforeStep: (t) => {
          if (t % every !== 0 && t < end) return;
          const s = polynomialSparsity(t, { final: opts.sparsity, begin: 0, end });
          if (s !== current) { setSparsity(s); current = s; }
        },
        afterStep: applyMasks,
      });
    } finally {
      teacherLogits?.dispose();
    }
    if (current !== opts.sparsity) setSparsity(opts.sparsity);
  }
  for (const m of masks.values()) m.dispose();
  return measureSparsity(model);
}

// ---------------------------------------------------------------------------------------------------------------
// Structured pruning

type Layer = tf.layers.Layer;
/** Layers a channel selection passes through unchanged (channel axis last). */
const PASS = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Dropout', 'SpatialDropout1D', 'MaxPooling1D', 'AveragePooling1D', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'GaussianNoise']);

interface Slice { weight: string; axis: number; keep: number[] }

function outbound(layer: Layer): Layer[] {
  const out: Layer[] = [];
  for (const node of (layer as unknown as { outboundNodes: { outboundLayer: Layer }[] }).outboundNodes) out.push(node.outboundLayer);
  return out;
}
function inbound(layer: Layer): Layer[] {
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: Layer[] }[] }).inboundNodes;
  return nodes.length ? nodes[0].inboundLayers : [];
}
function lastDim(t: tf.SymbolicTensor | tf.SymbolicTensor[]): number {
  const s = (Array.isArray(t) ? t[0] : t).shape;
  return s[s.length - 1] as number;
}
function range(n: number): number[] { return Array.from({ length: n }, (_, i) => i); }
function weightName(layer: Layer, suffix: string): string {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.name.endsWith(`/${suffix}`));
  if (!w) throw new Error(`layer ${layer.name} has no ${suffix}`);
  return w.originalName;
}

/**
 * Follow a channel selection `keep` (indices among `channels`) from `from`'s output to the layers that consume
 * it; returns the weight slices to apply, or null when some path reaches a layer we cannot rewrite (Add, a
 * reshape, attention…), in which case the producer is left alone.
 */
function traceConsumers(from: Layer, keep: number[], channels: number, out: tf.LayersModel): Slice[] | null {
  const slices: Slice[] = [];
  const visit = (layer: Layer, prev: Layer, keepIdx: number[], C: number, flatten: number): boolean => {
    const cls = layer.getClassName();
    if (out.outputLayers.includes(layer) && !['Conv1D', 'Dense'].includes(cls)) return false;
    if (PASS.has(cls)) return outbound(layer).every((n) => visit(n, layer, keepIdx, C, flatten));
    if (cls === 'BatchNormalization') {
      for (const s of ['gamma', 'beta', 'moving_mean', 'moving_variance']) {
        if (layer.weights.some((w) => w.originalName.endsWith(`/${s}`))) slices.push({ weight: weightName(layer, s), axis: 0, keep: keepIdx });
      }
      return outbound(layer).every((n) => visit(n, layer, keepIdx, C, flatten));
    }
    if (cls === 'Flatten') {
      if (flatten !== 1) return false;
      const inShape = (layer.input as tf.SymbolicTensor).shape;
      if (inShape.length !== 3) return false;
      const T = inShape[1] as number;
      const idx: number[] = [];
      for (let t = 0; t < T; t++) for (const c of keepIdx) idx.push(t * C + c);
      return outbound(layer).every((n) => visit(n, layer, idx, T * C, T));
    }
    if (cls === 'Concatenate') {
      const ins = inbound(layer);
      const cfg = layer.getConfig() as { axis?: number };
      if (cfg.axis !== undefined && cfg.axis !== -1) return false;
      let offset = 0;
      for (const l of ins) { if (l === prev) break; offset += lastDim(l.output); }
      const total = lastDim(layer.output);
      const kept = new Set(keepIdx.map((k) => k + offset));
      const idx = range(total).filter((i) => i < offset || i >= offset + C || kept.has(i));
      return outbound(layer).every((n) => visit(n, layer, idx, total, flatten));
    }
    if (cls === 'Conv1D') {
      if (flatten !== 1) return false;
      slices.push({ weight: weightName(layer, 'kernel'), axis: 1, keep: keepIdx });
      return true;
    }
    if (cls === 'Dense') {
      const inShape = (layer.input as tf.SymbolicTensor).shape;
      if (inShape.length !== 2) return false;
      slices.push({ weight: weightName(layer, 'kernel'), axis: 0, keep: keepIdx });
      return true;
    }
    return false;
  };
  return outbound(from).every((n) => visit(n, from, keep, channels, 1)) ? slices : null;
}

export interface StructuredReport {
  /** Per rewritten layer: filters/units before and after. */
  layers: { name: string; before: number; after: number }[];
  /** Layers left alone, and why. */
  skipped: { name: string; reason: string }[];
}

/**
 * Remove the `ratio` fraction of lowest-L1 filters of every Conv1D and units of every hidden Dense layer whose
 * consumers we can rewrite, and return the rebuilt (smaller) model with the kept weights. No fine-tuning here:
 * call `fineTune` after.
 */
export async function pruneStructured(model: tf.LayersModel, ratio: number): Promise<{ model: tf.LayersModel; report: StructuredReport }> {
  checkRatio(ratio);
  const report: StructuredReport = { layers: [], skipped: [] };
  const slices: Slice[] = [];
  const newSize = new Map<string, { key: 'filters' | 'units'; value: number }>();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv1D' && cls !== 'Dense') continue;
    if (model.outputLayers.includes(layer) || outbound(layer).length === 0) { report.skipped.push({ name: layer.name, reason: 'output layer' }); continue; }
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    if (!kernel) continue;
    const k = kernel.read().dataSync();
    const F = kernel.shape[kernel.shape.length - 1] as number;
    const keepN = Math.max(1, Math.ceil((1 - ratio) * F));
    if (keepN === F) { report.skipped.push({ name: layer.name, reason: `ratio keeps all ${F}` }); continue; }
    const norms = new Float64Array(F);
    for (let i = 0; i < k.length; i++) norms[i % F] += Math.abs(k[i]);
    const keep = range(F).sort((a, b) => norms[b] - norms[a] || a - b).slice(0, keepN).sort((a, b) => a - b);
    const consumers = traceConsumers(layer, keep, F, model);
    if (!consumers) { report.skipped.push({ name: layer.name, reason: 'a consumer cannot be rewritten' }); continue; }
    slices.push({ weight: kernel.originalName, axis: kernel.shape.length - 1, keep });
    const bias = layer.weights.find((w) => w.originalName.endsWith('/bias'));
    if (bias) slices.push({ weight: bias.originalName, axis: 0, keep });
    slices.push(...consumers);
    newSize.set(layer.name, { key: cls === 'Conv1D' ? 'filters' : 'units', value: keepN });
    report.layers.push({ name: layer.name, before: F, after: keepN });
  }
  if (report.layers.length === 0) {
    throw new CompressError(`structured pruning found no layer it can shrink (${report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'no Conv1D or hidden Dense layers'})`);
  }
  const a = await artifactsOf(model);
  const topology = JSON.parse(JSON.stringify(a.modelTopology)) as object;
  rewriteConfigs(topology, newSize);
  const values = tf.io.decodeWeights(a.weightData, a.specs);
  const named: tf.NamedTensorMap = {};
  for (const spec of a.specs) {
    let t: tf.Tensor = values[spec.name];
    // Several paths may cut the same axis (e.g. two poolings of one conv feeding one concatenate): the kept
    // indices, all in the weight's original coordinates, are intersected per axis before gathering.
    const byAxis = new Map<number, Set<number>>();
    for (const s of slices.filter((x) => x.weight === spec.name)) {
      const prev = byAxis.get(s.axis);
      byAxis.set(s.axis, prev ? new Set(s.keep.filter((i) => prev.has(i))) : new Set(s.keep));
    }
    for (const [axis, keep] of byAxis) {
      const next = tf.gather(t, tf.tensor1d([...keep].sort((a, b) => a - b), 'int32'), axis);
      if (t !== values[spec.name]) t.dispose();
      t = next;
    }
    named[spec.name] = t;
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  Object.values(values).forEach((t) => t.dispose());
  Object.values(named).forEach((t) => { if (!t.isDisposed) t.dispose(); });
  const rebuilt = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: data }));
  return { model: rebuilt, report };
}

function rewriteConfigs(node: unknown, sizes: Map<string, { key: string; value: number }>): void {
  if (Array.isArray(node)) { node.forEach((n) => rewriteConfigs(n, sizes)); return; }
  if (!node || typeof node !== 'object') return;
  const o = node as { class_name?: string; config?: Record<string, unknown> };
  if (o.class_name && o.config && typeof o.config.name === 'string' && sizes.has(o.config.name)) {
    const s = sizes.get(o.config.name)!;
    o.config[s.key] = s.value;
  }
  for (const v of Object.values(o)) rewriteConfigs(v, sizes);
}

/** Fine-tune a (structurally pruned) model, distilling from its parent when given. */
export async function fineTune(model: tf.LayersModel, data: TrainingSet, opts: FitOptions & { parent?: tf.LayersModel }): Promise<number[]> {
  const teacherLogits = opts.parent ? predictLogits(opts.parent, data.inputs) : undefined;
  try {
    return await fitLogits(logitsView(model), data, { ...opts, teacherLogits, alpha: opts.alpha ?? (teacherLogits ? 0.5 : 1) });
  } finally {
    teacherLogits?.dispose();
  }
}
