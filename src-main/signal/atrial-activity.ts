/**
 * Atrial activity locked to the QRS: is there a P wave that the beats share? In sinus rhythm each conducted beat
 * has a P wave at a fixed time before its R peak, so the PR segments of neighbouring beats add up to a clear
 * template. In atrial fibrillation the f waves bear no fixed relation to the QRS and average out. This is what AF
 * with a regular or fast ventricular response still shows when its RR intervals no longer look irregular.
 *
 * Score of a beat: over the N beats among the `windowBeats` around it, the energy of their mean PR segment
 * (R − `from` to R − `to`, band-passed `lowCut`–`highCut` Hz, each segment's own mean removed) over the mean energy of
 * each segment minus that mean: a signal-to-residual ratio, so it does not depend on the gain. The largest over the
 * leads is kept (P and f waves are clearer in some leads). On MIT-BIH, beats in sinus rhythm mostly score 1–40, beats
 * in AF 0.02–0.2 (README, "The Holter summary").
 *
 * A beat's segment is used only when the beat before it lies at least `from` + 0.1 s earlier, so the segment does
 * not reach into that beat's QRS or steep T wave. NaN where fewer than a quarter of the window's beats are usable
 * (fast rates, ectopy, a window of few N beats): the rhythm module then judges by the RR intervals alone.
 */
import { butterworthHighPass, butterworthLowPass, filtfilt } from './biquad.js';
import { checkRate, SignalError } from './errors.js';

export interface AtrialActivityOptions {
  /** Start of the PR segment, seconds before the R peak. */
  from?: number;
  /** End of the PR segment, seconds before the R peak (before the QRS's onset). */
  to?: number;
  /** Beats around each beat whose PR segments are averaged. */
  windowBeats?: number;
  lowCut?: number;
  highCut?: number;
}

const DEFAULTS: Required<AtrialActivityOptions> = { from: 0.25, to: 0.06, windowBeats: 64, lowCut: 0.5, highCut: 15 };

/** Seconds filtered at a time, and the margin each side that the filter's start-up needs (whole records need not be held twice in doubles). */
const BLOCK_SECONDS = 60;
const PAD_SECONDS = 3;

/**
 * Per beat, the QRS-locked atrial activity score (see the header); NaN where it cannot be judged. `leads` are the
 * recording's leads in any unit, `samples` the R peaks ascending, `labels` one AAMI class letter per beat.
 */
export function atrialActivity(leads: readonly ArrayLike<number>[], fs: number, samples: ArrayLike<number>, labels: ArrayLike<string>, options: AtrialActivityOptions = {}): Float32Array {
  if (leads.length === 0) throw new SignalError('atrial activity: no leads given');
  const p = prepare(fs, samples, labels, leads[0].length, options);
  const best = new Float32Array(samples.length).fill(NaN);
  for (const lead of leads) {
    const seg = new Segments(p, samples);
    for (const blk of blocksOf(lead.length, fs)) if (seg.wants(blk)) seg.take(sliceOf(lead, blk.lo, blk.hi), blk);
    keepLarger(best, windowScores(seg.out, p.usable, p.len, p.o.windowBeats));
  }
  return best;
}

/**
 * The same score from one lead of `length` samples read window by window (`read(from, to)`: samples [from, to) in
 * any unit), so a 24-hour recording is never held whole: a minute and a few seconds at a time.
 */
export async function atrialActivityOfLead(read: (from: number, to: number) => Promise<ArrayLike<number>>, length: number, fs: number, samples: ArrayLike<number>, labels: ArrayLike<string>, options: AtrialActivityOptions = {}): Promise<Float32Array> {
  const p = prepare(fs, samples, labels, length, options);
  const seg = new Segments(p, samples);
  for (const blk of blocksOf(length, fs)) if (seg.wants(blk)) seg.take(await read(blk.lo, blk.hi), blk);
  return windowScores(seg.out, p.usable, p.len, p.o.windowBeats);
}

/**
 * The PR segment in samples: from `a` to `b` before the R peak, `len` = a − b long; and `guard`, the RR interval a
 * beat needs before it for its segment to count (the segment must not reach into the previous beat).
 */
interface Geometry { a: number; b: number; len: number; guard: number }

function geometryOf(o: Required<AtrialActivityOptions>, fs: number): Geometry {
  const a = Math.round(o.from * fs), b = Math.round(o.to * fs);
  return { a, b, len: a - b, guard: a + Math.round(0.1 * fs) };
}

interface Prepared extends Geometry { o: Required<AtrialActivityOptions>; fs: number; usable: Uint8Array }

/** Checks the input; the segment's geometry, and which beats' segments count (N, with room before them). */
function prepare(fs: number, samples: ArrayLike<number>, labels: ArrayLike<string>, length: number, options: AtrialActivityOptions): Prepared {
  checkRate(fs);
  const o = settingsOf(options);
  if (samples.length !== labels.length) throw new SignalError(`atrial activity: ${samples.length} beat times but ${labels.length} labels`);
  const g = geometryOf(o, fs);
  const usable = new Uint8Array(samples.length);
  for (let i = 1; i < samples.length; i++) usable[i] = labels[i] === 'N' && samples[i] - samples[i - 1] >= g.guard && samples[i] - g.a >= 0 && samples[i] - g.b <= length ? 1 : 0;
  return { o, fs, usable, ...g };
}

/** A block of a lead: segments that start in [from, to) are cut from the samples [lo, hi), filtered with a margin each side. */
interface Block { from: number; to: number; lo: number; hi: number }

function* blocksOf(length: number, fs: number): Generator<Block> {
  const block = Math.round(BLOCK_SECONDS * fs), pad = Math.round(PAD_SECONDS * fs);
  for (let from = 0; from < length; from += block) {
    const to = Math.min(length, from + block);
    yield { from, to, lo: Math.max(0, from - pad), hi: Math.min(length, to + pad) };
  }
}

/** The band-passed PR segment of each usable beat, its own mean removed, gathered block by block in time order. */
class Segments {
  readonly out: Float32Array;
  private i = 0;
  private readonly sections;
  constructor(private readonly p: Prepared, private readonly samples: ArrayLike<number>) {
    this.out = new Float32Array(samples.length * p.len);
    this.sections = prSections(p.fs, p.o.lowCut, p.o.highCut);
  }

  /** Whether any beat's segment starts in the block (else it need not be read). */
  wants(blk: Block): boolean {
    return this.i < this.samples.length && this.samples[this.i] - this.p.a < blk.to;
  }

  /** `x`: the block's samples [lo, hi). */
  take(x: ArrayLike<number>, blk: Block): void {
    const { a, len, usable } = this.p;
    const y = filtfilt(this.sections, x);
    for (; this.i < this.samples.length && this.samples[this.i] - a < blk.to; this.i++) {
      if (usable[this.i]) putSegment(y, this.samples[this.i] - a - blk.lo, len, this.out, this.i * len);
    }
  }
}

/** The options over the defaults (one given as undefined keeps its default), checked. */
function settingsOf(options: AtrialActivityOptions): Required<AtrialActivityOptions> {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<AtrialActivityOptions>;
  if (!(o.from > o.to && o.to >= 0)) throw new SignalError(`atrial activity: the PR segment must run from more to fewer seconds before the R peak, got ${o.from} to ${o.to}`);
  if (!(Number.isInteger(o.windowBeats) && o.windowBeats >= 8)) throw new SignalError(`atrial activity: window must be a whole number ≥ 8 of beats, got ${o.windowBeats}`);
  return o;
}

/**
 * Beat by beat, the larger of two leads' scores into `best` (NaN only where both are): how the leads are combined,
 * for a caller that reads a long recording one lead at a time.
 */
export function keepLarger(best: Float32Array, score: Float32Array): Float32Array {
  for (let i = 0; i < best.length; i++) if (!(best[i] >= score[i]) && !Number.isNaN(score[i])) best[i] = score[i];
  return best;
}

/** The band-pass of the PR segments. */
function prSections(fs: number, lowCut: number, highCut: number) {
  return [...butterworthHighPass(lowCut, fs), ...butterworthLowPass(highCut, fs)];
}

/** `len` filtered samples from `x[start]` into `out[at…]`, their own mean removed. */
function putSegment(x: ArrayLike<number>, start: number, len: number, out: Float32Array, at: number): void {
  let mean = 0;
  for (let k = 0; k < len; k++) mean += x[start + k];
  mean /= len;
  for (let k = 0; k < len; k++) out[at + k] = x[start + k] - mean;
}

function sliceOf(x: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return ArrayBuffer.isView(x) ? (x as unknown as Float32Array).subarray(from, to) : Array.prototype.slice.call(x, from, to) as number[];
}

/**
 * Running sums over a window of PR segments: Σ segments and Σ of their energies, so that the score (the mean's
 * energy over the mean residual energy, Σ‖s‖² / m − ‖mean‖²) costs one pass over a segment's length.
 */
class TemplateWindow {
  private readonly sum: Float64Array;
  private energy = 0;
  count = 0;
  constructor(private readonly len: number) { this.sum = new Float64Array(len); }

  add(seg: Float32Array, at: number, sign: 1 | -1): void {
    let e = 0;
    for (let k = 0; k < this.len; k++) { const v = seg[at + k]; this.sum[k] += sign * v; e += v * v; }
    this.energy += sign * e;
    this.count += sign;
  }

  /** NaN with fewer than `minCount` segments. */
  score(minCount: number): number {
    const m = this.count;
    if (m < minCount) return NaN;
    let t = 0;
    for (let k = 0; k < this.len; k++) { const v = this.sum[k] / m; t += v * v; }
    const residual = this.energy / m - t;
    return residual > 0 ? t / residual : NaN;
  }
}

/** The score over the usable beats of the window centred on each beat. */
function windowScores(seg: Float32Array, usable: Uint8Array, len: number, windowBeats: number): Float32Array {
  const n = usable.length, half = Math.floor(windowBeats / 2);
  const out = new Float32Array(n).fill(NaN);
  const w = new TemplateWindow(len);
  let lo = 0, hi = -1;
  for (let i = 0; i < n; i++) {
    const wantLo = Math.max(0, i - half), wantHi = Math.min(n - 1, i + half);
    while (hi < wantHi) { hi++; if (usable[hi]) w.add(seg, hi * len, 1); }
    while (lo < wantLo) { if (usable[lo]) w.add(seg, lo * len, -1); lo++; }
    out[i] = w.score(windowBeats / 4);
  }
  return out;
}

/** Signal kept per lead by the live score: the PR segment, the filter's lead-in and the beats' confirmation delay. */
const LIVE_KEEP_SECONDS = 12;
/** Filter lead-in before a live beat's PR segment, and how far past its R peak the chunk goes where it has arrived. */
const LIVE_LEAD_IN_SECONDS = 1.5;
const LIVE_AFTER_SECONDS = 0.3;

/**
 * The same score as a monitor needs it, beat by beat as labels arrive: over the window of the last `windowBeats`
 * beats (later beats are not there yet). A beat's PR segment is band-passed forwards and backwards over a chunk
 * from 1.5 s before it to 0.3 s after its R peak, so it joins the window once those samples have arrived, usually
 * by the next beat: the score given with a beat is that of the window ending at the newest complete beat. Feed every
 * sample with `push`, then each labelled beat, in time order, with `beat`.
 */
export class LiveAtrialActivity {
  private readonly o: Required<AtrialActivityOptions>;
  private readonly sections;
  private readonly rings: Float32Array[];
  private pushed = 0;
  private readonly g: Geometry;
  private readonly after: number;
  private readonly windows: TemplateWindow[];
  /** The last `windowBeats` beats' segments per lead (a ring) and whether each was usable. */
  private readonly slots: Float32Array[];
  private readonly used: Uint8Array;
  private slot = 0;
  private lastSample: number | null = null;
  /** Beats whose chunk has not fully arrived: R-peak sample, and whether the beat is usable. */
  private pending: { sample: number; usable: boolean }[] = [];
  private readonly chunk: Float32Array;

  constructor(private readonly fs: number, leads: number, options: AtrialActivityOptions = {}) {
    checkRate(fs);
    this.o = settingsOf(options);
    if (!(Number.isInteger(leads) && leads >= 1)) throw new SignalError(`live atrial activity needs a whole number ≥ 1 of leads, got ${leads}`);
    this.sections = prSections(fs, this.o.lowCut, this.o.highCut);
    this.rings = Array.from({ length: leads }, () => new Float32Array(Math.round(LIVE_KEEP_SECONDS * fs)));
    this.g = geometryOf(this.o, fs);
    this.after = Math.round(LIVE_AFTER_SECONDS * fs);
    this.windows = this.rings.map(() => new TemplateWindow(this.g.len));
    this.slots = this.rings.map(() => new Float32Array(this.o.windowBeats * this.g.len));
    this.used = new Uint8Array(this.o.windowBeats);
    this.chunk = new Float32Array(Math.round((LIVE_LEAD_IN_SECONDS + this.o.from + LIVE_AFTER_SECONDS) * fs) + 1);
  }

  /** The next samples of every lead (equal lengths). */
  push(leads: readonly ArrayLike<number>[]): void {
    if (leads.length !== this.rings.length) throw new SignalError(`live atrial activity: ${leads.length} leads given, ${this.rings.length} expected`);
    const n = leads[0].length, size = this.rings[0].length;
    leads.forEach((x, l) => { for (let i = 0; i < n; i++) this.rings[l][(this.pushed + i) % size] = x[i]; });
    this.pushed += n;
  }

  /** The newest beat (R-peak sample, AAMI label): the score of the window of complete beats, NaN where it cannot be judged. */
  beat(sample: number, label: string): number {
    if (this.lastSample !== null && !(sample > this.lastSample)) return this.score(); // a repeated or out-of-order beat changes nothing
    const { a, b, guard } = this.g;
    const usable = label === 'N' && this.lastSample !== null && sample - this.lastSample >= guard;
    this.lastSample = sample;
    this.pending.push({ sample, usable });
    const size = this.rings[0].length;
    // complete beats, and any whose chunk start would be lost from the rings before the rest arrives
    while (this.pending.length && (this.pending[0].sample + this.after <= this.pushed || this.pending[0].sample - a - this.fs < this.pushed - size)) {
      const next = this.pending.shift()!;
      this.enter(next.sample, next.usable && next.sample - a >= Math.max(0, this.pushed - size) && next.sample - b <= this.pushed);
    }
    return this.score();
  }

  /** One beat into the window, its segment filtered from what has arrived of its chunk. */
  private enter(sample: number, usable: boolean): void {
    const { a, len } = this.g;
    const size = this.rings[0].length, at = this.slot * len;
    const from = Math.max(0, sample - a - Math.round(LIVE_LEAD_IN_SECONDS * this.fs), this.pushed - size);
    const to = Math.min(this.pushed, sample + this.after);
    this.rings.forEach((ring, l) => {
      const w = this.windows[l], slots = this.slots[l];
      if (this.used[this.slot]) w.add(slots, at, -1);
      if (!usable) return;
      const x = this.chunk.subarray(0, to - from);
      for (let i = from; i < to; i++) x[i - from] = ring[i % size];
      putSegment(filtfilt(this.sections, x), sample - a - from, len, slots, at);
      w.add(slots, at, 1);
    });
    this.used[this.slot] = usable ? 1 : 0;
    this.slot = (this.slot + 1) % this.o.windowBeats;
  }

  /** The larger of the leads' window scores. */
  private score(): number {
    let best = NaN;
    for (const w of this.windows) { const v = w.score(this.o.windowBeats / 4); if (!(best >= v) && !Number.isNaN(v)) best = v; }
    return best;
  }
}
