/**
 * Integer-only inference for the small beat classifiers (the students' layer set: Conv1D, Dense, global pooling, softmax): int8 activations and
 * weights, int32 accumulators, fixed-point requantization, a lookup-table softmax and Q15 probabilities — what a
 * microcontroller without a floating-point unit (or TFLite Micro's int8 path) computes. The scheme is Jacob et al.,
 * "Quantization and training of neural networks for efficient integer-arithmetic-only inference", CVPR 2018:
 *
 *  - an activation is q ∈ [−128, 127] with real value s·(q − z), s and z calibrated from its range over calibration
 *    beats (min/max, 0 included). Per channel (last axis), not per tensor: the feature vector holds intervals in
 *    seconds beside ratios and correlations, which one scale would blur. Each channel's scale is folded into the
 *    weights that read it, so the kernels stay plain integer dot products;
 *  - weights are int8, symmetric, one scale per output channel; biases int32 at the accumulator's scale;
 *  - an accumulator goes to the next activation by q = z + ⌊(acc·m + 2^(n−1)) / 2^n⌋ with m < 2^23, so acc·m stays
 *    below 2^53: exact in a double (TypeScript) and in int64 (C), hence bit-identical;
 *  - softmax reads exp from a 256-entry table (Q16) indexed by q_max − q, and divides to Q15; the hierarchical
 *    head of the students (layers.ts `HierarchicalExperts`) is done in Q15 too.
 *
 * The only floating-point step is at the entry: the beat window and features, which the encoder computes in float,
 * are quantized with the input scales. `integer-c.ts` writes the same model as C99 source.
 */
import type { ModelMetadata } from '../io.js';
import { LiteModelError } from './errors.js';
import { inputShape, parseTopology, type LayerJson } from './graph.js';
import type { LiteModelSource } from './model.js';
import { decodeWeights } from './weights.js';

export const INTEGER_FORMAT = 'ecg-review-integer';
export const INTEGER_FORMAT_VERSION = 1;
/** How results made by this runtime name it (`classify`'s backend, the agent's status, `compare`). */
export const INTEGER_RUNTIME = 'integer runtime (int8 activations, int32 accumulators; TypeScript)';
/** Probabilities are integers out of 2^15. */
export const Q15 = 32768;
/** Multipliers are below 2^23 so that accumulator × multiplier stays exact in a double. */
const MULT_BITS = 23;

/** One tensor of an example: `size` values, the last axis `channels` long. */
interface TensorInfo { size: number; channels: number; kind: 'act' | 'prob' }

/** Per-channel quantization of an int8 tensor: real = scale[c] · (q − zero[c]). */
export interface ChannelQuant { scale: number[]; zero: number[] }

/** A requantization per output channel: q = zero + round(acc · m / 2^n). */
export interface Requant { m: number[]; n: number[] }

export type IntegerOp =
  | { op: 'conv1d'; name: string; in: number; out: number; T: number; C: number; F: number; k: number; stride: number; dilation: number; padLeft: number; outT: number; relu: boolean; w: number[]; b: number[]; rq: Requant }
  | { op: 'dense'; name: string; in: number; out: number; n: number; units: number; relu: boolean; w: number[]; b: number[]; rq: Requant }
  | { op: 'gap'; name: string; in: number; out: number; T: number; C: number; rq: Requant }
  | { op: 'gmp'; name: string; in: number; out: number; T: number; C: number }
  | { op: 'concat'; name: string; ins: number[]; out: number }
  | { op: 'softmax'; name: string; in: number; out: number; K: number; lut: number[] }
  | { op: 'hierarchical'; name: string; r: number; m: number; out: number; K: number };

/** The integer model as data (`integer.json`): everything the TypeScript and C runtimes need, nothing else. */
export interface IntegerModelSpec {
  format: typeof INTEGER_FORMAT;
  version: number;
  /** The float model it was quantized from, and what it was calibrated on. */
  source: string;
  calibration: string;
  classes: string[];
  decisionBias: number[];
  inputs: { name: string; shape: number[]; tensor: number; quant: ChannelQuant }[];
  /** Per tensor: values per example, channels, and int8 quantization (absent for Q15 probability tensors). */
  tensors: { size: number; channels: number; quant?: ChannelQuant }[];
  ops: IntegerOp[];
  output: number;
}

// ---- the float graph, as data -------------------------------------------------------------------------------

type FloatOp =
  | { op: 'conv1d'; name: string; in: number; out: number; T: number; C: number; F: number; k: number; stride: number; dilation: number; padLeft: number; outT: number; relu: boolean; w: Float32Array; b: Float32Array | null }
  | { op: 'dense'; name: string; in: number; out: number; n: number; units: number; relu: boolean; w: Float32Array; b: Float32Array | null }
  | { op: 'gap'; name: string; in: number; out: number; T: number; C: number }
  | { op: 'gmp'; name: string; in: number; out: number; T: number; C: number }
  | { op: 'concat'; name: string; ins: number[]; out: number }
  | { op: 'softmax'; name: string; in: number; out: number; K: number }
  | { op: 'hierarchical'; name: string; r: number; m: number; out: number; K: number };

interface FloatGraph { inputs: { name: string; shape: number[]; tensor: number }[]; tensors: TensorInfo[]; ops: FloatOp[]; output: number }

const positiveInt = (raw: unknown, dflt?: number): number => {
  const v = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : NaN) : raw ?? dflt;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : NaN;
};

/** The topology as integer-runnable float ops; anything outside the students' layer set is refused, naming the layer. */
function floatGraph(src: LiteModelSource): FloatGraph {
  const fail = (message: string): never => { throw new LiteModelError(`integer-only inference: ${message}`, src.dir); };
  const weights = decodeWeights(src.specs, src.weightData, src.dir);
  const { layers, inputNames, outputName } = parseTopology(src.json.modelTopology, fail);
  const tensors: TensorInfo[] = [];
  const ops: FloatOp[] = [];
  const ids = new Map<string, number>();
  const shapes: number[][] = [];
  const tensor = (shape: number[], kind: TensorInfo['kind'] = 'act'): number => {
    tensors.push({ size: shape.reduce((a, b) => a * b, 1), channels: shape[shape.length - 1], kind });
    shapes.push(shape);
    return tensors.length - 1;
  };
  const weight = (layer: string, suffix: string, shape: number[]): Float32Array => {
    const w = weights.get(`${layer}/${suffix}`);
    if (!w) return fail(`weight ${layer}/${suffix} is missing`);
    if (w.shape.join() !== shape.join()) return fail(`weight ${layer}/${suffix} has shape [${w.shape}], the layer needs [${shape}]`);
    return w.values;
  };
  const inputs = inputNames.map((name) => {
    const shape = inputShape(layers.get(name)?.json.config ?? {}, name, fail);
    const t = tensor(shape);
    ids.set(name, t);
    return { name, shape, tensor: t };
  });
  const activationOf = (l: LayerJson, name: string): 'linear' | 'relu' | 'softmax' => {
    const a = l.config?.activation ?? 'linear';
    if (a !== 'linear' && a !== 'relu' && a !== 'softmax') return fail(`layer '${name}' has activation '${String(a)}'; integer-only inference has linear, relu and softmax`);
    return a;
  };
  const build = (name: string): number => {
    const done = ids.get(name);
    if (done !== undefined) return done;
    const l = layers.get(name);
    if (!l) return fail(`layer '${name}' is referenced but not defined`);
    const cls = String(l.json.class_name);
    const cfg = l.json.config ?? {};
    const ins = l.inbound.map(build);
    const one = (): number => (ins.length === 1 ? ins[0] : fail(`${cls} layer '${name}' has ${ins.length} inputs`));
    let out: number;
    if (cls === 'Conv1D') {
      const x = one();
      const [T, C] = shapes[x];
      const F = positiveInt(cfg.filters), k = positiveInt(cfg.kernel_size), stride = positiveInt(cfg.strides, 1), dilation = positiveInt(cfg.dilation_rate, 1);
      if ([F, k, stride, dilation].some(Number.isNaN) || shapes[x].length !== 2) return fail(`Conv1D layer '${name}' has a config integer-only inference does not take`);
      const span = (k - 1) * dilation + 1;
      const padding = cfg.padding ?? 'valid';
      if (padding !== 'valid' && padding !== 'same') return fail(`Conv1D layer '${name}' has padding '${String(padding)}'`);
      const outT = padding === 'same' ? Math.ceil(T / stride) : Math.floor((T - span) / stride) + 1;
      const padLeft = padding === 'same' ? Math.floor(Math.max((outT - 1) * stride + span - T, 0) / 2) : 0;
      const act = activationOf(l.json, name);
      if (act === 'softmax') return fail(`Conv1D layer '${name}' ends in softmax`);
      out = tensor([outT, F]);
      ops.push({ op: 'conv1d', name, in: x, out, T, C, F, k, stride, dilation, padLeft, outT, relu: act === 'relu', w: weight(name, 'kernel', [k, C, F]), b: cfg.use_bias === false ? null : weight(name, 'bias', [F]) });
    } else if (cls === 'Dense') {
      const x = one();
      if (shapes[x].length !== 1) return fail(`Dense layer '${name}' reads a rank-${shapes[x].length} input; integer-only inference takes vectors`);
      const n = shapes[x][0], units = positiveInt(cfg.units);
      const act = activationOf(l.json, name);
      const logits = tensor([units]);
      ops.push({ op: 'dense', name, in: x, out: logits, n, units, relu: act === 'relu', w: weight(name, 'kernel', [n, units]), b: cfg.use_bias === false ? null : weight(name, 'bias', [units]) });
      out = logits;
      if (act === 'softmax') { out = tensor([units], 'prob'); ops.push({ op: 'softmax', name: `${name}/softmax`, in: logits, out, K: units }); }
    } else if (cls === 'GlobalAveragePooling1D' || cls === 'GlobalMaxPooling1D') {
      const x = one();
      const [T, C] = shapes[x];
      out = tensor([C]);
      ops.push(cls === 'GlobalAveragePooling1D' ? { op: 'gap', name, in: x, out, T, C } : { op: 'gmp', name, in: x, out, T, C });
    } else if (cls === 'Concatenate') {
      if (ins.some((t) => shapes[t].length !== 1)) return fail(`Concatenate layer '${name}' joins tensors that are not vectors`);
      out = tensor([ins.reduce((a, t) => a + shapes[t][0], 0)]);
      ops.push({ op: 'concat', name, ins, out });
    } else if (cls === 'Activation') {
      const x = one();
      const act = activationOf(l.json, name);
      if (act !== 'softmax' || shapes[x].length !== 1) return fail(`Activation layer '${name}' is ${act} over rank ${shapes[x].length}; integer-only inference has softmax over a vector`);
      out = tensor(shapes[x], 'prob');
      ops.push({ op: 'softmax', name, in: x, out, K: shapes[x][0] });
    } else if (cls === 'Dropout' || cls === 'SpatialDropout1D') {
      out = one();
    } else if (cls === 'EcgHierarchicalExperts') {
      if (ins.length !== 2 || ins.some((t) => tensors[t].kind !== 'prob' || tensors[t].size !== tensors[ins[0]].size)) return fail(`EcgHierarchicalExperts layer '${name}' needs two softmax outputs of one length`);
      out = tensor(shapes[ins[0]], 'prob');
      ops.push({ op: 'hierarchical', name, r: ins[0], m: ins[1], out, K: tensors[ins[0]].size });
    } else {
      return fail(`layer '${name}' is a ${cls}; integer-only inference runs Conv1D, Dense, global pooling, Concatenate, softmax and EcgHierarchicalExperts`);
    }
    ids.set(name, out);
    return out;
  };
  const output = build(outputName);
  if (tensors[output].kind !== 'prob') fail('the output is not a softmax: integer-only inference gives class probabilities');
  return { inputs, tensors, ops, output };
}

/** Run the float graph on one example, every tensor kept (for calibration). */
function runFloat(g: FloatGraph, inputs: readonly ArrayLike<number>[], values: Float64Array[]): void {
  g.inputs.forEach((inp, i) => values[inp.tensor].set(inputs[i]));
  for (const o of g.ops) {
    if (o.op === 'conv1d') {
      const x = values[o.in], y = values[o.out];
      for (let t = 0; t < o.outT; t++) {
        for (let f = 0; f < o.F; f++) {
          let a = o.b ? o.b[f] : 0;
          for (let j = 0; j < o.k; j++) {
            const ti = t * o.stride - o.padLeft + j * o.dilation;
            if (ti < 0 || ti >= o.T) continue;
            for (let c = 0; c < o.C; c++) a += x[ti * o.C + c] * o.w[(j * o.C + c) * o.F + f];
          }
          y[t * o.F + f] = o.relu ? Math.max(0, a) : a;
        }
      }
    } else if (o.op === 'dense') {
      const x = values[o.in], y = values[o.out];
      for (let u = 0; u < o.units; u++) {
        let a = o.b ? o.b[u] : 0;
        for (let i = 0; i < o.n; i++) a += x[i] * o.w[i * o.units + u];
        y[u] = o.relu ? Math.max(0, a) : a;
      }
    } else if (o.op === 'gap' || o.op === 'gmp') {
      const x = values[o.in], y = values[o.out];
      for (let c = 0; c < o.C; c++) {
        let a = o.op === 'gmp' ? -Infinity : 0;
        for (let t = 0; t < o.T; t++) a = o.op === 'gmp' ? Math.max(a, x[t * o.C + c]) : a + x[t * o.C + c];
        y[c] = o.op === 'gmp' ? a : a / o.T;
      }
    } else if (o.op === 'concat') {
      let at = 0;
      for (const t of o.ins) { values[o.out].set(values[t], at); at += values[t].length; }
    } else if (o.op === 'softmax') {
      const x = values[o.in], y = values[o.out];
      let mx = -Infinity, s = 0;
      for (let k = 0; k < o.K; k++) mx = Math.max(mx, x[k]);
      for (let k = 0; k < o.K; k++) { y[k] = Math.exp(x[k] - mx); s += y[k]; }
      for (let k = 0; k < o.K; k++) y[k] /= s;
    }
  }
}

// ---- quantization -------------------------------------------------------------------------------------------

/** int8 scale and zero point of a real range (0 always representable, so zero padding and relu stay exact). */
function rangeQuant(lo: number, hi: number): { scale: number; zero: number } {
  lo = Math.min(lo, 0); hi = Math.max(hi, 0);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zero: Math.max(-128, Math.min(127, Math.round(-128 - lo / scale))) | 0 }; // | 0: no −0 (JSON writes it as 0)
}

/** A real multiplier M > 0 as m / 2^n with 2^22 ≤ m < 2^23. */
function multiplier(M: number, what: string, dir: string): { m: number; n: number } {
  if (!(M > 0) || !Number.isFinite(M)) throw new LiteModelError(`integer-only inference: ${what} has requantization multiplier ${M}`, dir);
  let n = MULT_BITS - 1 - Math.floor(Math.log2(M));
  let m = Math.round(M * 2 ** n);
  if (m >= 2 ** MULT_BITS) { m = Math.round(m / 2); n -= 1; }
  if (n < 1 || n > 62) throw new LiteModelError(`integer-only inference: ${what} needs a multiplier ${M} outside what the fixed-point form holds`, dir);
  return { m, n };
}

/** Worst-case |accumulator| must keep acc · m below 2^53 (and inside int32). */
function checkAccumulator(bound: number, what: string, dir: string): void {
  if (bound >= 2 ** 30) throw new LiteModelError(`integer-only inference: ${what} could accumulate ${bound}, beyond 2^30`, dir);
}

export interface CalibrationBeats {
  n: number;
  /** Windows [beat][time][channel] and features [beat][feature], as a BeatSet holds them. */
  x: Float32Array;
  features: Float32Array;
  /** What they are, for the spec (e.g. "DS1, 50,845 beats"). */
  description: string;
}

/** Which of a beat's arrays each model input takes: rank-2 inputs the window, rank-1 the features (as lite's `classifyBeat`). */
function beatArrays(inputs: readonly { shape: readonly number[] }[], x: Float32Array, features: Float32Array, dir: string): Float32Array[] {
  return inputs.map((inp) => {
    if (inp.shape.length === 2) return x;
    if (inp.shape.length === 1) return features;
    throw new LiteModelError(`integer-only inference: an input of shape [${inp.shape}]; a beat classifier takes a window and features`, dir);
  });
}

/**
 * Quantize a model directory's float graph to integers, calibrating each activation's range on `calib`.
 * `meta` gives the classes and decision offsets the spec carries.
 */
export function quantizeToIntegers(src: LiteModelSource, calib: CalibrationBeats, meta: Pick<ModelMetadata, 'classes' | 'decisionBias'>): IntegerModelSpec {
  if (calib.n < 1) throw new LiteModelError('integer-only inference: no calibration beats', src.dir);
  const g = floatGraph(src);
  const arrays = beatArrays(g.inputs, calib.x, calib.features, src.dir);
  g.inputs.forEach((inp, i) => {
    const need = calib.n * g.tensors[inp.tensor].size;
    if (arrays[i].length !== need) throw new LiteModelError(`integer-only inference: input ${inp.name} needs ${need} calibration values for ${calib.n} beats, got ${arrays[i].length}`, src.dir);
  });
  // Channel ranges of every act tensor over the calibration beats.
  const values = g.tensors.map((t) => new Float64Array(t.size));
  const lo = g.tensors.map((t) => new Float64Array(t.channels).fill(Infinity));
  const hi = g.tensors.map((t) => new Float64Array(t.channels).fill(-Infinity));
  for (let b = 0; b < calib.n; b++) {
    runFloat(g, g.inputs.map((inp, i) => arrays[i].subarray(b * g.tensors[inp.tensor].size, (b + 1) * g.tensors[inp.tensor].size)), values);
    g.tensors.forEach((t, id) => {
      if (t.kind !== 'act') return;
      const v = values[id], L = lo[id], H = hi[id];
      for (let i = 0; i < v.length; i++) { const c = i % t.channels; if (v[i] < L[c]) L[c] = v[i]; if (v[i] > H[c]) H[c] = v[i]; }
    });
  }
  // A tensor read by softmax shares one scale and zero point across its channels (the table indexes q_max − q).
  const perTensor = new Set(g.ops.flatMap((o) => (o.op === 'softmax' ? [o.in] : [])));
  // Concatenate's output keeps its inputs' channel quantization, so it is exact (a copy).
  const quant: (ChannelQuant | undefined)[] = g.tensors.map((t, id) => {
    if (t.kind !== 'act') return undefined;
    if (perTensor.has(id)) {
      const q = rangeQuant(Math.min(...lo[id]), Math.max(...hi[id]));
      return { scale: Array(t.channels).fill(q.scale), zero: Array(t.channels).fill(q.zero) };
    }
    const qs = Array.from(lo[id], (l, c) => rangeQuant(l, hi[id][c]));
    return { scale: qs.map((q) => q.scale), zero: qs.map((q) => q.zero) };
  });
  for (const o of g.ops) {
    if (o.op === 'gmp') quant[o.out] = quant[o.in];
    if (o.op === 'concat') quant[o.out] = { scale: o.ins.flatMap((t) => quant[t]!.scale), zero: o.ins.flatMap((t) => quant[t]!.zero) };
  }
  const ops: IntegerOp[] = g.ops.map((o): IntegerOp => {
    if (o.op === 'conv1d' || o.op === 'dense') {
      const inQ = quant[o.in]!, outQ = quant[o.out]!;
      const F = o.op === 'conv1d' ? o.F : o.units;
      const taps = o.op === 'conv1d' ? o.k : 1;
      const C = o.op === 'conv1d' ? o.C : o.n;
      // Fold the input channels' scales into the weights, then one symmetric int8 scale per output channel.
      const folded = new Float64Array(o.w.length);
      for (let j = 0; j < taps; j++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) folded[(j * C + c) * F + f] = o.w[(j * C + c) * F + f] * inQ.scale[c];
      const w = new Array<number>(o.w.length), b = new Array<number>(F), m: number[] = [], n: number[] = [];
      for (let f = 0; f < F; f++) {
        let mx = 0;
        for (let i = f; i < folded.length; i += F) mx = Math.max(mx, Math.abs(folded[i]));
        const sw = mx > 0 ? mx / 127 : 1;
        let bound = 0;
        for (let i = f; i < folded.length; i += F) { w[i] = Math.round(folded[i] / sw) | 0; bound += Math.abs(w[i]) * 255; }
        b[f] = Math.round((o.b ? o.b[f] : 0) / sw) | 0;
        checkAccumulator(bound + Math.abs(b[f]), `layer '${o.name}' channel ${f}`, src.dir);
        const r = multiplier(sw / outQ.scale[f], `layer '${o.name}' channel ${f}`, src.dir);
        m.push(r.m); n.push(r.n);
      }
      return o.op === 'conv1d'
        ? { op: 'conv1d', name: o.name, in: o.in, out: o.out, T: o.T, C: o.C, F: o.F, k: o.k, stride: o.stride, dilation: o.dilation, padLeft: o.padLeft, outT: o.outT, relu: o.relu, w, b, rq: { m, n } }
        : { op: 'dense', name: o.name, in: o.in, out: o.out, n: o.n, units: o.units, relu: o.relu, w, b, rq: { m, n } };
    }
    if (o.op === 'gap') {
      const inQ = quant[o.in]!, outQ = quant[o.out]!;
      checkAccumulator(255 * o.T, `layer '${o.name}'`, src.dir);
      const rs = inQ.scale.map((s, c) => multiplier(s / (o.T * outQ.scale[c]), `layer '${o.name}' channel ${c}`, src.dir));
      return { op: 'gap', name: o.name, in: o.in, out: o.out, T: o.T, C: o.C, rq: { m: rs.map((r) => r.m), n: rs.map((r) => r.n) } };
    }
    if (o.op === 'gmp') return { op: 'gmp', name: o.name, in: o.in, out: o.out, T: o.T, C: o.C };
    if (o.op === 'concat') return { op: 'concat', name: o.name, ins: o.ins, out: o.out };
    if (o.op === 'softmax') {
      const s = quant[o.in]!.scale[0];
      return { op: 'softmax', name: o.name, in: o.in, out: o.out, K: o.K, lut: Array.from({ length: 256 }, (_, d) => Math.round(65536 * Math.exp(-s * d))) };
    }
    return { op: 'hierarchical', name: o.name, r: o.r, m: o.m, out: o.out, K: o.K };
  });
  return {
    format: INTEGER_FORMAT, version: INTEGER_FORMAT_VERSION, source: src.dir, calibration: calib.description,
    classes: [...meta.classes], decisionBias: [...meta.decisionBias],
    inputs: g.inputs.map((i) => ({ name: i.name, shape: i.shape, tensor: i.tensor, quant: quant[i.tensor]! })),
    tensors: g.tensors.map((t, id) => ({ size: t.size, channels: t.channels, ...(quant[id] ? { quant: quant[id] } : {}) })),
    ops, output: g.output,
  };
}

// ---- the integer runtime ------------------------------------------------------------------------------------

/**
 * A spec read from disk is checked before it runs: every tensor an op names exists and has the kind and size the
 * op needs, weights and requantization arrays have their lengths, and no index leaves a buffer — so a damaged
 * integer.json fails here, naming what is wrong, not as a wrong answer.
 */
function checkSpec(spec: IntegerModelSpec, dir: string): void {
  const fail = (m: string): never => { throw new LiteModelError(`integer.json: ${m}`, dir); };
  const isInt = (v: unknown, lo: number, hi: number): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  const ints = (v: unknown, n: number, lo: number, hi: number, what: string): void => {
    if (!Array.isArray(v) || v.length !== n || !v.every((x) => isInt(x, lo, hi))) fail(`${what} must be ${n} integers in [${lo}, ${hi}]`);
  };
  if (!Array.isArray(spec.tensors) || !Array.isArray(spec.ops) || !Array.isArray(spec.inputs)) fail('tensors, ops and inputs must be arrays');
  const T = spec.tensors.length;
  spec.tensors.forEach((t, i) => {
    if (!isInt(t?.size, 1, 1 << 20) || !isInt(t.channels, 1, t.size) || t.size % t.channels) fail(`tensor ${i} has size ${String(t?.size)} and ${String(t?.channels)} channels`);
    if (t.quant) {
      ints(t.quant.zero, t.channels, -128, 127, `tensor ${i}'s zero points`);
      if (!Array.isArray(t.quant.scale) || t.quant.scale.length !== t.channels || !t.quant.scale.every((x) => x > 0 && Number.isFinite(x))) fail(`tensor ${i}'s scales must be ${t.channels} positive numbers`);
    }
  });
  const ref = (i: unknown, kind: 'int8' | 'q15', what: string): number => {
    if (!isInt(i, 0, T - 1)) return fail(`${what} names tensor ${String(i)}, and there are ${T}`);
    if ((kind === 'int8') !== !!spec.tensors[i as number].quant) fail(`${what}: tensor ${String(i)} is not ${kind === 'int8' ? 'an int8 activation' : 'a Q15 probability vector'}`);
    return spec.tensors[i as number].size;
  };
  if (!isInt(spec.output, 0, T - 1) || spec.tensors[spec.output].quant) fail('the output must be a Q15 probability tensor');
  if (!Array.isArray(spec.decisionBias) || spec.decisionBias.length !== spec.tensors[spec.output].size) fail(`decisionBias must have ${spec.tensors[spec.output].size} entries`);
  for (const inp of spec.inputs) ref(inp.tensor, 'int8', `input ${String(inp.name)}`);
  const rq = (r: Requant | undefined, n: number, what: string): void => { ints(r?.m, n, 1, 2 ** MULT_BITS - 1, `${what} multipliers`); ints(r?.n, n, 1, 62, `${what} shifts`); };
  for (const o of spec.ops) {
    const what = `op ${String(o?.name)}`;
    if (o.op === 'conv1d') {
      const inSize = ref(o.in, 'int8', what), outSize = ref(o.out, 'int8', what);
      if (inSize !== o.T * o.C || outSize !== o.outT * o.F || !(o.k >= 1 && o.stride >= 1 && o.dilation >= 1 && o.padLeft >= 0)) fail(`${what} has shapes that do not fit its tensors`);
      ints(o.w, o.k * o.C * o.F, -127, 127, `${what} weights`); ints(o.b, o.F, -(2 ** 31), 2 ** 31 - 1, `${what} biases`); rq(o.rq, o.F, what);
    } else if (o.op === 'dense') {
      if (ref(o.in, 'int8', what) !== o.n || ref(o.out, 'int8', what) !== o.units) fail(`${what} has shapes that do not fit its tensors`);
      ints(o.w, o.n * o.units, -127, 127, `${what} weights`); ints(o.b, o.units, -(2 ** 31), 2 ** 31 - 1, `${what} biases`); rq(o.rq, o.units, what);
    } else if (o.op === 'gap' || o.op === 'gmp') {
      if (ref(o.in, 'int8', what) !== o.T * o.C || ref(o.out, 'int8', what) !== o.C) fail(`${what} has shapes that do not fit its tensors`);
      if (o.op === 'gap') rq(o.rq, o.C, what);
    } else if (o.op === 'concat') {
      if (!Array.isArray(o.ins) || o.ins.reduce((a, i) => a + ref(i, 'int8', what), 0) !== ref(o.out, 'int8', what)) fail(`${what}'s inputs do not add up to its output`);
    } else if (o.op === 'softmax') {
      if (ref(o.in, 'int8', what) !== o.K || ref(o.out, 'q15', what) !== o.K) fail(`${what} has shapes that do not fit its tensors`);
      ints(o.lut, 256, 0, 65536, `${what} table`);
    } else if (o.op === 'hierarchical') {
      if (o.K < 2 || ref(o.r, 'q15', what) !== o.K || ref(o.m, 'q15', what) !== o.K || ref(o.out, 'q15', what) !== o.K) fail(`${what} needs three Q15 vectors of ${String(o.K)}`);
    } else {
      fail(`${what} is a '${String((o as { op?: unknown }).op)}', which the integer runtime does not run`);
    }
  }
}

const POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);
const INV_POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** -i);
/** round(acc · m / 2^n), halves up: exact while |acc · m| < 2^53 (a power of two's reciprocal is exact too). */
const requant = (acc: number, m: number, n: number): number => Math.floor((acc * m + POW2[n - 1]) * INV_POW2[n]);
const clamp8 = (v: number, lo = -128): number => (v < lo ? lo : v > 127 ? 127 : v);
/** floor(a) + z clamped to int8; a NaN input gives the zero point (the C runtime's `q8`). */
const quantizeValue = (a: number, z: number): number => (Number.isNaN(a) ? z : a < -1000 ? -128 : a > 1000 ? 127 : clamp8(Math.floor(a) + z));

/** An integer-only model (from `quantizeToIntegers` or `integer.json`), one beat at a time. */
export class IntegerModel {
  private readonly buf: Int32Array[];
  readonly outputSize: number;

  /** Per conv/dense op: weights transposed to [out][taps·in] and the input minus its zero points (scratch). */
  private readonly prep: ({ wt: Int32Array; xs: Int32Array } | null)[];

  constructor(readonly spec: IntegerModelSpec, readonly dir = spec.source) {
    if (spec.format !== INTEGER_FORMAT || spec.version !== INTEGER_FORMAT_VERSION) throw new LiteModelError(`is not an integer model of format ${INTEGER_FORMAT} v${INTEGER_FORMAT_VERSION} (got ${String(spec.format)} v${String(spec.version)})`, dir);
    checkSpec(spec, dir);
    this.buf = spec.tensors.map((t) => new Int32Array(t.size));
    this.outputSize = spec.tensors[spec.output].size;
    // Integer sums are exact in any order, so the weights can be laid out for contiguous dot products.
    this.prep = spec.ops.map((o) => {
      if (o.op !== 'conv1d' && o.op !== 'dense') return null;
      const F = o.op === 'conv1d' ? o.F : o.units, n = o.w.length / F;
      const wt = new Int32Array(o.w.length);
      for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) wt[f * n + i] = o.w[i * F + f];
      return { wt, xs: new Int32Array(spec.tensors[o.in].size) };
    });
  }

  /** The entry: float inputs to int8 with the inputs' channel scales (round half up, as the C runtime). */
  quantizeInputs(inputs: readonly ArrayLike<number>[]): void {
    const { spec } = this;
    if (inputs.length !== spec.inputs.length) throw new LiteModelError(`takes ${spec.inputs.length} inputs, got ${inputs.length}`, this.dir);
    spec.inputs.forEach((inp, i) => {
      const q = this.buf[inp.tensor], x = inputs[i], C = spec.tensors[inp.tensor].channels;
      if (x.length !== q.length) throw new LiteModelError(`input ${inp.name} takes ${q.length} values per beat, got ${x.length}`, this.dir);
      for (let j = 0; j < q.length; j++) { const c = j % C; q[j] = quantizeValue(x[j] / inp.quant.scale[c] + 0.5, inp.quant.zero[c]); }
    });
  }

  /** Q15 class probabilities of one beat (integers summing to about 2^15). */
  predictQ15(inputs: readonly ArrayLike<number>[]): Int32Array {
    this.quantizeInputs(inputs);
    const b = this.buf, t = this.spec.tensors;
    this.spec.ops.forEach((o, oi) => {
      if (o.op === 'conv1d' || o.op === 'dense') {
        const { wt, xs } = this.prep[oi]!;
        const x = b[o.in], y = b[o.out], zi = t[o.in].quant!.zero, zo = t[o.out].quant!.zero;
        const C = o.op === 'conv1d' ? o.C : o.n;
        for (let i = 0; i < xs.length; i++) xs[i] = x[i] - zi[i % C];
        if (o.op === 'dense') {
          for (let u = 0; u < o.units; u++) {
            let a = o.b[u];
            for (let i = 0, w0 = u * o.n; i < o.n; i++) a += xs[i] * wt[w0 + i];
            y[u] = clamp8(zo[u] + requant(a, o.rq.m[u], o.rq.n[u]), o.relu ? Math.max(-128, zo[u]) : -128);
          }
          return;
        }
        const kC = o.k * C;
        for (let tt = 0; tt < o.outT; tt++) {
          const start = tt * o.stride - o.padLeft;
          for (let f = 0; f < o.F; f++) {
            let a = o.b[f];
            const w0 = f * kC;
            if (o.dilation === 1) {
              // taps outside the input are the zero padding (real 0, so x − z = 0): left out
              const lo = Math.max(0, -start) * C, hi = Math.min(o.k, o.T - start) * C, x0 = start * C;
              for (let i = lo; i < hi; i++) a += xs[x0 + i] * wt[w0 + i];
            } else {
              for (let j = 0; j < o.k; j++) {
                const ti = start + j * o.dilation;
                if (ti < 0 || ti >= o.T) continue;
                for (let c = 0; c < C; c++) a += xs[ti * C + c] * wt[w0 + j * C + c];
              }
            }
            y[tt * o.F + f] = clamp8(zo[f] + requant(a, o.rq.m[f], o.rq.n[f]), o.relu ? Math.max(-128, zo[f]) : -128);
          }
        }
      } else if (o.op === 'gap') {
        const x = b[o.in], y = b[o.out], zi = t[o.in].quant!.zero, zo = t[o.out].quant!.zero;
        for (let c = 0; c < o.C; c++) {
          let a = 0;
          for (let tt = 0; tt < o.T; tt++) a += x[tt * o.C + c] - zi[c];
          y[c] = clamp8(zo[c] + requant(a, o.rq.m[c], o.rq.n[c]));
        }
      } else if (o.op === 'gmp') {
        const x = b[o.in], y = b[o.out];
        for (let c = 0; c < o.C; c++) {
          let a = -128;
          for (let tt = 0; tt < o.T; tt++) if (x[tt * o.C + c] > a) a = x[tt * o.C + c];
          y[c] = a;
        }
      } else if (o.op === 'concat') {
        let at = 0;
        for (const i of o.ins) { b[o.out].set(b[i], at); at += b[i].length; }
      } else if (o.op === 'softmax') {
        const x = b[o.in], y = b[o.out];
        let mx = -128, sum = 0;
        for (let k = 0; k < o.K; k++) if (x[k] > mx) mx = x[k];
        for (let k = 0; k < o.K; k++) { y[k] = o.lut[mx - x[k]]; sum += y[k]; }
        for (let k = 0; k < o.K; k++) y[k] = Math.floor((y[k] * Q15 + Math.floor(sum / 2)) / sum);
      } else {
        const r = b[o.r], m = b[o.m], y = b[o.out];
        const sv = m[0] + m[1], ns = Math.max(r[0] + r[1], 1);
        y[0] = Math.floor((r[0] * sv + Math.floor(ns / 2)) / ns);
        y[1] = Math.floor((r[1] * sv + Math.floor(ns / 2)) / ns);
        for (let k = 2; k < o.K; k++) y[k] = m[k];
      }
    });
    return b[this.spec.output];
  }

  /** Class probabilities of one beat as fractions (Q15 / 2^15). */
  predict(inputs: readonly ArrayLike<number>[], out: Float32Array = new Float32Array(this.outputSize)): Float32Array {
    const q = this.predictQ15(inputs);
    for (let k = 0; k < q.length; k++) out[k] = q[k] / Q15;
    return out;
  }

  /** Every beat of a set ([beat][time][channel] windows, [beat][feature] features), one at a time. */
  predictSet(set: { n: number; length: number; channels: number; x: Float32Array; features: Float32Array }): Float32Array {
    const K = this.outputSize;
    const out = new Float32Array(set.n * K);
    const arrays = beatArrays(this.spec.inputs, set.x, set.features, this.dir);
    const sizes = this.spec.inputs.map((inp) => this.spec.tensors[inp.tensor].size);
    for (let i = 0; i < set.n; i++) this.predict(arrays.map((a, j) => a.subarray(i * sizes[j], (i + 1) * sizes[j])), out.subarray(i * K, (i + 1) * K));
    return out;
  }
}
