/**
 * Sampling-rate conversion by windowed-sinc interpolation (J.O. Smith, "Digital Audio Resampling Home Page",
 * bandlimited interpolation), polyphase when the ratio is rational with a small numerator:
 *
 *   y[k] = Σ_n x[n] · h(t_k − n),   t_k = k · fsIn / fsOut,
 *   h(τ) = c · sinc(c · τ) · blackman(τ / H),  c = min(1, fsOut / fsIn) · 0.95 (anti-aliasing cut-off,
 *   5 % below the lower Nyquist), H = ZERO_CROSSINGS / c input samples on each side.
 *
 * Each phase's taps are normalised to sum to 1, so DC and the amplitude of in-band sines are kept. Samples
 * before the start / after the end are taken equal to the first / last sample (no edge droop). For the usual
 * ECG rates (128, 250, 257, 360, 500, 1000 Hz) the ratio reduces to up/down with up ≤ 1000, and the taps of the
 * `up` phases are precomputed.
 *
 * `Resampler` is the streaming form: `push(chunk)` returns the output samples whose input is complete, `flush()`
 * the rest; `resample` is that class run once, so chunked and whole-array results are identical.
 */
import { checkRate, SignalError } from './errors.js';

const ZERO_CROSSINGS = 16;
const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function kernel(tau: number, c: number, half: number): number {
  if (tau <= -half || tau >= half) return 0;
  const x = c * tau;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  const w = 0.42 + 0.5 * Math.cos((Math.PI * tau) / half) + 0.08 * Math.cos((2 * Math.PI * tau) / half);
  return c * sinc * w;
}

export class Resampler {
  readonly fsIn: number;
  readonly fsOut: number;
  /** Output samples per `down` input samples (rational ratio), or 0 when the ratio is not rational enough. */
  private readonly up: number;
  private readonly down: number;
  private readonly ratio: number; // input samples per output sample
  private readonly c: number;
  private readonly half: number; // kernel half-width, input samples
  private readonly taps: number; // taps per output sample
  private readonly table: Float64Array | null; // [phase][tap]
  private buf = new Float64Array(0); // inputs from index `base`
  private base = 0;
  private nIn = 0;
  private k = 0; // next output index
  private first = NaN;
  private last = 0;
  private flushed = false;

  constructor(fsIn: number, fsOut: number) {
    checkRate(fsIn, 'input sampling rate');
    checkRate(fsOut, 'output sampling rate');
    this.fsIn = fsIn;
    this.fsOut = fsOut;
    this.ratio = fsIn / fsOut;
    this.c = Math.min(1, fsOut / fsIn) * 0.95;
    this.half = ZERO_CROSSINGS / this.c;
    this.taps = 2 * Math.ceil(this.half) + 1;
    let up = 0, down = 0;
    if (Number.isInteger(fsIn) && Number.isInteger(fsOut)) {
      const g = gcd(fsIn, fsOut);
      up = fsOut / g; down = fsIn / g;
    }
    if (up > 0 && up <= MAX_PHASES) {
      this.up = up; this.down = down;
      this.table = new Float64Array(up * this.taps);
      for (let p = 0; p < up; p++) this.fillTaps(this.table, p * this.taps, (p * down) / up - Math.floor((p * down) / up));
    } else {
      this.up = 0; this.down = 0; this.table = null;
    }
  }

  /** Taps for an output at fractional position `frac` past input index i0: tap j weighs input i0 - H + j. */
  private fillTaps(into: Float64Array, at: number, frac: number): void {
    const H = (this.taps - 1) / 2;
    let s = 0;
    for (let j = 0; j < this.taps; j++) { const v = kernel(frac - (j - H), this.c, this.half); into[at + j] = v; s += v; }
    for (let j = 0; j < this.taps; j++) into[at + j] /= s;
  }

  /** Output length for `n` input samples: ceil(n · fsOut / fsIn). */
  outputLength(n: number): number {
    return this.up ? Math.ceil((n * this.up) / this.down) : Math.ceil(n / this.ratio - 1e-9);
  }

  push(chunk: ArrayLike<number>): Float64Array {
    if (this.flushed) throw new SignalError('Resampler.push after flush(); create a new Resampler');
    const n = chunk.length;
    if (n === 0) return new Float64Array(0);
    // Append (NaN held at the last valid value), keeping only what later outputs can still need.
    const H = (this.taps - 1) / 2;
    const keepFrom = Math.max(0, Math.floor(this.k * this.ratio) - H - 1);
    const drop = Math.max(0, Math.min(keepFrom - this.base, this.nIn - this.base));
    const have = this.nIn - this.base - drop;
    const next = new Float64Array(have + n);
    next.set(this.buf.subarray(drop, drop + have));
    for (let i = 0; i < n; i++) {
      const v = chunk[i];
      if (Number.isFinite(v)) { this.last = v; if (Number.isNaN(this.first)) this.first = v; }
      next[have + i] = this.last;
    }
    if (Number.isNaN(this.first)) this.first = 0;
    this.buf = next;
    this.base += drop;
    this.nIn += n;
    return this.emit(false);
  }

  flush(): Float64Array {
    if (this.flushed) return new Float64Array(0);
    this.flushed = true;
    return this.emit(true);
  }

  private emit(final: boolean): Float64Array {
    const H = (this.taps - 1) / 2;
    const total = this.outputLength(this.nIn);
    // Output k needs inputs up to floor(t_k) + H.
    let end = total;
    if (!final) {
      end = this.k;
      while (end < total && this.position(end).i0 + H < this.nIn) end++;
    }
    const out = new Float64Array(Math.max(0, end - this.k));
    const tmp = this.table ? null : new Float64Array(this.taps);
    for (let o = 0; this.k < end; this.k++, o++) {
      const { i0, phase, frac } = this.position(this.k);
      let taps: Float64Array, at: number;
      if (this.table) { taps = this.table; at = phase * this.taps; } else { this.fillTaps(tmp!, 0, frac); taps = tmp!; at = 0; }
      let s = 0;
      const from = i0 - H;
      if (from >= this.base && from + this.taps <= this.nIn) {
        const off = from - this.base;
        for (let j = 0; j < this.taps; j++) s += taps[at + j] * this.buf[off + j];
      } else {
        for (let j = 0; j < this.taps; j++) {
          const i = from + j;
          const v = i < 0 ? this.first : i >= this.nIn ? this.last : this.buf[i - this.base];
          s += taps[at + j] * v;
        }
      }
      out[o] = s;
    }
    return out;
  }

  private position(k: number): { i0: number; phase: number; frac: number } {
    if (this.up) {
      const num = k * this.down;
      const i0 = Math.floor(num / this.up);
      return { i0, phase: k % this.up, frac: 0 };
    }
    const t = k * this.ratio;
    const i0 = Math.floor(t);
    return { i0, phase: 0, frac: t - i0 };
  }
}

/**
 * Resample a whole signal from fsIn to fsOut. Returns ceil(n · fsOut / fsIn) samples; the same rate returns a
 * copy. NaN samples are held at the last valid value.
 */
export function resample(signal: ArrayLike<number>, fsIn: number, fsOut: number): Float64Array {
  checkRate(fsIn, 'input sampling rate');
  checkRate(fsOut, 'output sampling rate');
  if (fsIn === fsOut) return Float64Array.from(signal as ArrayLike<number>);
  const r = new Resampler(fsIn, fsOut);
  const a = r.push(signal);
  const b = r.flush();
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  out.set(a); out.set(b, a.length);
  return out;
}
