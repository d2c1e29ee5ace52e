/**
 * An integer model (`integer.ts`) as C99 source for a microcontroller: `ecg_model.h` (the API) and `ecg_model.c`
 * (int8 weights, int32 biases, fixed-point multipliers and the kernels, straight-line calls in graph order). It uses
 * only <stdint.h> and <string.h>, no heap and no floating point except `ecg_model_quantize`, which turns the float
 * inputs into int8 at the entry as `IntegerModel.quantizeInputs` does. Its probabilities equal the TypeScript
 * runtime's bit for bit (tests/model/integer.test.ts compiles it with gcc and compares).
 */
import { LiteModelError } from './errors.js';
import { Q15, type IntegerModelSpec, type IntegerOp } from './integer.js';

/** Decision offsets e^b in Q12: argmax p·e^b is argmax log p + b (`decide`), in integers. */
const DECIDE_BITS = 12;

const list = (v: readonly number[]): string => {
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 24) out.push(v.slice(i, i + 24).join(','));
  return out.join(',\n  ');
};
/** A double constant that reads back to the same double. */
const dbl = (v: number): string => (Number.isInteger(v) ? `${v}.0` : v.toPrecision(17));
const ident = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

const KERNELS = `#include <string.h>
#include "ecg_model.h"

/* round(acc * m / 2^n), halves up, by floor division (no implementation-defined shift of a negative number) */
static int32_t rq(int32_t acc, int32_t m, int n) {
  int64_t v = (int64_t)acc * m + ((int64_t)1 << (n - 1));
  return (int32_t)(v >= 0 ? v >> n : -((-v + ((int64_t)1 << n) - 1) >> n));
}
static int8_t clamp8(int32_t v, int32_t lo) { return (int8_t)(v < lo ? lo : v > 127 ? 127 : v); }

static void conv1d(const int8_t *x, int T, int C, const int8_t *zi, const int8_t *w, const int32_t *b,
                   const int32_t *m, const int8_t *n, const int8_t *zo, int F, int k, int stride, int dil,
                   int pad, int outT, int relu, int8_t *y) {
  for (int t = 0; t < outT; t++)
    for (int f = 0; f < F; f++) {
      int32_t a = b[f];
      for (int j = 0; j < k; j++) {
        int ti = t * stride - pad + j * dil;
        if (ti < 0 || ti >= T) continue;
        for (int c = 0; c < C; c++) a += ((int32_t)x[ti * C + c] - zi[c]) * w[(j * C + c) * F + f];
      }
      y[t * F + f] = clamp8(zo[f] + rq(a, m[f], n[f]), relu && zo[f] > -128 ? zo[f] : -128);
    }
}

static void dense(const int8_t *x, int N, const int8_t *zi, const int8_t *w, const int32_t *b, const int32_t *m,
                  const int8_t *n, const int8_t *zo, int U, int relu, int8_t *y) {
  for (int u = 0; u < U; u++) {
    int32_t a = b[u];
    for (int i = 0; i < N; i++) a += ((int32_t)x[i] - zi[i]) * w[i * U + u];
    y[u] = clamp8(zo[u] + rq(a, m[u], n[u]), relu && zo[u] > -128 ? zo[u] : -128);
  }
}

static void gap(const int8_t *x, int T, int C, const int8_t *zi, const int32_t *m, const int8_t *n, const int8_t *zo, int8_t *y) {
  for (int c = 0; c < C; c++) {
    int32_t a = 0;
    for (int t = 0; t < T; t++) a += (int32_t)x[t * C + c] - zi[c];
    y[c] = clamp8(zo[c] + rq(a, m[c], n[c]), -128);
  }
}

static void gmp(const int8_t *x, int T, int C, int8_t *y) {
  for (int c = 0; c < C; c++) {
    int8_t a = -128;
    for (int t = 0; t < T; t++) if (x[t * C + c] > a) a = x[t * C + c];
    y[c] = a;
  }
}

static void softmax(const int8_t *x, int K, const uint32_t *lut, int32_t *y) {
  int32_t mx = -128; int64_t sum = 0;
  for (int k = 0; k < K; k++) if (x[k] > mx) mx = x[k];
  for (int k = 0; k < K; k++) { y[k] = (int32_t)lut[mx - x[k]]; sum += y[k]; }
  for (int k = 0; k < K; k++) y[k] = (int32_t)(((int64_t)y[k] * ${Q15} + sum / 2) / sum);
}

static void hierarchical(const int32_t *r, const int32_t *m, int K, int32_t *y) {
  int64_t sv = (int64_t)m[0] + m[1], ns = (int64_t)r[0] + r[1];
  if (ns < 1) ns = 1;
  y[0] = (int32_t)((r[0] * sv + ns / 2) / ns);
  y[1] = (int32_t)((r[1] * sv + ns / 2) / ns);
  for (int k = 2; k < K; k++) y[k] = m[k];
}
`;

export interface CSource { header: string; source: string }

/** `ecg_model.h` and `ecg_model.c` of an integer model with one window input and one feature input. */
export function integerModelC(spec: IntegerModelSpec): CSource {
  const win = spec.inputs.find((i) => i.shape.length === 2), feat = spec.inputs.find((i) => i.shape.length === 1);
  if (spec.inputs.length !== 2 || !win || !feat) throw new LiteModelError('the C export takes a beat classifier with one window input and one feature input', spec.source);
  const K = spec.tensors[spec.output].size;
  const t = spec.tensors;
  const name = (i: number): string => `t${i}`;
  const data: string[] = [];
  const calls: string[] = [];
  const int8 = (id: string, v: readonly number[]) => data.push(`static const int8_t ${id}[${v.length}] = {\n  ${list(v)}\n};`);
  const int32 = (id: string, v: readonly number[]) => data.push(`static const int32_t ${id}[${v.length}] = {\n  ${list(v)}\n};`);
  // Buffers: int8 activations, int32 Q15 probabilities; inputs are the caller's.
  const bufs = t.map((x, i) => (spec.inputs.some((inp) => inp.tensor === i) ? '' : x.quant ? `static int8_t ${name(i)}[${x.size}];` : `static int32_t ${name(i)}[${x.size}];`)).filter(Boolean);
  const zeros = new Map<number, string>();
  const zeroOf = (i: number): string => {
    if (!zeros.has(i)) { const id = `z${i}`; int8(id, t[i].quant!.zero); zeros.set(i, id); }
    return zeros.get(i)!;
  };
  const ref = (i: number): string => (i === win.tensor ? 'window_q' : i === feat.tensor ? 'features_q' : name(i));
  for (const o of spec.ops as IntegerOp[]) {
    const p = ident(o.name);
    if (o.op === 'conv1d' || o.op === 'dense') {
      int8(`${p}_w`, o.w); int32(`${p}_b`, o.b); int32(`${p}_m`, o.rq.m); int8(`${p}_n`, o.rq.n);
      calls.push(o.op === 'conv1d'
        ? `conv1d(${ref(o.in)}, ${o.T}, ${o.C}, ${zeroOf(o.in)}, ${p}_w, ${p}_b, ${p}_m, ${p}_n, ${zeroOf(o.out)}, ${o.F}, ${o.k}, ${o.stride}, ${o.dilation}, ${o.padLeft}, ${o.outT}, ${o.relu ? 1 : 0}, ${ref(o.out)});`
        : `dense(${ref(o.in)}, ${o.n}, ${zeroOf(o.in)}, ${p}_w, ${p}_b, ${p}_m, ${p}_n, ${zeroOf(o.out)}, ${o.units}, ${o.relu ? 1 : 0}, ${ref(o.out)});`);
    } else if (o.op === 'gap') {
      int32(`${p}_m`, o.rq.m); int8(`${p}_n`, o.rq.n);
      calls.push(`gap(${ref(o.in)}, ${o.T}, ${o.C}, ${zeroOf(o.in)}, ${p}_m, ${p}_n, ${zeroOf(o.out)}, ${ref(o.out)});`);
    } else if (o.op === 'gmp') {
      calls.push(`gmp(${ref(o.in)}, ${o.T}, ${o.C}, ${ref(o.out)});`);
    } else if (o.op === 'concat') {
      let at = 0;
      for (const i of o.ins) { calls.push(`memcpy(${ref(o.out)} + ${at}, ${ref(i)}, ${t[i].size});`); at += t[i].size; }
    } else if (o.op === 'softmax') {
      data.push(`static const uint32_t ${p}_lut[256] = {\n  ${list(o.lut)}\n};`);
      calls.push(`softmax(${ref(o.in)}, ${o.K}, ${p}_lut, ${ref(o.out)});`);
    } else {
      calls.push(`hierarchical(${ref(o.r)}, ${ref(o.m)}, ${o.K}, ${ref(o.out)});`);
    }
  }
  const inQuant = (inp: IntegerModelSpec['inputs'][number], what: string) => {
    data.push(`static const double ${what}_scale[${inp.quant.scale.length}] = {\n  ${inp.quant.scale.map(dbl).join(',\n  ')}\n};`);
    int8(`${what}_zero`, inp.quant.zero);
  };
  inQuant(win, 'window'); inQuant(feat, 'features');
  const decide = spec.decisionBias.map((b) => Math.round(Math.exp(b) * 2 ** DECIDE_BITS));
  int32('decide_weight', decide);
  const header = `/* ${spec.source}, integer-only (int8 activations and weights, int32 accumulators): written by ecg-review compress --integer. */
#ifndef ECG_MODEL_H
#define ECG_MODEL_H
#include <stdint.h>

#define ECG_MODEL_WINDOW ${t[win.tensor].size}     /* [${win.shape.join('][')}] values, time-major */
#define ECG_MODEL_FEATURES ${t[feat.tensor].size}
#define ECG_MODEL_CLASSES ${K}                    /* ${spec.classes.join(', ')} */
#define ECG_MODEL_Q15 ${Q15}

/* The only floating-point step: the encoder's float inputs to int8 (round half up, clamp to [-128, 127]). */
void ecg_model_quantize(const float *window, const float *features, int8_t *window_q, int8_t *features_q);
/* One beat: class probabilities in Q15 (out of ECG_MODEL_Q15). */
void ecg_model_run(const int8_t *window_q, const int8_t *features_q, int32_t probs_q15[ECG_MODEL_CLASSES]);
/* The class index: argmax of p · e^(decision offset) in integers (no morphology consensus). */
int ecg_model_decide(const int32_t probs_q15[ECG_MODEL_CLASSES]);

#endif
`;
  const source = `/* ${spec.source}: ${spec.calibration}. Generated; do not edit. */
${KERNELS}
${data.join('\n')}

${bufs.join('\n')}

/* floor(a) + z clamped to int8 (a NaN gives z), as IntegerModel.quantizeInputs */
static int8_t q8(double a, int32_t z) {
  if (!(a == a)) return (int8_t)z;
  if (a < -1000.0) return -128;
  if (a > 1000.0) return 127;
  int32_t f = (int32_t)a;
  if ((double)f > a) f -= 1;
  return clamp8(f + z, -128);
}

void ecg_model_quantize(const float *window, const float *features, int8_t *window_q, int8_t *features_q) {
  for (int i = 0; i < ECG_MODEL_WINDOW; i++) window_q[i] = q8((double)window[i] / window_scale[i % ${t[win.tensor].channels}] + 0.5, window_zero[i % ${t[win.tensor].channels}]);
  for (int i = 0; i < ECG_MODEL_FEATURES; i++) features_q[i] = q8((double)features[i] / features_scale[i % ${t[feat.tensor].channels}] + 0.5, features_zero[i % ${t[feat.tensor].channels}]);
}

void ecg_model_run(const int8_t *window_q, const int8_t *features_q, int32_t probs_q15[ECG_MODEL_CLASSES]) {
  ${calls.join('\n  ')}
  memcpy(probs_q15, ${ref(spec.output)}, sizeof(int32_t) * ECG_MODEL_CLASSES);
}

int ecg_model_decide(const int32_t probs_q15[ECG_MODEL_CLASSES]) {
  int best = 0; int64_t bv = -1;
  for (int k = 0; k < ECG_MODEL_CLASSES; k++) { int64_t v = (int64_t)probs_q15[k] * decide_weight[k]; if (v > bv) { bv = v; best = k; } }
  return best;
}
`;
  return { header, source };
}

/** Bytes of constant data the C source puts in flash: weights, biases, multipliers, zero points, tables, input scales. */
export function constantBytes(spec: IntegerModelSpec): number {
  let bytes = 4 * spec.decisionBias.length;
  const zeroed = new Set<number>();
  const zeros = (t: number) => { if (!zeroed.has(t)) { zeroed.add(t); bytes += spec.tensors[t].quant!.zero.length; } };
  for (const o of spec.ops) {
    if (o.op === 'conv1d' || o.op === 'dense') { bytes += o.w.length + 4 * o.b.length + 5 * o.rq.m.length; zeros(o.in); zeros(o.out); }
    else if (o.op === 'gap') { bytes += 5 * o.rq.m.length; zeros(o.in); zeros(o.out); }
    else if (o.op === 'softmax') bytes += 4 * o.lut.length;
  }
  for (const inp of spec.inputs) { bytes += 8 * inp.quant.scale.length; zeros(inp.tensor); }
  return bytes;
}

/** `ecg_model_decide` in TypeScript: the same integers, for tests and the agent. */
export function decideQ15(spec: IntegerModelSpec, probs: ArrayLike<number>): number {
  let best = 0, bv = -1;
  for (let k = 0; k < probs.length; k++) {
    const v = probs[k] * Math.round(Math.exp(spec.decisionBias[k] ?? 0) * 2 ** DECIDE_BITS);
    if (v > bv) { bv = v; best = k; }
  }
  return best;
}
