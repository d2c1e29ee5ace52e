/**
 * QRS detection on one or more ECG leads at any sampling rate, as a streaming state machine.
 *
 * The algorithm follows Pan & Tompkins (A real-time QRS detection algorithm, IEEE TBME 32(3):230-236, 1985)
 * and, for its decision rules, Hamilton & Tompkins (Quantitative investigation of QRS detection rules using
 * the MIT/BIH arrhythmia database, IEEE TBME 33(12):1157-1165, 1986), with these changes:
 *
 *  - Filters are designed for the recording's rate (bilinear-transform Butterworth band-pass), not fixed
 *    integer filters at 200 Hz, so 128…1000 Hz recordings need no resampling.
 *  - Multi-lead: each lead's squared-slope energy is divided by its own running mean energy (a slow
 *    exponential average), then the leads are summed. A clean lead has sharp QRS energy many times its mean;
 *    a lead drowned in noise has energy close to its mean everywhere, so it contributes a low, flat
 *    feature instead of false peaks — an implicit per-lead quality weight (in the spirit of multi-lead
 *    energy combination, e.g. Chiarugi et al., Computers in Cardiology 2007).
 *    The normalised feature is dimensionless, which also gives an absolute floor below which nothing is a
 *    QRS (flat lines and white noise give no beats).
 *  - Peaks of the integrated feature must be the largest within ±200 ms (the refractory period).
 *  - Adaptive threshold  thr = noiseLevel + TH·(qrsLevel − noiseLevel)  with exponential peak levels
 *    (Pan-Tompkins' SPKI/NPKI), qrs-level updates clamped so one artefact cannot blind the detector.
 *  - Search-back (H&T rule 4): when no QRS has been seen for 1.5× the average RR interval, the largest
 *    sub-threshold peak since the last QRS that exceeds a fraction of the threshold becomes a QRS.
 *  - T-wave discrimination (Pan-Tompkins): a peak within 360 ms of the previous QRS whose maximal slope
 *    energy is below half that of the previous QRS is a T wave.
 *  - Fiducial refinement: the beat is placed at the largest absolute deflection of the band-passed signal
 *    of the lead that contributed most, shifted back by the band-pass filter's group delay, so it lands on
 *    the R peak / main deflection as MIT-BIH annotators mark it.
 *
 * Everything is causal and sample-by-sample, with ring buffers of fixed size: `push(chunk)` in any chunking
 * yields exactly the beats that one `push(all)` yields, and memory does not grow with the recording.
 * Output lags the input by about 0.5 s (the ±200 ms peak window plus integration), more for search-back.
 */
import { BiquadCascade, butterworthHighPass, butterworthLowPass, type Biquad } from './biquad.js';
import { checkRate, SignalError } from './errors.js';

export interface QrsDetectorOptions {
  /** Band-pass for the detection feature, Hz (default 5–18). */
  lowCut?: number;
  highCut?: number;
  /** Moving-integration window, s (default 0.12). */
  integrationWindow?: number;
  /** Refractory period: no two QRS closer than this, s (default 0.2). */
  refractory?: number;
  /** Threshold position between noise and QRS peak levels (H&T's TH; default 0.3125). */
  thresholdFactor?: number;
  /** Search-back accepts peaks above this fraction of the threshold (default 0.5). */
  searchBackFactor?: number;
  /** Search-back starts after this many average RR intervals without a QRS (default 1.5). */
  searchBackRr?: number;
  /** Peaks within this time of the previous QRS are T-wave candidates, s (default 0.36). */
  tWaveWindow?: number;
  /** Time constant of the per-lead energy normaliser, s (default 4). */
  energyTimeConstant?: number;
  /** Absolute floor of the threshold, in units of the normalised feature (default 2). */
  floor?: number;
  /**
   * A lead whose band-passed amplitude exceeds this many times its typical QRS amplitude (the median of its
   * recent one-second maxima) is an artefact (electrode step, saturation) and left out of the combined feature
   * for the integration window plus 250 ms (default 5).
   */
  gateFactor?: number;
  /**
   * Lead veto: a peak earlier than `premature`× the mean RR is rejected when a lead that showed ≥ `reliable` of
   * recent QRS complexes shows less than `vetoLevel`× its typical QRS feature there (defaults 0.75, 0.9, 0.15).
   */
  premature?: number;
  reliable?: number;
  vetoLevel?: number;
  /** Development hook: called for every feature peak with the decision taken. */
  trace?: (what: 'qrs' | 'noise' | 'twave' | 'searchback', peak: number, value: number, threshold: number, fiducial: number, detail: string) => void;
}

const DEFAULTS: Required<QrsDetectorOptions> = {
  lowCut: 5,
  highCut: 18,
  integrationWindow: 0.12,
  refractory: 0.2,
  thresholdFactor: 0.3125,
  searchBackFactor: 0.5,
  searchBackRr: 1.5,
  tWaveWindow: 0.36,
  energyTimeConstant: 4,
  floor: 2,
  gateFactor: 5,
  premature: 0.75,
  reliable: 0.9,
  vetoLevel: 0.15,
  trace: undefined as never,
};

/** Group delay (samples) of a cascade at frequency f, by numerical differentiation of its phase. */
function groupDelay(sections: readonly Biquad[], f: number, fs: number): number {
  const phase = (ff: number): number => {
    const w = (2 * Math.PI * ff) / fs;
    let ph = 0;
    for (const s of sections) {
      const nr = s.b0 + s.b1 * Math.cos(w) + s.b2 * Math.cos(2 * w), ni = -(s.b1 * Math.sin(w) + s.b2 * Math.sin(2 * w));
      const dr = 1 + s.a1 * Math.cos(w) + s.a2 * Math.cos(2 * w), di = -(s.a1 * Math.sin(w) + s.a2 * Math.sin(2 * w));
      ph += Math.atan2(ni, nr) - Math.atan2(di, dr);
    }
    return ph;
  };
  const df = 0.01;
  let d = phase(f + df) - phase(f - df);
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d < -Math.PI) d += 2 * Math.PI;
  return (-d / (2 * Math.PI * 2 * df)) * fs;
}

const BLOCK = 4096;
const MAX_CANDIDATES = 64;
/** The typical QRS amplitude of a lead is the median of its last AMP_BLOCKS one-second maxima of |band-pass|. */
const AMP_BLOCKS = 15;

/**
 * Streaming multi-lead QRS detector. `push` takes one array per lead (equal lengths, physical units; NaN marks
 * an invalid sample) and returns the sample indices of the beats it could decide; `flush` ends the recording
 * and returns the rest. Indices count from the first sample ever pushed.
 */
export class QrsDetector {
  readonly fs: number;
  readonly leads: number;
  private readonly o: Required<QrsDetectorOptions>;
  // sizes in samples
  private readonly W: number;
  private readonly R: number;
  private readonly dk: number;
  private readonly tWave: number;
  private readonly learn: number;
  private readonly fidDelay: number;
  private readonly fidBack: number;
  private readonly fidFwd: number;
  private readonly mask: number;
  private readonly alphaMin: number;
  // per-lead state
  private readonly filters: BiquadCascade[];
  private readonly bpRing: Float64Array[];
  private readonly enRing: Float64Array[];
  private readonly flRing: Float64Array[];
  private readonly sums: Float64Array;
  private readonly means: Float64Array;
  // combined
  private readonly fRing: Float64Array;
  private readonly cRing: Float64Array;
  private readonly scratch: Float64Array[];
  private t = 0; // samples seen
  private m = 0; // next sample whose peak status is to be decided
  // decision state
  private initialized = false;
  private spk = 0;
  private npk = 0;
  private rrAvg: number;
  private readonly rrs = new Float64Array(8);
  private nrr = 0;
  private lastQrs = -1;
  private lastSlope = 0;
  private lastEmitted = -1;
  /** Sub-threshold peaks since the last QRS, for search-back (bounded). */
  private cands: Peak[] = [];
  private searchBackArmed = false;
  /** Peaks of the learning period, decided once the thresholds are initialised. */
  private learnPeaks: Peak[] = [];
  /** Artefact gate per lead: |band-passed| above `gateFactor`× the lead's typical QRS amplitude. */
  private readonly gateRing: Uint8Array[];
  private combined = 0;
  private readonly weights: Float64Array;
  private readonly qrsLead: Float64Array;
  private readonly reliability: Float64Array;
  private readonly gateUntil: Float64Array;
  private readonly secMax: Float64Array;
  private readonly maxima: Float64Array[];
  private readonly typicalAmp: Float64Array;
  private readonly sec: number;
  private readonly gateHold: number;
  private out: number[] = [];
  private flushed = false;

  constructor(fs: number, leads = 1, options: QrsDetectorOptions = {}) {
    checkRate(fs);
    if (!Number.isInteger(leads) || leads < 1) throw new SignalError(`a QRS detector needs at least one lead, got ${leads}`);
    this.fs = fs;
    this.leads = leads;
    const o = { ...DEFAULTS, ...options };
    this.o = o;
    const highCut = Math.min(o.highCut, 0.45 * fs);
    const lowCut = Math.min(o.lowCut, highCut / 2);
    if (fs < 50) throw new SignalError(`sampling rate ${fs} Hz is too low for QRS detection (need ≥ 50 Hz)`);
    const sections = [...butterworthHighPass(lowCut, fs, 2), ...butterworthLowPass(highCut, fs, 2)];
    this.filters = Array.from({ length: leads }, () => new BiquadCascade(sections));
    this.W = Math.max(1, Math.round(o.integrationWindow * fs));
    this.R = Math.max(1, Math.round(o.refractory * fs));
    this.dk = Math.max(1, Math.round(0.01 * fs));
    this.tWave = Math.round(o.tWaveWindow * fs);
    this.learn = Math.round(2 * fs);
    this.fidDelay = Math.round(groupDelay(sections, 10, fs));
    this.fidBack = this.W + Math.round(0.05 * fs);
    this.fidFwd = Math.round(0.02 * fs);
    this.rrAvg = fs;
    this.alphaMin = 1 / (o.energyTimeConstant * fs);
    let size = 1;
    // A block is filtered whole before its peaks are decided, so the rings hold a block plus the look-back.
    while (size < BLOCK + 2 * this.R + this.fidBack + this.fidDelay + this.W + this.dk + 8) size *= 2;
    this.mask = size - 1;
    this.bpRing = Array.from({ length: leads }, () => new Float64Array(size));
    this.enRing = Array.from({ length: leads }, () => new Float64Array(size));
    this.flRing = Array.from({ length: leads }, () => new Float64Array(size));
    this.sums = new Float64Array(leads);
    this.means = new Float64Array(leads);
    this.fRing = new Float64Array(size);
    this.weights = new Float64Array(leads).fill(1);
    this.qrsLead = new Float64Array(leads);
    this.reliability = new Float64Array(leads);
    this.gateRing = Array.from({ length: leads }, () => new Uint8Array(size));
    this.gateUntil = new Float64Array(leads).fill(-1);
    this.secMax = new Float64Array(leads);
    this.maxima = Array.from({ length: leads }, () => new Float64Array(AMP_BLOCKS));
    this.typicalAmp = new Float64Array(leads);
    this.sec = Math.round(fs);
    this.gateHold = this.W + Math.round(0.25 * fs);
    this.cRing = new Float64Array(size);
    this.scratch = Array.from({ length: leads }, () => new Float64Array(BLOCK));
  }

  /** Feed the next samples of every lead; returns the beats decided so far (sample indices, ascending). */
  push(chunk: ArrayLike<number>[] | ArrayLike<number>): number[] {
    if (this.flushed) throw new SignalError('QrsDetector.push after flush(); create a new detector for a new recording');
    const leads = isLeadArray(chunk) ? chunk : [chunk];
    if (leads.length !== this.leads) throw new SignalError(`QrsDetector was created for ${this.leads} lead(s) but got ${leads.length}`);
    const n = leads[0].length;
    for (const l of leads) if (l.length !== n) throw new SignalError(`leads of unequal length in one chunk (${n} vs ${l.length} samples)`);
    for (let start = 0; start < n; start += BLOCK) this.processBlock(leads, start, Math.min(n, start + BLOCK));
    const res = this.out;
    this.out = [];
    return res;
  }

  /** End of the recording: decide the last peaks (the window after them is cut by the end) and search back. */
  flush(): number[] {
    if (this.flushed) return [];
    this.flushed = true;
    while (this.m < this.t) {
      this.decideAt(this.m, this.t - 1);
      this.m++;
    }
    if (!this.initialized) this.initialize();
    this.searchBack(this.t);
    const res = this.out;
    this.out = [];
    return res;
  }

  private processBlock(leads: ArrayLike<number>[], start: number, end: number): void {
    const len = end - start;
    const mask = this.mask, W = this.W, dk = this.dk, L = this.leads;
    const t0 = this.t;
    for (let l = 0; l < L; l++) {
      const buf = this.scratch[l];
      const src = leads[l];
      for (let i = 0; i < len; i++) buf[i] = src[start + i];
      this.filters[l].process(buf.subarray(0, len), buf);
      const bp = this.bpRing[l], en = this.enRing[l], fl = this.flRing[l], gate = this.gateRing[l];
      let sum = this.sums[l], mean = this.means[l];
      let gateUntil = this.gateUntil[l], secMax = this.secMax[l], typ = this.typicalAmp[l];
      const limit = this.o.gateFactor;
      const amin = this.alphaMin, sec = this.sec, hold = this.gateHold;
      for (let i = 0; i < len; i++) {
        const t = t0 + i;
        const x = buf[i];
        bp[t & mask] = x;
        const ax = x < 0 ? -x : x;
        if (ax > secMax) secMax = ax;
        if ((t + 1) % sec === 0) { typ = this.nextBlock(l, secMax, (t + 1) / sec); secMax = 0; }
        if (typ > 0 && ax > limit * typ) gateUntil = t + hold;
        const gated = t <= gateUntil;
        gate[t & mask] = gated ? 1 : 0;
        const d = x - bp[(t - dk) & mask];
        const e = t >= dk ? d * d : 0;
        // An artefact does not count in the lead's mean energy, so the lead recovers at once after it.
        if (!gated) {
          const a = 1 / (t + 1);
          mean += (e - mean) * (a > amin ? a : amin);
        }
        const v = mean > 0 ? e / mean : 0;
        sum += v - (t >= W ? en[(t - W) & mask] : 0);
        en[t & mask] = v;
        fl[t & mask] = sum > 0 ? sum / W : 0;
      }
      this.sums[l] = sum;
      this.means[l] = mean;
      this.gateUntil[l] = gateUntil;
      this.secMax[l] = secMax;
      this.typicalAmp[l] = typ;
    }
    // The slope energy of all ungated leads (T-wave test); the weighted feature is combined lazily.
    const cR = this.cRing;
    for (let i = 0; i < len; i++) {
      const k = (t0 + i) & mask;
      let c = 0, cAll = 0;
      for (let l = 0; l < L; l++) {
        const cv = this.enRing[l][k];
        cAll += cv;
        if (!this.gateRing[l][k]) c += cv;
      }
      cR[k] = c === 0 ? cAll : c;
    }
    this.t = t0 + len;
    // Peaks are decided R samples late: the window after them must be complete.
    const R = this.R;
    while (this.m + R < this.t) {
      this.decideAt(this.m, this.m + R);
      this.m++;
    }
  }

  /** Record lead l's maximum over one more second; return the median of the recent maxima. */
  private nextBlock(l: number, max: number, block: number): number {
    const ring = this.maxima[l];
    ring[(block - 1) % AMP_BLOCKS] = max;
    const n = Math.min(block, AMP_BLOCKS);
    if (n < 3) return 0;
    const sorted = ring.slice(0, n).sort();
    return sorted[n >> 1];
  }

  /** Is sample m a peak of the feature (largest in [m-R, m+R], right side cut at `last`)? Then handle it. */
  private decideAt(m: number, last: number): void {
    const mask = this.mask, f = this.fRing, R = this.R;
    this.combineUpTo(last);
    if (!this.initialized && m >= this.learn) this.initialize();
    if (this.initialized) this.searchBack(m);
    const v = f[m & mask];
    if (!(v > 0) || m === 0) return;
    if (!(v > f[(m - 1) & mask])) return;
    if (m + 1 <= last && f[(m + 1) & mask] > v) return;
    const from = Math.max(0, m - R);
    for (let k = m - 1; k >= from; k--) if (f[k & mask] >= v) return;
    const to = Math.min(last, m + R);
    for (let k = m + 1; k <= to; k++) if (f[k & mask] > v) return;
    // A peak: measure its slope energy and its fiducial point now, while the samples are in the rings.
    let slope = 0;
    for (let k = Math.max(0, m - this.W); k <= m; k++) { const c = this.cRing[k & mask]; if (c > slope) slope = c; }
    const leadValues = new Float64Array(this.leads);
    for (let l = 0; l < this.leads; l++) leadValues[l] = this.gateRing[l][m & mask] ? 0 : this.flRing[l][m & mask];
    const peak: Peak = { at: m, value: v, fiducial: this.fiducial(m), slope, leadValues };
    if (!this.initialized) this.learnPeaks.push(peak);
    else this.onPeak(peak);
  }

  /**
   * The combined feature: ungated per-lead features weighted by lead quality (all leads if all are gated).
   * Computed lazily, sample by sample just before it is needed, so the weights in force depend only on
   * decisions already taken, never on how the input was chunked.
   */
  private combineUpTo(last: number): void {
    const mask = this.mask, f = this.fRing, L = this.leads, w = this.weights;
    for (let k = this.combined; k <= last; k++) {
      const j = k & mask;
      let s = 0, all = 0, any = false;
      for (let l = 0; l < L; l++) {
        const v = w[l] * this.flRing[l][j];
        all += v;
        if (!this.gateRing[l][j]) { s += v; any = true; }
      }
      f[j] = any ? s : all;
    }
    if (last >= this.combined) this.combined = last + 1;
  }

  /**
   * Lead reliability, from accepted beats: qrsLead is a lead's typical feature value at a QRS, reliability the
   * running fraction of QRS complexes at which the lead showed at least 30 % of that.
   */
  private learnLeads(vals: ArrayLike<number>): void {
    const L = this.leads;
    if (L === 1) return;
    for (let l = 0; l < L; l++) {
      const q = this.qrsLead[l];
      const seen = vals[l] >= 0.3 * q ? 1 : 0;
      this.reliability[l] += 0.05 * (seen - this.reliability[l]);
      this.qrsLead[l] += 0.125 * (Math.min(vals[l], 3 * q + this.o.floor) - q);
    }
  }

  /**
   * Lead veto: a premature peak that a reliable lead does not show at all is an artefact in the other lead(s)
   * (a beat on time is never vetoed, so a lead that falls off loses its reliability instead).
   */
  private vetoed(pk: Peak): boolean {
    if (this.leads === 1 || this.lastQrs < 0 || pk.at - this.lastQrs >= this.o.premature * this.rrAvg) return false;
    for (let l = 0; l < this.leads; l++) {
      if (this.reliability[l] > this.o.reliable && pk.leadValues[l] < this.o.vetoLevel * this.qrsLead[l]) return true;
    }
    return false;
  }

  private fiducial(m: number): number {
    const mask = this.mask;
    let best = 0, bestV = -1;
    for (let l = 0; l < this.leads; l++) { const v = this.gateRing[l][m & mask] ? 0 : this.weights[l] * this.flRing[l][m & mask]; if (v > bestV) { bestV = v; best = l; } }
    const bp = this.bpRing[best];
    const from = Math.max(0, m - this.fidBack), to = Math.min(this.t - 1, m + this.fidFwd);
    let at = m, amp = -1;
    for (let k = from; k <= to; k++) { const a = Math.abs(bp[k & mask]); if (a > amp) { amp = a; at = k; } }
    return Math.max(0, at - this.fidDelay);
  }

  private initialize(): void {
    this.initialized = true;
    let max = 0;
    for (const pk of this.learnPeaks) if (pk.value > max) max = pk.value;
    this.spk = max;
    this.npk = 0;
    const learned = this.learnPeaks;
    this.learnPeaks = [];
    for (const pk of learned) this.onPeak(pk);
  }

  private threshold(): number {
    const thr = this.npk + this.o.thresholdFactor * (this.spk - this.npk);
    return thr > this.o.floor ? thr : this.o.floor;
  }

  private describe(pk: Peak): string {
    return `${Array.from(pk.leadValues, (x) => x.toFixed(1)).join('/')} w=${Array.from(this.weights, (x) => x.toFixed(2)).join('/')}`;
  }

  private onPeak(pk: Peak): void {
    const thr = this.threshold();
    const trace = this.o.trace;
    if (pk.value > thr) {
      const sinceLast = this.lastQrs < 0 ? Infinity : pk.at - this.lastQrs;
      const isT = sinceLast < this.tWave && pk.slope < 0.5 * this.lastSlope;
      if (!isT && !this.vetoed(pk)) {
        trace?.('qrs', pk.at, pk.value, thr, pk.fiducial, this.describe(pk));
        this.accept(pk, 0.125);
        return;
      }
      trace?.('twave', pk.at, pk.value, thr, pk.fiducial, this.describe(pk));
    } else trace?.('noise', pk.at, pk.value, thr, pk.fiducial, this.describe(pk));
    this.npk += 0.125 * (pk.value - this.npk);
    if (this.cands.length === MAX_CANDIDATES) this.cands.shift();
    this.cands.push(pk);
    this.searchBackArmed = true;
  }

  private accept(pk: Peak, weight: number): void {
    this.learnLeads(pk.leadValues);
    const capped = Math.min(pk.value, 3 * this.spk + this.o.floor);
    this.spk += weight * (capped - this.spk);
    if (this.lastQrs >= 0) {
      const rr = pk.at - this.lastQrs;
      this.rrs[this.nrr % 8] = rr;
      this.nrr++;
      const k = Math.min(this.nrr, 8);
      let s = 0;
      for (let i = 0; i < k; i++) s += this.rrs[i];
      this.rrAvg = s / k;
    }
    this.lastQrs = pk.at;
    this.lastSlope = pk.slope;
    this.cands = [];
    this.searchBackArmed = false;
    let fid = pk.fiducial;
    if (fid <= this.lastEmitted) fid = this.lastEmitted + 1;
    this.lastEmitted = fid;
    this.out.push(fid);
  }

  /** H&T rule 4: after 1.5 RR without a QRS, take the largest earlier sub-threshold peak that is big enough. */
  private searchBack(now: number): void {
    while (this.searchBackArmed && this.cands.length > 0) {
      const since = this.lastQrs < 0 ? now : now - this.lastQrs;
      if (since <= this.o.searchBackRr * this.rrAvg) return;
      const limit = this.o.searchBackFactor * this.threshold();
      let best = -1, bestV = limit;
      for (let i = 0; i < this.cands.length; i++) {
        const c = this.cands[i];
        if (this.lastQrs >= 0 && c.at - this.lastQrs < this.tWave && c.slope < 0.5 * this.lastSlope) continue;
        if (this.vetoed(c)) continue;
        if (c.value > bestV) { bestV = c.value; best = i; }
      }
      if (best < 0) { this.searchBackArmed = false; return; }
      const rest = this.cands.slice(best + 1);
      const pk = this.cands[best];
      this.o.trace?.('searchback', pk.at, pk.value, limit, pk.fiducial, '');
      this.accept(pk, 0.25);
      // the peaks after the one taken stay candidates: they may hold the next missed beat
      if (rest.length > 0) {
        this.cands = rest;
        this.searchBackArmed = true;
      }
    }
  }
}

/** A peak of the combined feature, as the decision rules see it. */
interface Peak {
  at: number;
  value: number;
  fiducial: number;
  /** Largest combined slope energy in the integration window before the peak (T-wave test). */
  slope: number;
  /** Each lead's integrated feature at the peak (lead quality). */
  leadValues: Float64Array;
}

function isLeadArray(x: ArrayLike<number>[] | ArrayLike<number>): x is ArrayLike<number>[] {
  return Array.isArray(x) && (x.length === 0 || typeof x[0] !== 'number');
}

/**
 * Detect QRS complexes in a whole recording: the streaming detector run once. `leads` holds one array per lead
 * (physical units, NaN = invalid sample), or a single array. Returns beat sample indices, ascending.
 */
export function detectQrs(leads: ArrayLike<number>[] | ArrayLike<number>, fs: number, options: QrsDetectorOptions = {}): Int32Array {
  const arr = isLeadArray(leads) ? leads : [leads];
  if (arr.length === 0) throw new SignalError('detectQrs needs at least one lead');
  const det = new QrsDetector(fs, arr.length, options);
  const beats = det.push(arr);
  beats.push(...det.flush());
  return Int32Array.from(beats);
}
