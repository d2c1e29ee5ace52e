/**
 * Causal model inputs: every input of a beat is computed from the signal up to a few samples after its R peak
 * and from the beats before it — nothing later. This is what lets a bedside device stream a beat's label
 * tens of milliseconds after the R peak, where the offline inputs (windows.ts, rr.ts, preprocess.ts) need the
 * whole recording (record-median template, record-average RR, centred median filters, the next beat).
 *
 * One implementation serves training, offline `classify` and the live agent: `CausalBeatEncoder` is streaming
 * (samples and beat positions in, a beat's inputs out as soon as its window is complete), and the batch helper
 * `causalRecordInputs` simply pushes a whole recording through it — so a live stream gives exactly the labels
 * an offline run gives (tests/model/causal.test.ts).
 *
 * Differences from the offline inputs, each for the same reason (no look-ahead):
 *  - conditioning: trailing boxcar anti-alias, linear resampling, baseline = trailing 200 ms median followed by a
 *    trailing 600 ms median (the offline filters are the same medians, centred);
 *  - template: element-wise median of the windows of up to the last `TEMPLATE_BEATS` beats (refreshed every 16
 *    beats, every beat while there are fewer than 16); the first beat is its own template;
 *  - RR: postRR is unknown when the label is due, so the post-beat features repeat the pre-beat ones
 *    (postRR = preRR, post/local = pre/local, post/pre = 1); localRR and irregularity use the last 10 intervals,
 *    recordRR the mean of all intervals so far; before the second beat every interval is taken as 1 s.
 */
import { toPhysical, type RecordingSource } from '../../domain/recording.js';
import { LiveQrsDetector } from '../../signal/detect-qrs-live.js';
import { ModelError } from '../errors.js';
import { FEATURE_COUNT } from './beats.js';
import { RR_FEATURE_COUNT } from './rr.js';
import { beatAgainstTemplate, TEMPLATE_FEATURE_NAMES, templateStats, windowChannels, windowLength, type TemplateStats, type WindowSpec } from './windows.js';

/** What each feature of a causal model means (same order and count as FEATURE_NAMES, so the networks are unchanged). */
export const CAUSAL_FEATURE_NAMES: readonly string[] = [
  'preRR', 'postRR=preRR', 'localRR(last10)', 'recordRR(so-far)', 'pre/local', 'post/local=pre/local', 'pre/record', 'post/pre=1',
  'local-irregularity(last10)', ...TEMPLATE_FEATURE_NAMES,
];

/**
 * The causal models' input: the usual 250 ms before the R peak but only 28 ms from it (R + 5 samples at 180 Hz),
 * so the inputs are complete about as soon as a fast detector can confirm the beat.
 */
export const CAUSAL_WINDOW: WindowSpec = { fs: 180, before: 45, after: 6, causal: true };

/** The leads the fast detector reads for a causal model: the classifier's lead first (fiducials sit on it), then the others. */
export function causalDetectorLeads<T>(leads: T[], leadIndex: number): T[] {
  return [leads[leadIndex], ...leads.filter((_, i) => i !== leadIndex)];
}

/** Detector blocks (seconds of signal) read at a time by `liveDetectorPositions`: ten minutes. */
const LIVE_READ_BLOCKS = 600;

/**
 * The beats a causal model is given in use: the live detector (fast detector + causal noise gate) on every lead,
 * the classifier's lead first — as `classify` and the device agent find them.
 */
export async function liveDetectorPositions(src: RecordingSource, leadIndex: number, chunkBlocks = LIVE_READ_BLOCKS): Promise<Int32Array> {
  // Read by windows, as a device receives the signal, so a 24-hour Holter never sits in memory whole. Windows are
  // whole multiples of the detector's one-second block, so the beats are exactly those of one whole-record pass.
  const { fs, length } = src.info;
  const det = new LiveQrsDetector(fs, src.info.signals.length);
  const step = Math.max(1, Math.round(fs)) * chunkBlocks;
  const parts: Int32Array[] = [];
  for (let from = 0; from < length; from += step) {
    const rec = await src.read({ from, to: Math.min(length, from + step) });
    parts.push(det.push(causalDetectorLeads(rec.signals.map((s) => toPhysical(s)), leadIndex)));
  }
  parts.push(det.flush());
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Beats whose windows make up the running template. */
export const TEMPLATE_BEATS = 128;
const TEMPLATE_REFRESH = 16;
const LOCAL_RR = 10;
/** Conditioned signal kept, in seconds: the beat window plus the detector's decision delay fit many times over. */
const RING_SECONDS = 8;

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Trailing running median of the last `w` values (fewer at the start), one value at a time. */
class TrailingMedian {
  private readonly sorted: Float64Array;
  private readonly ring: Float64Array;
  private size = 0;
  private next = 0;
  constructor(private readonly w: number) {
    this.sorted = new Float64Array(w);
    this.ring = new Float64Array(w);
  }
  private find(v: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) { const m = (lo + hi) >> 1; if (this.sorted[m] < v) lo = m + 1; else hi = m; }
    return lo;
  }
  push(v: number): number {
    if (this.size === this.w) {
      const old = this.ring[this.next];
      const k = this.find(old);
      this.sorted.copyWithin(k, k + 1, this.size);
      this.size--;
    }
    this.ring[this.next] = v;
    this.next = (this.next + 1) % this.w;
    const k = this.find(v);
    this.sorted.copyWithin(k + 1, k, this.size);
    this.sorted[k] = v;
    this.size++;
    const s = this.size;
    return s % 2 ? this.sorted[s >> 1] : 0.5 * (this.sorted[(s >> 1) - 1] + this.sorted[s >> 1]);
  }
}

/**
 * Causal conditioning of one lead: physical samples at `fsIn` in, baseline-free samples at `fsOut` out.
 * Output sample m stands for input time m·fsIn/fsOut, like `resampleLinear`.
 */
export class CausalConditioner {
  private readonly ratio: number;
  private readonly box: Float64Array;
  private boxSum = 0;
  private boxN = 0;
  private boxNext = 0;
  private inCount = 0;
  private prevValid = 0;
  /** The last two anti-aliased input samples (index inCount-2, inCount-1). */
  private y0 = 0;
  private y1 = 0;
  private outCount = 0;
  private readonly m1: TrailingMedian;
  private readonly m2: TrailingMedian;

  constructor(readonly fsIn: number, readonly fsOut: number) {
    this.ratio = fsIn / fsOut;
    this.box = new Float64Array(this.ratio > 1.5 ? Math.round(this.ratio) : 1);
    const odd = (s: number): number => { const w = Math.round(s * fsOut); return w % 2 ? w : w + 1; };
    this.m1 = new TrailingMedian(odd(0.2));
    this.m2 = new TrailingMedian(odd(0.6));
  }

  /** Samples produced so far. */
  get produced(): number { return this.outCount; }

  /** Input samples needed (counted from the first) before output sample `m` exists. */
  inputsFor(m: number): number {
    const t = (m * this.fsIn) / this.fsOut;
    const k = Math.floor(t);
    return t - k > 1e-9 ? k + 2 : k + 1;
  }

  /** Condition `x` (NaN = invalid, held at the last valid value); calls `emit` with each new output sample. */
  push(x: ArrayLike<number>, emit: (v: number) => void): void {
    for (let i = 0; i < x.length; i++) {
      let v = x[i];
      if (Number.isNaN(v)) v = this.prevValid; else this.prevValid = v;
      // trailing boxcar (anti-alias before decimation)
      if (this.boxN === this.box.length) this.boxSum -= this.box[this.boxNext]; else this.boxN++;
      this.box[this.boxNext] = v;
      this.boxSum += v;
      this.boxNext = (this.boxNext + 1) % this.box.length;
      this.y0 = this.y1;
      this.y1 = this.boxSum / this.boxN;
      this.inCount++;
      for (;;) {
        const t = (this.outCount * this.fsIn) / this.fsOut;
        const k = Math.floor(t);
        const f = t - k;
        let out: number;
        if (f <= 1e-9) {
          if (k > this.inCount - 1) break;
          if (k !== this.inCount - 1) throw new ModelError('causal conditioner fell behind its input (internal error)');
          out = this.y1;
        } else {
          if (k + 1 > this.inCount - 1) break;
          out = this.y0 * (1 - f) + this.y1 * f;
        }
        this.outCount++;
        const base = this.m2.push(this.m1.push(out));
        emit(out - base);
      }
    }
  }
}

/** Inputs of one beat, ready for the model. */
export interface CausalBeat {
  /** Beat index (order of `addBeat`) and position at the input rate. */
  index: number;
  sample: number;
  /** [time][channel] window, `windowLength(spec)` × channels. */
  x: Float32Array;
  /** FEATURE_COUNT values (CAUSAL_FEATURE_NAMES). */
  features: Float32Array;
  /** Input sample (count from the first) whose arrival completed this beat's inputs. */
  readyAtSample: number;
}

/**
 * Streaming causal inputs for one lead. Feed samples with `push` and beat positions (input-rate samples,
 * ascending) with `addBeat`, in any interleaving; each beat's inputs are computed once the conditioned signal
 * reaches the end of its window and are collected with `take`.
 */
export class CausalBeatEncoder {
  readonly length: number;
  private readonly cond: CausalConditioner;
  private readonly ring: Float32Array;
  private readonly scale: number;
  private pending: number[] = [];
  private nextIndex = 0;
  private ready: CausalBeat[] = [];
  // beat history
  private lastTime: number | null = null;
  private readonly rrs: number[] = [];
  private rrSum = 0;
  private rrCount = 0;
  private readonly windows: Float32Array;
  private windowsStored = 0;
  private tpl: TemplateStats | null = null;
  private lastAdded: number | null = null;
  private lastRaw = 0;

  constructor(readonly fsIn: number, readonly spec: WindowSpec) {
    if (!spec.causal) throw new ModelError('the window spec is not causal');
    if (!(fsIn > 0)) throw new ModelError(`sampling rate ${fsIn} Hz is not positive`);
    this.length = windowLength(spec);
    this.cond = new CausalConditioner(fsIn, spec.fs);
    this.ring = new Float32Array(Math.max(this.length * 4, Math.ceil(RING_SECONDS * spec.fs)));
    this.scale = spec.fs / fsIn;
    this.windows = new Float32Array(TEMPLATE_BEATS * this.length);
  }

  private center(sample: number): number { return Math.round(sample * this.scale); }

  /** Input samples needed (count from the first) before the beat at input sample `sample` is complete. */
  inputsNeeded(sample: number): number {
    return this.cond.inputsFor(this.center(sample) + this.spec.after - 1);
  }

  addBeat(sample: number): void {
    const last = this.pending.length ? this.pending[this.pending.length - 1] : this.lastAdded;
    if (last !== null && sample <= last) throw new ModelError(`beat at sample ${sample} is not after the previous beat (${last})`);
    const c = this.center(sample);
    if (c - this.spec.before < this.cond.produced - this.ring.length) {
      throw new ModelError(`beat at sample ${sample} arrived after its window left the encoder's ${RING_SECONDS} s buffer`);
    }
    this.lastAdded = sample;
    this.pending.push(sample);
    this.drain();
  }

  push(x: ArrayLike<number>): void {
    for (let i = x.length - 1; i >= 0; i--) if (!Number.isNaN(x[i])) { this.lastRaw = x[i]; break; }
    this.inputCount += x.length;
    this.cond.push(x, (v) => {
      this.ring[(this.cond.produced - 1) % this.ring.length] = v;
      this.drain();
    });
  }

  /**
   * The recording has ended: beats whose window runs past the end are completed by holding the last sample
   * (offline windows are zero-padded there; either way such a beat is at most the last 30-odd ms of a record).
   */
  finish(): void {
    if (this.pending.length === 0) return;
    const need = this.inputsNeeded(this.pending[this.pending.length - 1]) - this.inputCount;
    if (need > 0) this.push(new Float32Array(need).fill(this.lastRaw));
  }

  private inputCount = 0;

  /** Beats completed since the last call. */
  take(): CausalBeat[] {
    const r = this.ready;
    this.ready = [];
    return r;
  }

  /** Beats added but not yet complete. */
  get waiting(): number { return this.pending.length; }

  private drain(): void {
    while (this.pending.length && this.center(this.pending[0]) + this.spec.after <= this.cond.produced) {
      this.encode(this.pending.shift()!);
    }
  }

  private encode(sample: number): void {
    const { before } = this.spec;
    const len = this.length;
    const c = this.center(sample);
    const one = new Float32Array(len);
    const produced = this.cond.produced;
    for (let j = 0; j < len; j++) {
      const k = c - before + j;
      one[j] = k >= 0 && k < produced && k >= produced - this.ring.length ? this.ring[k % this.ring.length] : 0;
    }
    // template from earlier beats only
    const index = this.nextIndex++;
    if (index === 0) this.tpl = this.templateFrom(one);
    else if (index <= TEMPLATE_REFRESH || index % TEMPLATE_REFRESH === 0) this.tpl = this.templateFrom(null);
    const C = windowChannels(this.spec).length;
    const x = new Float32Array(len * C);
    const f = new Float32Array(FEATURE_COUNT);
    this.rrInto(sample / this.fsIn, f);
    beatAgainstTemplate(one, this.tpl!, x, 0, C, f, RR_FEATURE_COUNT, this.spec.beat ? 1 : -1);
    // this beat joins the template history
    this.windows.set(one, (this.windowsStored % TEMPLATE_BEATS) * len);
    this.windowsStored++;
    this.ready.push({ index, sample, x, features: f, readyAtSample: this.cond.inputsFor(c + this.spec.after - 1) });
  }

  private templateFrom(first: Float32Array | null): TemplateStats {
    const len = this.length;
    const t = new Float32Array(len);
    if (first) t.set(first);
    else {
      const m = Math.min(this.windowsStored, TEMPLATE_BEATS);
      const col = new Float32Array(m);
      for (let j = 0; j < len; j++) {
        for (let i = 0; i < m; i++) col[i] = this.windows[i * len + j];
        col.sort();
        t[j] = m % 2 ? col[m >> 1] : 0.5 * (col[(m >> 1) - 1] + col[m >> 1]);
      }
    }
    return templateStats(t);
  }

  /** RR features of the beat at time `time` (s) from the beats before it (rr.ts's formulas, past only). */
  private rrInto(time: number, f: Float32Array): void {
    if (this.lastTime !== null) {
      const rr = clip(time - this.lastTime, 0.1, 3);
      this.rrs.push(rr);
      if (this.rrs.length > LOCAL_RR) this.rrs.shift();
      this.rrSum += rr;
      this.rrCount++;
    }
    this.lastTime = time;
    const n = this.rrs.length;
    const pre = n ? this.rrs[n - 1] : 1;
    const recordRR = this.rrCount ? this.rrSum / this.rrCount : 1;
    let local = 0;
    for (const r of this.rrs) local += r;
    local = n ? local / n : recordRR;
    const d: number[] = [];
    for (let j = 1; j < n; j++) d.push(Math.abs(this.rrs[j] - this.rrs[j - 1]));
    d.sort((a, b) => a - b);
    const m = d.length;
    const med = m ? (m % 2 ? d[m >> 1] : 0.5 * (d[(m >> 1) - 1] + d[m >> 1])) : 0;
    f[0] = pre;
    f[1] = pre;
    f[2] = local;
    f[3] = recordRR;
    f[4] = clip(pre / local, 0, 4);
    f[5] = f[4];
    f[6] = clip(pre / recordRR, 0, 4);
    f[7] = 1;
    f[8] = clip(med / local, 0, 2);
  }
}

/** Causal inputs of all beats of one lead (the batch form of `CausalBeatEncoder`), layouts as in BeatSet. */
export function causalRecordInputs(physical: Float32Array, fsIn: number, samples: ArrayLike<number>, spec: WindowSpec): { x: Float32Array; features: Float32Array } {
  const enc = new CausalBeatEncoder(fsIn, spec);
  const n = samples.length;
  const L = enc.length * windowChannels(spec).length;
  const x = new Float32Array(n * L);
  const features = new Float32Array(n * FEATURE_COUNT);
  // Beats are queued up front; they are encoded as the signal passes the end of each window.
  for (let i = 0; i < n; i++) enc.addBeat(samples[i]);
  enc.push(physical);
  enc.finish();
  for (const b of enc.take()) {
    x.set(b.x, b.index * L);
    features.set(b.features, b.index * FEATURE_COUNT);
  }
  return { x, features };
}
