/**
 * Noise gate for the QRS detector: drop the detections of segments that hold no ECG.
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
 * every other beat of the window and keeps its best match (a PVC finds another PVC); the window's score is the
 * 70th percentile of these best matches, i.e. it is ECG when at least ~30 % of its detections have a near twin.
 *
 *  - Segments of 5 s are judged on a 10-s window: the segment's own detections and the previous segment's.
 *  - Beat shape: the 1–30 Hz band (baseline wander and EMG above 30 Hz out), ±100 ms around the QRS, at a
 *    rate of ~120 Hz (boxcar-decimated before filtering, which keeps the cost at a fraction of the detector's).
 *    Each beat is centred on the centroid of its 5–18 Hz energy (a polarity-free QRS centre: the detector's
 *    fiducial can jump between the positive and negative lobe or between leads).
 *  - Leads are scored separately and the best lead counts (one clean lead is enough).
 *  - A segment is ECG when its score is ≥ 0.8 or when the window has fewer than 2 detections (nothing to judge).
 *
 * Measured (10-s windows, see tests/signal/noise-gate.test.ts): every 10-s window of the 48 MIT-BIH records
 * scores ≥ 0.93 (bigeminy, flutter and noisy stretches included); white and 5–30 Hz noise at 0.1–1 mV score
 * ≤ 0.55, the NSTDB muscle-noise record ≤ 0.8 in all but ~2 % of windows. The NSTDB electrode-motion record
 * `em` is NOT rejected: its artefacts recur with a ~1 s period and a stable shape (NSTDB: electrode motion
 * "can mimic the appearance of ectopic beats"), which no shape-recurrence index can tell from a heartbeat.
 *
 * Streaming: segment k ends at sample (k+1)·S and is decided when the detector's decision point reaches
 * (k+1)·S + 2 s — a fixed sample index, so the verdict, and the beats released, do not depend on chunking.
 * Beats cost ≤ 7.5 s of extra latency. A detection that the detector emits after its segment was decided
 * (search-back of an old candidate) takes that segment's verdict.
 */
import { BiquadCascade, butterworthHighPass, butterworthLowPass, groupDelay } from './biquad.js';

export interface NoiseGateOptions {
  /** Segment length, s (default 5); each segment is judged with the previous one as context. */
  segmentSeconds?: number;
  /** Score at or above which a segment holds ECG (default 0.8). */
  threshold?: number;
  /** Called for each segment judged to hold no ECG: [from, to) in samples. Its detections are dropped. */
  onUnreadable?: (from: number, to: number) => void;
}

/** Detections are released this long after their segment ends (covers the detector's decision and search-back lag). */
const WAIT_SECONDS = 2;
/** Half-width of the beat window compared between beats, s. */
const HALF_WINDOW = 0.1;
/** Search radius of the energy centroid, first and second pass, s. */
const CENTROID_REACH = [0.1, 0.06] as const;
/** Score quantile: the window is ECG when this fraction of its detections (from the top) have a near twin. */
const QUANTILE = 0.7;
/** Rate of the shape signal, Hz (boxcar decimation by floor(fs / RATE)). */
const RATE = 120;
/** Verdicts kept for detections that arrive after their segment was decided. */
const VERDICTS = 64;

/**
 * Recurrence score of a window of beats: for each lead, every beat's best correlation with another beat; the
 * `QUANTILE` quantile of these; the best lead. `shapes[i]` holds beat i's zero-mean, unit-norm windows of every
 * lead back to back (`leads` × `len`). Returns NaN for fewer than 2 beats.
 */
export function recurrenceScore(shapes: readonly Float32Array[], leads: number, len: number): number {
  const n = shapes.length;
  if (n < 2) return NaN;
  const best = new Float64Array(n);
  let score = -1;
  for (let l = 0; l < leads; l++) {
    best.fill(-1);
    const off = l * len;
    for (let i = 0; i < n; i++) {
      const a = shapes[i];
      for (let j = i + 1; j < n; j++) {
        const b = shapes[j];
        let c = 0;
        for (let k = off; k < off + len; k++) c += a[k] * b[k];
        if (c > best[i]) best[i] = c;
        if (c > best[j]) best[j] = c;
      }
    }
    best.sort();
    const q = best[Math.min(n - 1, Math.floor(QUANTILE * n))];
    if (q > score) score = q;
  }
  return score;
}

/**
 * The streaming gate, fed by QrsDetector: the held (NaN-free) input and the detector's 5–18 Hz band-pass of
 * every block, the detections in the order the detector emits them, and a tick at every decision sample.
 */
export class NoiseSegmentGate {
  private readonly D: number;
  private readonly segLen: number;
  private readonly wait: number;
  private readonly threshold: number;
  private readonly onUnreadable: NoiseGateOptions['onUnreadable'];
  private readonly H: number;
  private readonly len: number;
  private readonly reach: number[];
  private readonly bpDelay: number;
  private readonly wideDelay: number;
  private readonly mask: number;
  private readonly filters: BiquadCascade[];
  private readonly wide: Float32Array[];
  private readonly energy: Float32Array[];
  private readonly decIn: Float64Array;
  private readonly rawAcc: Float64Array;
  private readonly enAcc: Float64Array;
  private rawT = 0;
  private enT = 0;
  /** Detections not yet released or dropped, ascending. */
  private pending: number[] = [];
  /** Shapes of the previous segment's detections (the context of the next segment). */
  private previous: Float32Array[] = [];
  /** Next segment to decide, and the decision sample at which it is decided. */
  private segment = 0;
  nextDecision: number;
  private readonly verdicts = new Uint8Array(VERDICTS);

  constructor(private readonly fs: number, private readonly leads: number, bpDelay: number, options: NoiseGateOptions, lookAhead: number) {
    this.D = Math.max(1, Math.floor(fs / RATE));
    const rate = fs / this.D;
    this.segLen = Math.max(1, Math.round((options.segmentSeconds ?? 5) * fs));
    this.wait = Math.round(WAIT_SECONDS * fs);
    this.nextDecision = this.segLen + this.wait;
    this.threshold = options.threshold ?? 0.8;
    this.onUnreadable = options.onUnreadable;
    this.H = Math.max(2, Math.round(HALF_WINDOW * rate));
    this.len = 2 * this.H + 1;
    this.reach = CENTROID_REACH.map((r) => Math.max(1, Math.round(r * rate)));
    this.bpDelay = bpDelay;
    const sections = [...butterworthHighPass(1, rate, 2), ...butterworthLowPass(Math.min(30, 0.45 * rate), rate, 2)];
    this.wideDelay = groupDelay(sections, 10, rate);
    this.filters = Array.from({ length: leads }, () => new BiquadCascade(sections));
    // The rings reach back over a segment and the wait, plus the block the detector filters ahead of its decisions.
    let size = 1;
    while (size < (this.segLen + this.wait + lookAhead + bpDelay + fs) / this.D + 4 * this.H + 16) size *= 2;
    this.mask = size - 1;
    this.wide = Array.from({ length: leads }, () => new Float32Array(size));
    this.energy = Array.from({ length: leads }, () => new Float32Array(size));
    this.decIn = new Float64Array(Math.ceil(lookAhead / this.D) + 2);
    this.rawAcc = new Float64Array(leads);
    this.enAcc = new Float64Array(leads);
  }

  /** Lead l's next samples of held input (`t0` = index of x[0]); every lead gets the same block. */
  feedInput(l: number, x: ArrayLike<number>, len: number, t0: number): void {
    const D = this.D, mask = this.mask, ring = this.wide[l], buf = this.decIn;
    let acc = this.rawAcc[l], n = 0;
    const filter = this.filters[l];
    if (!filter.primed && len > 0) filter.primeWith(x[0]);
    for (let i = 0; i < len; i++) {
      acc += x[i];
      if ((t0 + i + 1) % D === 0) { buf[n++] = acc / D; acc = 0; }
    }
    this.rawAcc[l] = acc;
    filter.run(buf, n);
    // decimated sample j covers input samples [jD, jD + D); the first one completed in this block is ⌊t0/D⌋
    const first = Math.floor(t0 / D);
    for (let k = 0; k < n; k++) ring[(first + k) & mask] = buf[k];
    if (l === this.leads - 1) this.rawT = t0 + len;
  }

  /** Lead l's 5–18 Hz band-pass of the same block: kept as energy per decimated sample, for centring beats. */
  feedBandPass(l: number, bp: ArrayLike<number>, len: number, t0: number): void {
    const D = this.D, mask = this.mask, ring = this.energy[l];
    let acc = this.enAcc[l];
    for (let i = 0; i < len; i++) {
      const v = bp[i];
      acc += v * v;
      const t = t0 + i + 1;
      if (t % D === 0) { ring[(t / D - 1) & mask] = acc; acc = 0; }
    }
    this.enAcc[l] = acc;
    if (l === this.leads - 1) this.enT = t0 + len;
  }

  /** A detection from the detector (ascending): held until its segment is decided, or released / dropped at once if late. */
  add(fiducial: number, out: number[]): void {
    const seg = Math.floor(fiducial / this.segLen);
    if (seg >= this.segment) { this.pending.push(fiducial); return; }
    // Late: its segment was decided without it; it takes the verdict (segments older than the verdict ring: kept).
    if (seg < this.segment - VERDICTS || this.verdicts[seg % VERDICTS] === 1) out.push(fiducial);
  }

  /** Decide the next segment (called when the detector's decision point reaches `nextDecision`). */
  decide(out: number[]): void {
    const end = (this.segment + 1) * this.segLen;
    let k = 0;
    while (k < this.pending.length && this.pending[k] < end) k++;
    const beats = this.pending.slice(0, k);
    this.pending = this.pending.slice(k);
    const shapes = beats.map((b) => this.shape(b));
    const score = recurrenceScore([...this.previous, ...shapes], this.leads, this.len);
    const ecg = !(score < this.threshold); // NaN (fewer than 2 detections): nothing to judge, keep
    this.verdicts[this.segment % VERDICTS] = ecg ? 1 : 0;
    if (ecg) for (const b of beats) out.push(b);
    else if (beats.length > 0) this.onUnreadable?.(end - this.segLen, end);
    this.previous = shapes;
    this.segment++;
    this.nextDecision += this.segLen;
  }

  /** At the end of the recording: decide every segment that still holds detections. */
  finish(out: number[]): void {
    while (this.pending.length > 0) this.decide(out);
  }

  /** Beat shape: each lead's 1–30 Hz window around the lead's QRS energy centroid, zero mean, unit norm. */
  private shape(fiducial: number): Float32Array {
    const { D, H, len, mask } = this;
    const s = new Float32Array(this.leads * len);
    const lastEn = Math.floor(this.enT / D) - 1, lastWide = Math.floor(this.rawT / D) - 1;
    for (let l = 0; l < this.leads; l++) {
      const en = this.energy[l], wide = this.wide[l];
      // centre in decimated band-pass time (block j's energy is centred at jD + (D-1)/2)
      let c = (fiducial + this.bpDelay - (D - 1) / 2) / D;
      for (const r of this.reach) {
        const from = Math.max(0, Math.round(c) - r), to = Math.min(lastEn, Math.round(c) + r);
        let sw = 0, sx = 0;
        for (let j = from; j <= to; j++) { const e = en[j & mask]; sw += e; sx += e * j; }
        if (sw > 0) c = sx / sw;
      }
      // the same instant in the 1–30 Hz signal: back to input time, then that filter's delay
      const u = c - this.bpDelay / D + this.wideDelay;
      let mean = 0;
      const o = l * len;
      for (let k = 0; k < len; k++) {
        const p = u - H + k;
        const j = Math.floor(p), f = p - j;
        const a = j < 0 || j > lastWide ? 0 : wide[j & mask];
        const b = j + 1 < 0 || j + 1 > lastWide ? 0 : wide[(j + 1) & mask];
        const v = a + f * (b - a);
        s[o + k] = v;
        mean += v;
      }
      mean /= len;
      let norm = 0;
      for (let k = o; k < o + len; k++) { s[k] -= mean; norm += s[k] * s[k]; }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = o; k < o + len; k++) s[k] *= inv;
    }
    return s;
  }
}
