/**
 * One builder per supported Keras layer class: checks the layer's config and weights, works out the per-example
 * output shape, and returns the step that computes it into a buffer allocated once. Anything outside what is
 * checked here is refused (LiteModelError via `fail`) rather than approximated.
 */
import * as K from './kernels.js';

/** One example's tensor: shape without the batch axis, row-major, channels last. */
export interface Value {
  shape: number[];
  data: Float32Array;
}

export interface LayerSpec {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

export interface LayerContext {
  /** The layer's weight `<layer>/<suffix>`, checked against `shape`; marks it used. */
  weight(suffix: string, shape: number[]): Float32Array;
  fail(message: string): never;
}

export interface Built {
  out: Value;
  /** null when the output shares its input's buffer (Flatten, Dropout, Reshape). */
  step: (() => void) | null;
}

type Builder = (spec: LayerSpec, inputs: Value[], ctx: LayerContext) => Built;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const value = (shape: number[]): Value => ({ shape, data: new Float32Array(size(shape)) });

function one(inputs: Value[], spec: LayerSpec, ctx: LayerContext, rank?: number): Value {
  if (inputs.length !== 1) ctx.fail(`${spec.className} layer '${spec.name}' has ${inputs.length} inputs, expected 1`);
  if (rank !== undefined && inputs[0].shape.length !== rank) ctx.fail(`${spec.className} layer '${spec.name}' gets input [${inputs[0].shape}], expected rank ${rank + 1} with the batch axis`);
  return inputs[0];
}

/** A Keras int-or-tuple config value (`kernel_size: [7]` or `7`). */
function int(spec: LayerSpec, ctx: LayerContext, key: string, dflt?: number): number {
  const raw = spec.config[key] ?? dflt;
  const v = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : NaN) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) ctx.fail(`${spec.className} layer '${spec.name}' has ${key} ${JSON.stringify(raw)}; the lite runtime takes one positive integer`);
  return v;
}

function activation(spec: LayerSpec, ctx: LayerContext, key = 'activation'): K.Activation {
  const a = spec.config[key] ?? 'linear';
  if (!K.isActivation(a)) ctx.fail(`layer '${spec.name}' has activation '${String(a)}', which the lite runtime does not implement (it has ${K.ACTIVATIONS.join(', ')})`);
  return a;
}

function channelsLast(spec: LayerSpec, ctx: LayerContext): void {
  const f = spec.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last' && f !== 'channelsLast') ctx.fail(`${spec.className} layer '${spec.name}' has data_format ${String(f)}; only channels_last is supported`);
}

/** Output length and left padding of a 1-D window of effective width `span` every `stride`, TF 'valid'/'same' rules. */
function window1d(spec: LayerSpec, ctx: LayerContext, T: number, span: number, stride: number): { outT: number; padLeft: number } {
  const padding = spec.config.padding ?? 'valid';
  if (padding === 'valid') {
    const outT = Math.floor((T - span) / stride) + 1;
    if (outT < 1) ctx.fail(`${spec.className} layer '${spec.name}' has no output: input length ${T} < window ${span}`);
    return { outT, padLeft: 0 };
  }
  if (padding === 'same') {
    const outT = Math.ceil(T / stride);
    return { outT, padLeft: Math.floor(Math.max((outT - 1) * stride + span - T, 0) / 2) };
  }
  return ctx.fail(`${spec.className} layer '${spec.name}' has padding '${String(padding)}'; the lite runtime supports 'valid' and 'same'`);
}

const conv1d: Builder = (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx, 2);
  channelsLast(spec, ctx);
  const [T, C] = x.shape;
  const F = int(spec, ctx, 'filters');
  const k = int(spec, ctx, 'kernel_size');
  const stride = int(spec, ctx, 'strides', 1);
  const dilation = int(spec, ctx, 'dilation_rate', 1);
  const { outT, padLeft } = window1d(spec, ctx, T, (k - 1) * dilation + 1, stride);
  const act = activation(spec, ctx);
  const wt = K.transpose(ctx.weight('kernel', [k, C, F]), k * C, F);
  const bias = spec.config.use_bias === false ? null : ctx.weight('bias', [F]);
  const out = value([outT, F]);
  return { out, step: () => { K.conv1d(x.data, T, C, wt, k, F, stride, dilation, padLeft, outT, bias, out.data); K.activate(act, out.data, F); } };
};

const dense: Builder = (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx);
  const n = x.shape[x.shape.length - 1];
  const rows = size(x.shape) / n;
  const units = int(spec, ctx, 'units');
  const act = activation(spec, ctx);
  const wt = K.transpose(ctx.weight('kernel', [n, units]), n, units);
  const bias = spec.config.use_bias === false ? null : ctx.weight('bias', [units]);
  const out = value([...x.shape.slice(0, -1), units]);
  return { out, step: () => { K.dense(x.data, rows, n, wt, units, bias, out.data); K.activate(act, out.data, units); } };
};

const batchNormalization: Builder = (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx);
  const axis = spec.config.axis ?? -1;
  if (axis !== -1 && axis !== x.shape.length) ctx.fail(`BatchNormalization layer '${spec.name}' normalises axis ${JSON.stringify(axis)}; only the last axis is supported`);
  const C = x.shape[x.shape.length - 1];
  const eps = typeof spec.config.epsilon === 'number' ? spec.config.epsilon : 1e-3;
  const gamma = spec.config.scale === false ? null : ctx.weight('gamma', [C]);
  const beta = spec.config.center === false ? null : ctx.weight('beta', [C]);
  const mean = ctx.weight('moving_mean', [C]);
  const variance = ctx.weight('moving_variance', [C]);
  const scale = new Float64Array(C), shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  const out = value([...x.shape]);
  return { out, step: () => K.affineLastAxis(x.data, C, scale, shift, out.data) };
};

const pooling = (max: boolean): Builder => (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx, 2);
  channelsLast(spec, ctx);
  const [T, C] = x.shape;
  const poolSize = int(spec, ctx, 'pool_size', 2);
  const stride = spec.config.strides === null || spec.config.strides === undefined ? poolSize : int(spec, ctx, 'strides');
  const { outT, padLeft } = window1d(spec, ctx, T, poolSize, stride);
  const out = value([outT, C]);
  return { out, step: () => K.pool1d(x.data, T, C, poolSize, stride, padLeft, outT, max, out.data) };
};

const globalPooling = (max: boolean): Builder => (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx, 2);
  channelsLast(spec, ctx);
  if (spec.config.keepdims === true) ctx.fail(`${spec.className} layer '${spec.name}' keeps dims; not supported`);
  const [T, C] = x.shape;
  const out = value([C]);
  const acc = new Float64Array(C);
  return { out, step: () => K.globalPool1d(x.data, T, C, max, out.data, acc) };
};

const concatenate: Builder = (spec, inputs, ctx) => {
  if (inputs.length < 2) ctx.fail(`Concatenate layer '${spec.name}' has ${inputs.length} input`);
  const rank = inputs[0].shape.length;
  const axis = spec.config.axis ?? -1;
  if (axis !== -1 && axis !== rank) ctx.fail(`Concatenate layer '${spec.name}' joins axis ${JSON.stringify(axis)}; only the last axis is supported`);
  const lead = inputs[0].shape.slice(0, -1);
  for (const v of inputs) {
    if (v.shape.length !== rank || v.shape.slice(0, -1).join() !== lead.join()) ctx.fail(`Concatenate layer '${spec.name}' gets inputs of shapes ${inputs.map((i) => `[${i.shape}]`).join(', ')}`);
  }
  const widths = inputs.map((v) => v.shape[rank - 1]);
  const out = value([...lead, widths.reduce((a, b) => a + b, 0)]);
  const rows = size(lead);
  const parts = inputs.map((v) => v.data);
  return { out, step: () => K.concatLast(parts, widths, rows, out.data) };
};

const flatten: Builder = (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx);
  channelsLast(spec, ctx);
  return { out: { shape: [size(x.shape)], data: x.data }, step: null };
};

const reshape: Builder = (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx);
  const target = spec.config.target_shape;
  if (!Array.isArray(target) || !target.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0) || size(target) !== size(x.shape)) {
    ctx.fail(`Reshape layer '${spec.name}' has target_shape ${JSON.stringify(target)} for input [${x.shape}]`);
  }
  return { out: { shape: [...(target as number[])], data: x.data }, step: null };
};

/** Dropout is the identity at inference. */
const identity: Builder = (spec, inputs, ctx) => ({ out: one(inputs, spec, ctx), step: null });

const activationLayer: Builder = (spec, inputs, ctx) => {
  const x = one(inputs, spec, ctx);
  const act = activation(spec, ctx);
  const out = value([...x.shape]);
  const width = x.shape[x.shape.length - 1];
  return { out, step: () => { out.data.set(x.data); K.activate(act, out.data, width); } };
};

const addLayer: Builder = (spec, inputs, ctx) => {
  if (inputs.length !== 2 || inputs[0].shape.join() !== inputs[1].shape.join()) ctx.fail(`Add layer '${spec.name}' gets ${inputs.map((i) => `[${i.shape}]`).join(' + ')}; the lite runtime adds two tensors of one shape`);
  const out = value([...inputs[0].shape]);
  const [a, b] = inputs;
  return { out, step: () => K.add(a.data, b.data, out.data) };
};

const hierarchicalExperts: Builder = (spec, inputs, ctx) => {
  const [r, m] = inputs;
  if (inputs.length !== 2 || r.shape.length !== 1 || r.shape.join() !== m.shape.join() || r.shape[0] < 2) {
    ctx.fail(`EcgHierarchicalExperts layer '${spec.name}' gets ${inputs.map((i) => `[${i.shape}]`).join(', ')}; expected two class vectors of one length`);
  }
  const Kc = r.shape[0];
  const out = value([Kc]);
  return { out, step: () => K.hierarchicalExperts(r.data, m.data, Kc, out.data) };
};

export const BUILDERS: Readonly<Record<string, Builder>> = {
  Conv1D: conv1d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  MaxPooling1D: pooling(true),
  AveragePooling1D: pooling(false),
  GlobalMaxPooling1D: globalPooling(true),
  GlobalAveragePooling1D: globalPooling(false),
  Concatenate: concatenate,
  Flatten: flatten,
  Reshape: reshape,
  Dropout: identity,
  SpatialDropout1D: identity,
  Activation: activationLayer,
  Add: addLayer,
  EcgHierarchicalExperts: hierarchicalExperts,
};
