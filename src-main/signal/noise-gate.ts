/**
 * Noise gate for the QRS detector: drop the detections that are not heartbeats because there is no ECG around them.
 *
 * An energy detector with adaptive thresholds (detect-qrs.ts) finds "beats" in anything: white or band-limited
 * noise at ECG amplitude gives about two detections a second. What noise lacks is recurrence: the QRS complexes
 * of a real ECG repeat their shape from beat to beat, the peaks of noise do not. This is the template-matching
 * signal-quality index of the literature — Orphanidou et al., Signal-quality indices for the electrocardiogram
 * and photoplethysmogram, IEEE JBHI 19(3):832-838, 2015 (10-s windows, mean correlation of the beats with the
 * window's average beat, acceptable ≥ 0.66); Li, Mark & Clifford, Physiol Meas 29:15-32, 2008 and Clifford
 * et al., Physiol Meas 33:1419-1433, 2012 (beat-by-beat SQIs) — changed in one respect for arrhythmia, where a
 * single template fails (Behar et al., ECG signal quality during arrhythmia, IEEE TBME 60(6):1660-1666, 2013):
 * in bigeminy half the beats are PVCs and match the median template poorly. So each beat is compared with
 * every other beat of the window: it recurs when at least two others match it (r ≥ 0.75) — a PVC finds other
 * PVCs. Two matches, not one: among the ~20 detections a 10-s window of noise yields, one chance match ≥ 0.75
 * is not rare (5–30 Hz noise then leaks ~3 windows a minute), two are. The window is ECG when ≥ 30 % of its
 * detections recur (i.e. the 70th percentile of the beats' second-best correlation is ≥ 0.75).
 *
 *  - Each detection is judged on the detections of a 10-s window around it: the 5 s before and the 5 s after.
 *    It is kept when the window is ECG (so an isolated ectopic beat in ECG is kept), dropped otherwise.
 *  - Beat shape: the 1–30 Hz band (baseline wander and EMG above 30 Hz out), ±100 ms around the QRS, at a
 *    rate of ~120 Hz (boxcar-decimated before filtering, which keeps the cost at a fraction of the detector's).
 *    Each beat is centred on the centroid of its squared slope in that band (a polarity-free QRS centre: the
 *    detector's fiducial can jump between the positive and negative lobe, or between leads).
 *  - Leads are judged separately and one recurring lead is enough.
 *  - Hysteresis: right after a window that recurred, one match ≥ 0.8 per beat is enough (noisy ECG stays ECG);
 *    at the start and after noise, two matches ≥ 0.75 are needed (noise stays noise).
 *  - A window with no more than 2 detections cannot show recurrence and is kept (a pause, a short recording).
 *
 * Measured (tests/signal/noise-gate.test.ts, detect-qrs.test.ts, tests/bench/detect.bench.ts): no detection of
 * the 48 MIT-BIH records is dropped (bigeminy, flutter and noisy stretches included); with NSTDB noise (em, ma)
 * added to records 100, 119 and 203 at 6 and 0 dB the detector's beats are unchanged; white and 5–30 Hz noise at
 * 0.1–1 mV go from ~2 detections a second to none or almost none, the NSTDB muscle record (ma) from 78 to < 1 a
 * minute. Not rejected: the NSTDB electrode-motion record (em), whose artefacts recur with a ~1 s period and a
 * stable shape (NSTDB: electrode motion "can mimic the appearance of ectopic beats") — a shape-recurrence index
 * cannot tell them from heartbeats. At −6 dB ma noise (ECG barely visible) the gate drops many noisy stretches:
 * Se 88 % → 73 % on record 100 (+P 72 % → 77 %).
 *
 * Streaming: a detection is decided when the detector's decision point is 5 s past it (and not before 5 s of
 * recording), with the detections known at that sample index — so the verdict, and the beats released, do not
 * depend on chunking. Beats are released one by one, ~5 s after they occur (plus the chunk they arrive in).
 */
import { BiquadCascade, butterworthHighPass, butterworthLowPass, groupDelay } from './biquad.js';
import { SignalError } from './errors.js';

export interface NoiseGateOptions {
  /** Window a detection is judged in, s (default 10: the 5 s before it and the 5 s after). */
  windowSeconds?: number;
  /** Correlation at or above which two beat shapes match (default 0.75). */
  threshold?: number;
  /**
   * Called for each run of consecutive detections judged not to be ECG (and dropped): [first, last + 1) in
   * samples, once the run has ended.
   */
  onUnreadable?: (from: number, to: number) => void;
  /**
   * Causal (for live labels within tens of ms, detect-qrs-live.ts): each detection is judged, as soon as it is
   * made, on the detections of the `windowSeconds` before it that are at least 0.5 s old (their shapes are
   * complete) — the window is "is the signal ECG up to now?", the detection itself is not in it. Default false.
   */
  causal?: boolean;
}

/** A detection is decided this long after it (the window's look-ahead; also covers the detector's usual lag). */
const AHEAD_SECONDS = 5;
/** Detections this recent are not yet in the window (their shape's signal may not have arrived). */
const SETTLE_SECONDS = 0.5;
/** No detection is decided before this much of the recording has been seen (a first window worth judging). */
const START_SECONDS = 5;
/** Half-width of the beat window compared between beats, s. */
const HALF_WINDOW = 0.1;
/** Search radius of the slope-energy centroid, first and second pass, s. */
const CENTROID_REACH = [0.1, 0.06] as const;
/** Score quantile: the window is ECG when this fraction of its detections (from the top) have a near twin. */
const QUANTILE = 0.7;
/** Rate of the shape signal, Hz (boxcar decimation by floor(fs / RATE)). */
const RATE = 120;
/** A beat recurs when this many other beats of the window match it (its second-best match counts). */
const TWINS = 2;
/** After a window that recurred: one match at this correlation is enough. */
const LENIENT_THRESHOLD = 0.8;

/** Index of the `QUANTILE` quantile in n ascending values. */
function quantileIndex(n: number): number {
  return Math.min(n - 1, Math.floor(QUANTILE * n));
}

/**
 * Does one lead's window of beats recur: is the `QUANTILE` quantile of the beats' best correlation with another
 * beat ≥ threshold? Decided without computing the quantile — it is ≥ threshold exactly when enough beats have
 * some other beat correlating ≥ threshold, and for ECG the first beat tried usually does. `offsets` locate the
 * beats' zero-mean, unit-norm shapes (length `len`) in `pool`.
 */
function recurs(pool: Float32Array, offsets: readonly number[], len: number, threshold: number, twinsNeeded: number): boolean {
  const n = offsets.length;
  const need = n - quantileIndex(n);
  let found = 0;
  for (let i = 0; i < n; i++) {
    if (found + (n - i) < need) return false;
    const a = offsets[i];
    let twins = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = offsets[j];
      let c = 0;
      for (let k = 0; k < len; k++) c += pool[a + k] * pool[b + k];
      if (c >= threshold && ++twins === twinsNeeded) { found++; break; }
    }
    if (found >= need) return true;
  }
  return false;
}

interface GateBeat {
  at: number;
  /** Slot of its shapes in the pools. */
  slot: number;
  /** Bit l set: the shape in lead l has been computed. */
  done: number;
}

/**
 * The streaming gate, fed by QrsDetector: the held (NaN-free) input of every block, the detections in the order
 * the detector emits them, and a call to `decide(m)` whenever its decision point m reaches `nextDecision`.
 */
export class NoiseGate {
  private readonly D: number;
  private readonly back: number;
  private readonly ahead: number;
  private readonly settle: number;
  private readonly start: number;
  private readonly threshold: number;
  private readonly onUnreadable: NoiseGateOptions['onUnreadable'];
  private readonly causal: boolean;
  private readonly H: number;
  private readonly len: number;
  private readonly reach: number[];
  private readonly delay: number;
  private readonly mask: number;
  private readonly filters: BiquadCascade[];
  private readonly wide: Float32Array[];
  private readonly decIn: Float64Array;
  private readonly rawAcc: Float64Array;
  private rawT = 0;
  /** Beat shapes, per lead: slot s at s·len. */
  private readonly pools: Float32Array[];
  private slot = 0;
  private readonly slots: number;
  private readonly offsets: number[] = [];
  /** Detections alive, ascending: [first, next) decided (the context), [next, end) not yet decided. */
  private beats: GateBeat[] = [];
  private first = 0;
  private next = 0;
  /** The last decision found the beats recurring (hysteresis: the next one is judged leniently). */
  private recurring = false;
  /** A run of dropped detections not yet reported: [from, to), or from = -1. */
  private dropFrom = -1;
  private dropTo = -1;
  /** Decision point at which the oldest pending detection is decided. */
  nextDecision = Infinity;

  /**
   * `lookAhead`: how many samples the detector may filter beyond its decision point; `minSpacing`: the least
   * distance between two of its detections (its refractory period), which bounds the beats of a window.
   */
  constructor(fs: number, private readonly leads: number, options: NoiseGateOptions, lookAhead: number, minSpacing: number) {
    const seconds = options.windowSeconds ?? 10, threshold = options.threshold ?? 0.75;
    if (!(seconds >= 4 && seconds <= 60)) throw new SignalError(`noise gate windowSeconds must be 4–60 s, got ${String(options.windowSeconds)}`);
    if (!(threshold > 0 && threshold <= 1)) throw new SignalError(`noise gate threshold is a correlation in (0, 1], got ${String(options.threshold)}`);
    this.D = Math.max(1, Math.floor(fs / RATE));
    const rate = fs / this.D;
    this.causal = options.causal === true;
    this.ahead = this.causal ? 0 : Math.round(AHEAD_SECONDS * fs);
    this.back = Math.round(seconds * fs) - this.ahead;
    // the window's later beats must have their signal (shape reach) when the beat is decided
    this.settle = Math.round(SETTLE_SECONDS * fs);
    this.start = this.causal ? 0 : Math.round(START_SECONDS * fs);
    this.threshold = threshold;
    this.onUnreadable = options.onUnreadable;
    this.H = Math.max(2, Math.round(HALF_WINDOW * rate));
    this.len = 2 * this.H + 1;
    this.reach = CENTROID_REACH.map((r) => Math.max(1, Math.round(r * rate)));
    const sections = [...butterworthHighPass(1, rate, 2), ...butterworthLowPass(Math.min(30, 0.45 * rate), rate, 2)];
    this.delay = groupDelay(sections, 10, rate);
    this.filters = Array.from({ length: leads }, () => new BiquadCascade(sections));
    // The rings reach back over the window (a context beat's shape in another lead may be needed late), plus the
    // block the detector filters ahead of its decisions and a few seconds of detection lag.
    const span = this.back + this.ahead + 4 * fs;
    let size = 1;
    while (size < (span + lookAhead) / this.D + 4 * this.H + 16) size *= 2;
    this.mask = size - 1;
    this.wide = Array.from({ length: leads }, () => new Float32Array(size));
    this.decIn = new Float64Array(Math.ceil(lookAhead / this.D) + 2);
    this.rawAcc = new Float64Array(leads);
    // shape slots for every detection alive (context, pending)
    this.slots = Math.ceil(span / Math.max(1, minSpacing)) + 16;
    this.pools = Array.from({ length: leads }, () => new Float32Array(this.slots * this.len));
  }

  /** Lead l's next samples of held input (`t0` = index of x[0]); every lead gets the same block. */
  feedInput(l: number, x: Float64Array, len: number, t0: number): void {
    const D = this.D, mask = this.mask, ring = this.wide[l], buf = this.decIn;
    const filter = this.filters[l];
    if (!filter.primed && len > 0) filter.primeWith(x[0] * D);
    let n = 0;
    if (D === 1) {
      buf.set(x.subarray(0, len));
      n = len;
    } else {
      // boxcar decimation: sample j sums inputs [jD, jD + D) (a sum, not a mean: shapes are normalised anyway),
      // carried across blocks
      let acc = this.rawAcc[l];
      let cnt = t0 % D;
      for (let i = 0; i < len; i++) {
        acc += x[i];
        if (++cnt === D) { buf[n++] = acc; acc = 0; cnt = 0; }
      }
      this.rawAcc[l] = acc;
    }
    filter.run(buf, n);
    // the first decimated sample completed in this block is ⌊t0/D⌋
    const first = Math.floor(t0 / D);
    for (let k = 0; k < n; k++) ring[(first + k) & mask] = buf[k];
    if (l === this.leads - 1) this.rawT = t0 + len;
  }

  /** A detection from the detector (ascending); decided once the decision point is `ahead` past it. */
  add(fiducial: number): void {
    this.beats.push({ at: fiducial, slot: this.slot++ % this.slots, done: 0 });
    if (this.next === this.beats.length - 1) this.nextDecision = this.due(fiducial);
  }

  /** Decide every pending detection due at decision point m (or all of them at the end of the recording). */
  decide(m: number, out: number[], final = false): void {
    const beats = this.beats;
    while (this.next < beats.length && (final || this.due(beats[this.next].at) <= m)) {
      const beat = beats[this.next];
      // the window: detections of the last `back` samples and those up to `ahead` after (settled ones only)
      while (beats[this.first].at < beat.at - this.back) this.first++;
      if (this.causal) {
        // the settled detections before this one; the detection itself is judged by its past
        let end = this.first;
        while (end < this.next && beats[end].at <= beat.at - this.settle) end++;
        this.judge(beat, this.first, end, out);
        this.next++;
        continue;
      }
      const until = this.due(beat.at) - (beat.at + this.ahead < this.start ? this.settle : 0);
      let end = this.next + 1;
      while (end < beats.length && beats[end].at <= until && (final || beats[end].at <= m - this.settle)) end++;
      this.judge(beat, this.first, end, out);
      this.next++;
    }
    if (this.first > 256) {
      beats.splice(0, this.first);
      this.next -= this.first;
      this.first = 0;
    }
    this.nextDecision = this.next < beats.length ? Math.max(m + 1, this.due(beats[this.next].at)) : Infinity;
  }

  /** Decision point of a detection: `ahead` after it, and not before `start` (the first ones are judged together). */
  private due(at: number): number {
    return Math.max(at + this.ahead, this.start);
  }

  /** At the end of the recording: decide every pending detection, report an open run of dropped ones. */
  finish(m: number, out: number[]): void {
    this.decide(m, out, true);
    if (this.dropFrom >= 0) this.onUnreadable?.(this.dropFrom, this.dropTo);
    this.dropFrom = -1;
  }

  /** Keep or drop `beat`, judged on the window of detections beats[from, to). */
  private judge(beat: GateBeat, from: number, to: number, out: number[]): void {
    let ecg = true, judged = false;
    // no more detections than a beat needs twins: recurrence cannot show, nothing to judge, keep
    if (to - from > TWINS) {
      ecg = false;
      judged = true;
      const offsets = this.offsets;
      for (let l = 0; l < this.leads && !ecg; l++) {
        offsets.length = 0;
        for (let i = from; i < to; i++) {
          const b = this.beats[i];
          if ((b.done & (1 << l)) === 0) { this.shape(b.at, l, b.slot * this.len); b.done |= 1 << l; }
          offsets.push(b.slot * this.len);
        }
        // hysteresis: right after ECG, one near-twin per beat suffices (keeps noisy ECG); else two
        ecg = this.recurring ? recurs(this.pools[l], offsets, this.len, LENIENT_THRESHOLD, 1) : recurs(this.pools[l], offsets, this.len, this.threshold, TWINS);
      }
    }
    this.recurring = ecg && judged;
    if (ecg) {
      out.push(beat.at);
      if (this.dropFrom >= 0) { this.onUnreadable?.(this.dropFrom, this.dropTo); this.dropFrom = -1; }
    } else {
      if (this.dropFrom < 0) this.dropFrom = beat.at;
      this.dropTo = beat.at + 1;
    }
  }

  /**
   * Beat shape in lead l: the 1–30 Hz window around the beat's QRS, zero mean, unit norm. The QRS centre is the
   * centroid of the squared slope (which peaks on the QRS whatever its polarity) within ±100 ms, then ±60 ms.
   */
  private shape(fiducial: number, l: number, at: number): void {
    const { D, H, len, mask } = this;
    const s = this.pools[l];
    const last = Math.floor(this.rawT / D) - 1;
    const w = this.wide[l];
    // the fiducial in decimated time (sample j is centred on input jD + (D-1)/2), delayed as the filter delays
    let c = (fiducial - (D - 1) / 2) / D + this.delay;
    for (const r of this.reach) {
      const from = Math.max(1, Math.round(c) - r), to = Math.min(last, Math.round(c) + r);
      let sw = 0, sx = 0;
      for (let j = from; j <= to; j++) { const d = w[j & mask] - w[(j - 1) & mask]; const e = d * d; sw += e; sx += e * j; }
      if (sw > 0) c = sx / sw - 0.5; // a difference sits between its two samples
    }
    let mean = 0;
    for (let k = 0; k < len; k++) {
      const p = c - H + k;
      const j = Math.floor(p), f = p - j;
      const a = j < 0 || j > last ? 0 : w[j & mask];
      const b = j + 1 < 0 || j + 1 > last ? 0 : w[(j + 1) & mask];
      const v = a + f * (b - a);
      s[at + k] = v;
      mean += v;
    }
    mean /= len;
    let norm = 0;
    for (let k = at; k < at + len; k++) { s[k] -= mean; norm += s[k] * s[k]; }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = at; k < at + len; k++) s[k] *= inv;
  }
}
