/**
 * Gradient kernels for the tfjs wasm backend.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter (so `model.fit` on a conv net throws) and its
 * Conv2DBackpropInput is a scalar C++ loop ~6× slower than the forward XNNPACK Conv2D on the same shapes.
 * Both gradients of a convolution are themselves convolutions (Dumoulin & Visin 2016, "A guide to
 * convolution arithmetic for deep learning", §4), so we express them through the backend's own fast kernels
 * (Conv2D → XNNPACK, Transpose, PadV2, Slice), never leaving the wasm heap:
 *
 *  - dW = im2col(x)ᵀ · dy: the transposed patch matrix [(fh·fw·Cin) × (N·OH·OW)] is gathered in JS directly
 *    on the wasm heap, then one XNNPACK fully-connected product with dy viewed as [N·OH·OW × Cout] gives dW
 *    already in the filter layout [fh,fw,Cin,Cout]. (wasm's Transpose and transposed BatchMatMul are
 *    scalar loops several times slower than this gather; see the bench.)
 *  - dX = dy zero-upsampled by the stride, convolved (stride 1) with the spatially flipped filter whose
 *    in/out channels are swapped, with padding (f-1-pad) at the start.
 *
 * A plain-JS Conv2DBackpropFilter (`referenceConv2DBackpropFilter`) is kept as the correctness reference and
 * as the "before" of the benchmark; `useWasmGradKernels('reference')` switches to it.
 */
import { tf } from './tf.js';

type Shape4 = [number, number, number, number];
interface TensorInfo { dataId: object; shape: number[]; dtype: string }
/** The parts of tfjs-backend-wasm's BackendWasm we use (it is not exported with types we can import). */
interface WasmBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  readSync(dataId: object): unknown;
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> }) => TensorInfo;

export type WasmGradKernelMode = 'fast' | 'reference' | 'stock';

let mode: WasmGradKernelMode | undefined;
/**
 * wasm's own Conv2DBackpropInput config, kept whole (its setupFunc binds the C++ function when the backend
 * initialises) for shapes the fast path does not cover and for 'reference'/'stock' modes.
 */
let stockConfig: tf.KernelConfig | undefined;
let stockBackpropInput: KernelFunc | undefined;
let stockMaxPoolGrad: tf.KernelConfig | undefined;
let stockIdentity: tf.KernelConfig | undefined;
let stockSum: tf.KernelConfig | undefined;
let stockBatchMatMul: tf.KernelConfig | undefined;

/** Register the fast kernels on 'wasm' (once; called by initEngine). */
export function registerWasmGradKernels(): void {
  if (mode === undefined) useWasmGradKernels('fast');
}

/**
 * Choose the wasm convolution-gradient kernels: 'fast' (ours, via XNNPACK convs), 'reference' (plain-JS
 * Conv2DBackpropFilter + wasm's stock Conv2DBackpropInput — what one gets by merely filling the gap), or
 * 'stock' (wasm as shipped: no Conv2DBackpropFilter at all). For benchmarks and tests.
 */
export function useWasmGradKernels(next: WasmGradKernelMode): void {
  if (mode === next) return;
  if (mode === undefined) {
    // Kernels the stock backend lacks entirely; not part of the fast/reference comparison.
    tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as never });
    tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput as never });
  }
  if (!stockConfig) {
    stockConfig = tf.getKernel('Conv2DBackpropInput', 'wasm');
    if (stockConfig) stockBackpropInput = stockConfig.kernelFunc as unknown as KernelFunc;
  }
  if (!stockMaxPoolGrad) stockMaxPoolGrad = tf.getKernel('MaxPoolGrad', 'wasm');
  if (!stockIdentity) stockIdentity = tf.getKernel('Identity', 'wasm');
  if (!stockSum) stockSum = tf.getKernel('Sum', 'wasm');
  if (!stockBatchMatMul) stockBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Identity', 'Sum', 'BatchMatMul']) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  if (next === 'fast') {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: fastBackpropFilter as never });
    // Keep the stock setupFunc so the stock kernel we fall back to gets bound when the backend initialises.
    tf.registerKernel({ ...stockConfig, kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: fastBackpropInput as never });
    tf.registerKernel({ ...stockMaxPoolGrad, kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: fastMaxPoolGrad as never });
    tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity as never });
    // Keep the stock setupFunc: the stock Sum it falls back to must be bound at backend initialisation.
    tf.registerKernel({ ...stockSum, kernelName: 'Sum', backendName: 'wasm', kernelFunc: fastSum as never });
    tf.registerKernel({ ...stockBatchMatMul, kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: fastBatchMatMul as never });
  } else {
    if (next === 'reference') {
      tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: referenceBackpropFilter as never });
    }
    if (stockConfig) tf.registerKernel(stockConfig);
    for (const k of [stockMaxPoolGrad, stockIdentity, stockSum, stockBatchMatMul]) if (k) tf.registerKernel(k);
  }
  mode = next;
}

export function wasmGradKernelMode(): WasmGradKernelMode | undefined {
  return mode;
}

// ---------------------------------------------------------------------------------------------------------
// helpers: call other wasm kernels directly (no engine bookkeeping, no tape), dispose intermediates ourselves

function call(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return (k.kernelFunc as unknown as KernelFunc)({ inputs, backend, attrs });
}

function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return call('Transpose', backend, { x }, { perm });
}

function slice(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return call('Slice', backend, { x }, { begin, size });
}

interface ConvGeom {
  N: number; H: number; W: number; Cin: number;
  OH: number; OW: number; Cout: number;
  fh: number; fw: number; sh: number; sw: number;
  pt: number; pl: number;
}

function geometry(xShape: Shape4, filterShape: Shape4, attrs: Record<string, unknown>): ConvGeom {
  const dataFormat = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (dataFormat !== 'channelsLast') throw new Error(`wasm conv gradients support only NHWC (got ${String(attrs.dataFormat)})`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape, filterShape, attrs.strides as [number, number], 1,
    attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined, false, dataFormat,
  );
  return {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, Cin: info.inChannels,
    OH: info.outHeight, OW: info.outWidth, Cout: info.outChannels,
    fh: info.filterHeight, fw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    pt: info.padInfo.top, pl: info.padInfo.left,
  };
}

// ---------------------------------------------------------------------------------------------------------
// dW

function fastBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackend; attrs: Record<string, unknown> }): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const filterShape = attrs.filterShape as Shape4;
  const g = geometry(x.shape as Shape4, filterShape, attrs);
  const rows = g.fh * g.fw * g.Cin;
  const cols = g.N * g.OH * g.OW;
  const temps: TensorInfo[] = [];
  try {
    // patchesT[(i,j,ci), (n,oh,ow)] = x[n, oh·sh+i−pt, ow·sw+j−pl, ci]; built in JS straight on the wasm heap.
    const patches = backend.makeOutput([1, rows, cols], 'float32');
    temps.push(patches);
    im2colTransposed(backend, x, patches, g);
    // dW[(i,j,ci), co] = patchesT · dy: one [rows×K]·[K×Cout] product on XNNPACK's fully-connected path
    // (wasm BatchMatMul falls back to a scalar loop when transposed). Cutting K into cache-sized chunks was
    // tried and measured no faster.
    const dy3 = call('Reshape', backend, { x: dy }, { shape: [1, cols, g.Cout] });
    temps.push(dy3);
    const dw = call('BatchMatMul', backend, { a: patches, b: dy3 }, { transposeA: false, transposeB: false });
    temps.push(dw);
    return call('Reshape', backend, { x: dw }, { shape: filterShape });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * Transposed im2col of NHWC `x` into `out` [(fh·fw·Cin) × (N·OH·OW)]; taps outside the input are 0.
 * Channels are first moved to the front ([Cin,N,H,W]) so that, at stride 1, every (tap, channel, example,
 * row) run of the output is a contiguous slice of that transposed input: a memcpy (`copyWithin`).
 */
function im2colTransposed(backend: WasmBackend, x: TensorInfo, patches: TensorInfo, g: ConvGeom): void {
  const { N, H, W, Cin, OH, OW, fh, fw, sh, sw, pt, pl } = g;
  const plane = N * H * W;
  const xT = Cin === 1 ? x : backend.makeOutput([Cin, plane], 'float32');
  try {
    // Heap views only after the last allocation (growth replaces the buffer).
    const out = backend.typedArrayFromHeap(patches);
    const xv = backend.typedArrayFromHeap(x);
    const xt = backend.typedArrayFromHeap(xT);
    if (xT !== x) transpose2d(xv, xt, plane, Cin);
    const K = N * OH * OW;
    if (H === 1 && OH === 1 && fh === 1 && sw === 1 && OW === W) {
      // 1-D 'same'-length conv (our beat CNNs): row (j,ci) is channel ci shifted by j−pl across the whole
      // batch — one memcpy — then the |shift| samples that crossed into a neighbouring example are zeroed.
      for (let j = 0; j < fw; j++) {
        const d = j - pl;
        for (let ci = 0; ci < Cin; ci++) {
          const row = (j * Cin + ci) * K;
          const src = ci * plane;
          // The zeroed runs are 1–3 samples: plain stores beat a fill() call per example (~2× here).
          if (d >= 0) {
            out.set(xt.subarray(src + d, src + plane), row);
            for (let e = row + W - d, end = row + plane; e < end; e += W) for (let k = 0; k < d; k++) out[e + k] = 0;
          } else {
            out.set(xt.subarray(src, src + plane + d), row - d);
            for (let e = row, end = row + plane; e < end; e += W) for (let k = 0; k < -d; k++) out[e + k] = 0;
          }
        }
      }
      return;
    }
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        // Valid ow range for this tap: 0 ≤ ow·sw + j − pl < W.
        const lo = Math.min(OW, Math.max(0, Math.ceil((pl - j) / sw)));
        const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 - j + pl) / sw) + 1));
        for (let ci = 0; ci < Cin; ci++) {
          const row = ((i * fw + j) * Cin + ci) * K;
          for (let n = 0; n < N; n++) {
            for (let oh = 0; oh < OH; oh++) {
              const o = row + (n * OH + oh) * OW;
              const h = oh * sh + i - pt;
              if (h < 0 || h >= H) {
                out.fill(0, o, o + OW);
                continue;
              }
              if (lo > 0) out.fill(0, o, o + lo);
              const src = ci * plane + (n * H + h) * W + lo * sw + j - pl;
              if (sw === 1) {
                out.set(xt.subarray(src, src + (hi - lo)), o + lo);
              } else {
                for (let ow = lo, s = src; ow < hi; ow++, s += sw) out[o + ow] = xt[s];
              }
              if (hi < OW) out.fill(0, o + hi, o + OW);
            }
          }
        }
      }
    }
  } finally {
    if (xT !== x) backend.disposeData(xT.dataId);
  }
}

/**
 * out[c·rows + r] = a[r·cols + c]: [rows×cols] → [cols×rows]. Four output rows per pass over `a` (four
 * sequential write streams, strided reads): 2–3× faster in V8 than 32×32 tiles for our shapes (cols 1–240).
 */
function transpose2d(a: Float32Array, out: Float32Array, rows: number, cols: number): void {
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o0 = c * rows;
    const o1 = o0 + rows;
    const o2 = o1 + rows;
    const o3 = o2 + rows;
    for (let r = 0, s = c; r < rows; r++, s += cols) {
      out[o0 + r] = a[s];
      out[o1 + r] = a[s + 1];
      out[o2 + r] = a[s + 2];
      out[o3 + r] = a[s + 3];
    }
  }
  for (; c < cols; c++) {
    const o = c * rows;
    for (let r = 0, s = c; r < rows; r++, s += cols) out[o + r] = a[s];
  }
}

// ---------------------------------------------------------------------------------------------------------
// dX

function fastBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackend; attrs: Record<string, unknown> }): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const g = geometry(attrs.inputShape as Shape4, filter.shape as Shape4, attrs);
  const padT = g.fh - 1 - g.pt;
  const padL = g.fw - 1 - g.pl;
  if (padT < 0 || padL < 0) {
    // Explicit padding wider than the filter: rare, leave it to the stock kernel.
    if (!stockBackpropInput) throw new Error('wasm Conv2DBackpropInput is missing');
    return stockBackpropInput(args as never);
  }
  const temps: TensorInfo[] = [];
  try {
    // Zero-upsample dy by the strides: [N,OH,OW,C] → [N,(OH-1)sh+1,(OW-1)sw+1,C].
    let up = dy;
    if (g.sh > 1 || g.sw > 1) {
      const r6 = call('Reshape', backend, { x: dy }, { shape: [g.N, g.OH, 1, g.OW, 1, g.Cout] });
      temps.push(r6);
      const padded = call('PadV2', backend, { x: r6 }, {
        paddings: [[0, 0], [0, 0], [0, g.sh - 1], [0, 0], [0, g.sw - 1], [0, 0]], constantValue: 0,
      });
      temps.push(padded);
      const r4 = call('Reshape', backend, { x: padded }, { shape: [g.N, g.OH * g.sh, g.OW * g.sw, g.Cout] });
      temps.push(r4);
      up = slice(backend, r4, [0, 0, 0, 0], [g.N, (g.OH - 1) * g.sh + 1, (g.OW - 1) * g.sw + 1, g.Cout]);
      temps.push(up);
    }
    const LH = up.shape[1];
    const LW = up.shape[2];
    // Padding at the end so the output has exactly H×W; negative means trailing dy rows only met padding.
    const padB = g.H + g.fh - 1 - padT - LH;
    const padR = g.W + g.fw - 1 - padL - LW;
    if (padB < 0 || padR < 0) {
      const cropped = slice(backend, up, [0, 0, 0, 0], [g.N, LH + Math.min(padB, 0), LW + Math.min(padR, 0), g.Cout]);
      temps.push(cropped);
      up = cropped;
    }
    const wFlipped = flipFilter(backend, filter); // [fh,fw,Cout,Cin], spatially reversed
    temps.push(wFlipped);
    return call('Conv2D', backend, { x: up, filter: wFlipped }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [[0, 0], [padT, Math.max(padB, 0)], [padL, Math.max(padR, 0)], [0, 0]],
      dataFormat: 'NHWC',
    });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** [fh,fw,Cin,Cout] → [fh,fw,Cout,Cin] with both spatial axes reversed; done in JS (filters are small). */
function flipFilter(backend: WasmBackend, filter: TensorInfo): TensorInfo {
  const [fh, fw, ci, co] = filter.shape;
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  // Views after makeOutput: allocation may have grown (and detached) the heap.
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const s0 = (i * fw + j) * ci * co;
      const d0 = ((fh - 1 - i) * fw + (fw - 1 - j)) * co * ci;
      for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) dst[d0 + b * ci + a] = src[s0 + a * co + b];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// MaxPoolGrad: wasm's C++ kernel rescans every window once per input pixel; routing each dy to its window's
// arg-max in one pass over the outputs is several times faster. Ties go to the first maximum in scan order,
// as in tfjs-backend-cpu (and TensorFlow).

function fastMaxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; backend: WasmBackend; attrs: Record<string, unknown> }): TensorInfo {
  const { inputs: { dy, input }, backend, attrs } = args;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as Shape4, attrs.filterSize as [number, number], attrs.strides as [number, number], 1,
    attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined,
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const out = backend.typedArrayFromHeap(dx);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // 1-D pools (they zero `out` themselves): tfjs-layers' maxPooling1d pools [N,W,1,C] along H; [N,1,W,C] along W is the same memory.
  if (H === 1 && OH === 1 && dw === 1) {
    maxPoolGrad1d(x, g, out, N, W, C, OW, sw, fw, pl);
    return dx;
  }
  if (W === 1 && OW === 1 && dh === 1) {
    maxPoolGrad1d(x, g, out, N, H, C, OH, sh, fh, pt);
    return dx;
  }
  out.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - pl;
        const yo = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let i = 0; i < fh; i += dh) {
            const h = h0 + i;
            if (h < 0 || h >= H) continue;
            for (let j = 0; j < fw; j += dw) {
              const w = w0 + j;
              if (w < 0 || w >= W) continue;
              const k = ((n * H + h) * W + w) * C + c;
              const v = x[k];
              if (at < 0 || v > best) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) out[at] += g[yo + c];
        }
      }
    }
  }
  return dx;
}

/** MaxPoolGrad for 1-D pools ([N,1,W,C]): same rule as the general loop, with the index arithmetic hoisted. */
function maxPoolGrad1d(x: Float32Array, g: Float32Array, out: Float32Array, N: number, W: number, C: number, OW: number, sw: number, fw: number, pl: number): void {
  if (fw === 2 && sw === 2 && pl === 0 && 2 * OW <= W) {
    // maxPooling1d({poolSize: 2}), our CNNs' pool: windows tile the input without overlap, so every input is
    // written exactly once (dy or +0) — no zero fill, no read-modify-write. The choice is made on the bits
    // (dy & mask through Int32 views of the same memory) rather than with a branch, which mispredicts on
    // half of the windows: 2.4× faster, same values bit for bit. Ties go to the first element.
    const g32 = new Int32Array(g.buffer, g.byteOffset, g.length);
    const o32 = new Int32Array(out.buffer, out.byteOffset, out.length);
    const rowIn = W * C;
    const tail = (W - 2 * OW) * C;
    for (let n = 0, y = 0; n < N; n++) {
      const xn = n * rowIn;
      for (let a = xn, end = xn + 2 * OW * C; a < end; a += 2 * C) {
        for (let i = a, iEnd = a + C; i < iEnd; i++, y++) {
          const second = +(x[i + C] > x[i]); // 1: the second element is the (first strict) maximum; no branch
          const gi = g32[y];
          o32[i] = gi & (second - 1);
          o32[i + C] = gi & -second;
        }
      }
      if (tail > 0) out.fill(0, xn + rowIn - tail, xn + rowIn);
    }
    return;
  }
  out.fill(0);
  for (let n = 0; n < N; n++) {
    const xn = n * W * C;
    for (let ow = 0; ow < OW; ow++) {
      const w0 = ow * sw - pl;
      const j0 = Math.max(0, -w0);
      const j1 = Math.min(fw, W - w0);
      if (j1 <= j0) continue;
      const yo = (n * OW + ow) * C;
      const first = xn + (w0 + j0) * C;
      if (j1 - j0 === 2) {
        // The common pool of 2: one comparison per channel, no inner loop.
        for (let c = 0; c < C; c++) {
          const a = first + c;
          out[x[a + C] > x[a] ? a + C : a] += g[yo + c];
        }
        continue;
      }
      for (let c = 0; c < C; c++) {
        let at = first + c;
        let best = x[at];
        for (let j = j0 + 1, k = at + C; j < j1; j++, k += C) {
          if (x[k] > best) {
            best = x[k];
            at = k;
          }
        }
        out[at] += g[yo + c];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Depthwise convolution gradients: absent from tfjs-backend-wasm (separable/depthwise conv1d layers could not
// train). Direct summation in JS; depthwise convs have few multiply-adds per output, so this is not a hot spot.

function depthwiseInfo(xShape: Shape4, filterShape: Shape4, attrs: Record<string, unknown>) {
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, attrs.strides as [number, number], (attrs.dilations as [number, number]) ?? 1,
    attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined, true,
  );
}

function depthwiseBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackend; attrs: Record<string, unknown> }): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const filterShape = attrs.filterShape as Shape4;
  const c = depthwiseInfo(x.shape as Shape4, filterShape, attrs);
  const out = backend.makeOutput(filterShape, 'float32');
  const xv = backend.typedArrayFromHeap(x);
  const g = backend.typedArrayFromHeap(dy);
  const dw = backend.typedArrayFromHeap(out);
  dw.fill(0);
  const M = c.outChannels / c.inChannels;
  for (let i = 0; i < c.filterHeight; i++) {
    for (let j = 0; j < c.filterWidth; j++) {
      for (let n = 0; n < c.batchSize; n++) {
        for (let oh = 0; oh < c.outHeight; oh++) {
          const h = oh * c.strideHeight + i * c.dilationHeight - c.padInfo.top;
          if (h < 0 || h >= c.inHeight) continue;
          for (let ow = 0; ow < c.outWidth; ow++) {
            const w = ow * c.strideWidth + j * c.dilationWidth - c.padInfo.left;
            if (w < 0 || w >= c.inWidth) continue;
            const xo = ((n * c.inHeight + h) * c.inWidth + w) * c.inChannels;
            const yo = ((n * c.outHeight + oh) * c.outWidth + ow) * c.outChannels;
            const fo = (i * c.filterWidth + j) * c.outChannels;
            for (let ch = 0; ch < c.inChannels; ch++) {
              const xa = xv[xo + ch];
              for (let q = 0; q < M; q++) dw[fo + ch * M + q] += xa * g[yo + ch * M + q];
            }
          }
        }
      }
    }
  }
  return out;
}

function depthwiseBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackend; attrs: Record<string, unknown> }): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const inputShape = attrs.inputShape as Shape4;
  const c = depthwiseInfo(inputShape, filter.shape as Shape4, attrs);
  const out = backend.makeOutput(inputShape, 'float32');
  const f = backend.typedArrayFromHeap(filter);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const M = c.outChannels / c.inChannels;
  for (let n = 0; n < c.batchSize; n++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      for (let ow = 0; ow < c.outWidth; ow++) {
        const yo = ((n * c.outHeight + oh) * c.outWidth + ow) * c.outChannels;
        for (let i = 0; i < c.filterHeight; i++) {
          const h = oh * c.strideHeight + i * c.dilationHeight - c.padInfo.top;
          if (h < 0 || h >= c.inHeight) continue;
          for (let j = 0; j < c.filterWidth; j++) {
            const w = ow * c.strideWidth + j * c.dilationWidth - c.padInfo.left;
            if (w < 0 || w >= c.inWidth) continue;
            const xo = ((n * c.inHeight + h) * c.inWidth + w) * c.inChannels;
            const fo = (i * c.filterWidth + j) * c.outChannels;
            for (let ch = 0; ch < c.inChannels; ch++) {
              let sum = 0;
              for (let q = 0; q < M; q++) sum += g[yo + ch * M + q] * f[fo + ch * M + q];
              dx[xo + ch] += sum;
            }
          }
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Identity and outer-axis Sum: not gradients themselves, but on the training path. The engine clones every
// tensor it saves for backprop through Identity, which on wasm copies the data (tfjs-backend-cpu shares it:
// tensors are immutable, a Variable's assign swaps its dataId rather than writing in place). Bias gradients
// sum dy over all leading axes, which wasm's Sum does by first transposing the whole of dy.

function sharedIdentity(args: { inputs: { x: TensorInfo }; backend: WasmBackend & { incRef(id: object): void } }): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === 'string') return stockIdentity!.kernelFunc(args as never) as unknown as TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function fastSum(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: { axis: number | number[]; keepDims: boolean } }): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32') return stockSum!.kernelFunc(args as never) as unknown as TensorInfo;
  const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const kept = x.shape.slice(axes.length);
  const cols = kept.reduce((a, b) => a * b, 1);
  const outShape = attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept;
  const out = backend.makeOutput(outShape, 'float32');
  const v = backend.typedArrayFromHeap(x);
  const o = backend.typedArrayFromHeap(out);
  // Accumulate in float64 row by row: same order every run, and closer to the exact sum than float32.
  const acc = new Float64Array(cols);
  if (cols % 4 === 0) {
    for (let r = 0, base = 0; r < rows; r++, base += cols) {
      for (let c = 0; c < cols; c += 4) {
        acc[c] += v[base + c];
        acc[c + 1] += v[base + c + 1];
        acc[c + 2] += v[base + c + 2];
        acc[c + 3] += v[base + c + 3];
      }
    }
  } else {
    for (let r = 0, base = 0; r < rows; r++, base += cols) {
      for (let c = 0; c < cols; c++) acc[c] += v[base + c];
    }
  }
  o.set(acc);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Transposed matrix products: wasm's BatchMatMul runs XNNPACK only for untransposed operands and otherwise a
// scalar loop (~5× slower for the dense layers' gradients dX = dY·Wᵀ and dW = Xᵀ·dY at batch 128). For
// unbatched products we rearrange the operands on the heap in JS (cheap: they are small) and take the fast path.
//
// Bit for bit the same as the stock kernel, so that training gives the same weights as before this kernel
// existed: the stock loop sums k in order within blocks of 48 (float32, no FMA) and adds the block sums to the
// output in order, ((0 + s₁) + s₂) + …; XNNPACK's fully-connected product sums k in order too (checked bitwise
// in the tests), so we give it one 48-wide block of k at a time and add the blocks up the same way.

const STOCK_MATMUL_BLOCK = 48; // kBlockSize of tfjs-backend-wasm's slow_batch_matmul

function fastBatchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: WasmBackend; attrs: { transposeA: boolean; transposeB: boolean } }): TensorInfo {
  const { inputs: { a, b }, backend, attrs } = args;
  const stock = stockBatchMatMul!.kernelFunc as unknown as KernelFunc;
  const unbatched = (t: TensorInfo): boolean => t.shape.slice(0, -2).every((d) => d === 1);
  const tA = attrs.transposeA;
  const tB = attrs.transposeB;
  if ((!tA && !tB) || a.dtype !== 'float32' || b.dtype !== 'float32' || !unbatched(a) || !unbatched(b)) return stock(args as never);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), M, N];
  const plain = { transposeA: false, transposeB: false };
  const out = backend.makeOutput(outShape, 'float32');
  const temps: TensorInfo[] = [];
  try {
    for (let k0 = 0; k0 < K; k0 += STOCK_MATMUL_BLOCK) {
      const kb = Math.min(STOCK_MATMUL_BLOCK, K - k0);
      // A block [M × kb] and B block [kb × N], untransposed.
      const ab = backend.makeOutput([1, M, kb], 'float32');
      const bb = backend.makeOutput([1, kb, N], 'float32');
      temps.push(ab, bb);
      const av = backend.typedArrayFromHeap(a);
      const bv = backend.typedArrayFromHeap(b);
      const abv = backend.typedArrayFromHeap(ab);
      const bbv = backend.typedArrayFromHeap(bb);
      if (tA) transpose2d(av.subarray(k0 * M, (k0 + kb) * M), abv, kb, M); // rows k0… of a [K×M]
      else for (let i = 0; i < M; i++) abv.set(av.subarray(i * K + k0, i * K + k0 + kb), i * kb);
      if (tB) {
        for (let j = 0; j < N; j++) for (let k = 0, s = j * K + k0; k < kb; k++, s++) bbv[k * N + j] = bv[s];
      } else {
        bbv.set(bv.subarray(k0 * N, (k0 + kb) * N));
      }
      const part = stock({ inputs: { a: ab, b: bb }, backend, attrs: { ...attrs, ...plain } });
      temps.push(part);
      const o = backend.typedArrayFromHeap(out); // views after the product: it allocated on the heap
      const p = backend.typedArrayFromHeap(part);
      if (k0 === 0) {
        for (let i = 0; i < o.length; i++) o[i] = p[i] + 0; // 0 + s₁ (−0 becomes +0, as in the stock loop)
      } else {
        for (let i = 0; i < o.length; i++) o[i] = Math.fround(o[i] + p[i]) + 0;
      }
      for (const t of temps.splice(0)) backend.disposeData(t.dataId);
    }
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

// ---------------------------------------------------------------------------------------------------------
// plain-JS reference dW (direct summation, as tfjs-backend-cpu does it)

function referenceBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackend; attrs: Record<string, unknown> }): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const filterShape = attrs.filterShape as Shape4;
  const g = geometry(x.shape as Shape4, filterShape, attrs);
  const out = backend.makeOutput(filterShape, 'float32');
  const xv = backend.typedArrayFromHeap(x);
  const dyv = backend.typedArrayFromHeap(dy);
  const dw = backend.typedArrayFromHeap(out);
  referenceConv2DBackpropFilter(xv, dyv, dw, g);
  return out;
}

/** dW[i,j,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+i−pt, ow·sw+j−pl, ci] · dy[n,oh,ow,co]; NHWC, dilation 1. */
export function referenceConv2DBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: ConvGeom): void {
  const { N, H, W, Cin, OH, OW, Cout, fh, fw, sh, sw, pt, pl } = g;
  dw.fill(0);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          const h = oh * sh + i - pt;
          if (h < 0 || h >= H) continue;
          for (let ow = 0; ow < OW; ow++) {
            const w = ow * sw + j - pl;
            if (w < 0 || w >= W) continue;
            const xo = ((n * H + h) * W + w) * Cin;
            const yo = ((n * OH + oh) * OW + ow) * Cout;
            for (let a = 0; a < Cin; a++) {
              const xa = x[xo + a];
              if (xa === 0) continue;
              const d0 = ((i * fw + j) * Cin + a) * Cout;
              for (let b = 0; b < Cout; b++) dw[d0 + b] += xa * dy[yo + b];
            }
          }
        }
      }
    }
  }
}
