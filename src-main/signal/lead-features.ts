/**
 * The per-lead front end both QRS detectors share (detect-qrs.ts, detect-qrs-fast.ts): invalid samples held at
 * the last valid value, the band-pass, the artefact gate, and the slope-energy feature normalised by the lead's
 * running mean and integrated — written into rings indexed by absolute sample (t & mask). Their header comments
 * say why each step is there; this class only keeps one copy of the arithmetic.
 */
import { BiquadCascade, type Biquad } from './biquad.js';

/** The typical QRS amplitude of a lead is the median of its last AMP_BLOCKS one-second maxima of |band-pass|. */
const AMP_BLOCKS = 15;

export interface LeadFeatureSpec {
  fs: number;
  leads: number;
  /** Band-pass sections (the detector designs them for its rate). */
  sections: Biquad[];
  /** Ring length (a power of two) and the largest block `run` is given. */
  ringSize: number;
  block: number;
  /** Integration window, slope lag (samples), 1/(energy time constant · fs). */
  W: number;
  dk: number;
  alphaMin: number;
  /** Gate a lead where |band-pass| exceeds gateFactor × its typical QRS amplitude (2+ leads), for gateHold samples. */
  gateFactor: number;
  gateHold: number;
}

export class LeadFeatures {
  readonly filters: BiquadCascade[];
  /** Band-passed signal, normalised slope energy, integrated feature, gate flag (1 = lead left out). */
  readonly bp: Float64Array[];
  readonly en: Float64Array[];
  readonly fl: Float64Array[];
  readonly gate: Uint8Array[];
  private readonly mask: number;
  private readonly scratch: Float64Array[];
  private readonly invalid: Uint8Array[];
  private readonly lastValid: Float64Array;
  private readonly maxima: Float64Array[];
  private readonly sortScratch = new Float64Array(AMP_BLOCKS);
  private readonly sums: Float64Array;
  private readonly means: Float64Array;
  private readonly invMeans: Float64Array;
  private readonly gateUntil: Float64Array;
  private readonly secMax: Float64Array;
  private readonly typicalAmp: Float64Array;
  private readonly sec: number;
  private toNextSecond: number;

  constructor(private readonly s: LeadFeatureSpec) {
    const { leads, ringSize: size, block } = s;
    const perLead = <T>(make: () => T): T[] => Array.from({ length: leads }, make);
    this.filters = perLead(() => new BiquadCascade(s.sections));
    this.mask = size - 1;
    this.bp = perLead(() => new Float64Array(size));
    this.en = perLead(() => new Float64Array(size));
    this.fl = perLead(() => new Float64Array(size));
    this.gate = perLead(() => new Uint8Array(size));
    this.scratch = perLead(() => new Float64Array(block));
    this.invalid = perLead(() => new Uint8Array(block));
    this.lastValid = new Float64Array(leads);
    this.maxima = perLead(() => new Float64Array(AMP_BLOCKS));
    this.sums = new Float64Array(leads);
    this.means = new Float64Array(leads);
    this.invMeans = new Float64Array(leads);
    this.gateUntil = new Float64Array(leads).fill(-1);
    this.secMax = new Float64Array(leads);
    this.typicalAmp = new Float64Array(leads);
    this.sec = Math.max(1, Math.round(s.fs));
    this.toNextSecond = this.sec;
  }

  /**
   * Lead l's samples src[start, end), the first at absolute index t0 (every lead gets the same block, in lead
   * order). `onPrime(v)`: the first valid value, when the filters are primed. `onHeld(buf, len)`: the held input,
   * before filtering (the noise gate, raw rings and second features take it from there).
   */
  run(l: number, src: ArrayLike<number>, start: number, end: number, t0: number, onHeld?: (buf: Float64Array, len: number) => void, onPrime?: (v: number) => void): void {
    const len = end - start;
    const { W, dk } = this.s;
    const mask = this.mask;
    const buf = this.scratch[l];
    const invalid = this.invalid[l];
    const filter = this.filters[l];
    if (!filter.primed) {
      let k = start;
      while (k < end && !(src[k] - src[k] === 0)) k++;
      const v = k < end ? src[k] : 0;
      filter.primeWith(v);
      onPrime?.(v);
      this.lastValid[l] = v;
    }
    // Invalid samples (NaN, ±Infinity) hold the last valid value and gate the lead out.
    let held = this.lastValid[l];
    for (let i = 0; i < len; i++) {
      const v = src[start + i];
      if (v - v === 0) { buf[i] = v; held = v; invalid[i] = 0; } else { buf[i] = held; invalid[i] = 1; }
    }
    this.lastValid[l] = held;
    onHeld?.(buf, len);
    filter.run(buf, len);
    const bp = this.bp[l], en = this.en[l], fl = this.fl[l], gate = this.gate[l];
    let sum = this.sums[l], mean = this.means[l], inv = this.invMeans[l];
    let gateUntil = this.gateUntil[l], secMax = this.secMax[l], typ = this.typicalAmp[l];
    let toNext = this.toNextSecond;
    const limit = this.s.leads > 1 ? this.s.gateFactor : Infinity;
    const amin = this.s.alphaMin, hold = this.s.gateHold, invW = 1 / W;
    const warm = Math.ceil(1 / amin);
    let gateLevel = typ > 0 ? limit * typ : Infinity;
    for (let i = 0; i < len; i++) {
      const t = t0 + i;
      const j = t & mask;
      const x = buf[i];
      bp[j] = x;
      const ax = x < 0 ? -x : x;
      if (ax > secMax) secMax = ax;
      if (--toNext === 0) {
        typ = this.nextSecond(l, secMax, Math.round((t + 1) / this.sec));
        gateLevel = typ > 0 ? limit * typ : Infinity;
        secMax = 0;
        toNext = this.sec;
      }
      // Missing samples and artefacts gate the lead out (its mean energy frozen) until `hold` after them.
      if (ax > gateLevel || invalid[i] === 1) gateUntil = t + hold;
      const gated = t <= gateUntil;
      gate[j] = gated ? 1 : 0;
      const d = x - bp[(t - dk) & mask];
      const e = t >= dk ? d * d : 0;
      // An artefact does not count in the lead's mean energy, so the lead is usable again right after it.
      // The reciprocal of the mean is refreshed every 4th sample (absolute index: chunking cannot matter).
      if (!gated) {
        if (t < warm) { mean += (e - mean) / (t + 1); inv = mean > 0 ? 1 / mean : 0; }
        else { mean += (e - mean) * amin; if ((t & 3) === 0) inv = mean > 0 ? 1 / mean : 0; }
      }
      const v = e * inv;
      // (the ring starts zeroed, so before W samples the subtracted term is 0)
      sum += v - en[(t - W) & mask];
      en[j] = v;
      fl[j] = sum > 0 ? sum * invW : 0;
    }
    this.sums[l] = sum;
    this.means[l] = mean;
    this.invMeans[l] = inv;
    this.gateUntil[l] = gateUntil;
    this.secMax[l] = secMax;
    this.typicalAmp[l] = typ;
    if (l === this.s.leads - 1) this.toNextSecond = toNext;
  }

  /**
   * The combined feature and slope energy of samples t0…t0+len−1 into fR, cR: the sum over the ungated leads
   * (over all of them where every lead is gated).
   */
  combine(t0: number, len: number, fR: Float64Array, cR: Float64Array): void {
    const mask = this.mask, L = this.s.leads;
    if (L === 1) {
      const fl = this.fl[0], en = this.en[0];
      for (let i = 0; i < len; i++) { const k = (t0 + i) & mask; fR[k] = fl[k]; cR[k] = en[k]; }
    } else if (L === 2) {
      const f0 = this.fl[0], f1 = this.fl[1], e0 = this.en[0], e1 = this.en[1], g0 = this.gate[0], g1 = this.gate[1];
      for (let i = 0; i < len; i++) {
        const k = (t0 + i) & mask;
        const a = g0[k] === 0, b = g1[k] === 0;
        if (a === b) { fR[k] = f0[k] + f1[k]; cR[k] = e0[k] + e1[k]; } // both usable, or both gated: all leads
        else if (a) { fR[k] = f0[k]; cR[k] = e0[k]; }
        else { fR[k] = f1[k]; cR[k] = e1[k]; }
      }
    } else {
      for (let i = 0; i < len; i++) {
        const k = (t0 + i) & mask;
        let f = 0, c = 0, fAll = 0, cAll = 0, any = false;
        for (let l = 0; l < L; l++) {
          const fv = this.fl[l][k], cv = this.en[l][k];
          fAll += fv; cAll += cv;
          if (this.gate[l][k] === 0) { f += fv; c += cv; any = true; }
        }
        fR[k] = any ? f : fAll;
        cR[k] = any ? c : cAll;
      }
    }
  }

  /** Record lead l's maximum over one more second; return the median of the recent maxima. */
  private nextSecond(l: number, max: number, block: number): number {
    const ring = this.maxima[l];
    ring[(block - 1) % AMP_BLOCKS] = max;
    const n = Math.min(block, AMP_BLOCKS);
    if (n < 3) return 0;
    // insertion sort into a scratch array (15 values once a second; no allocation)
    const sorted = this.sortScratch;
    for (let i = 0; i < n; i++) {
      const v = ring[i];
      let j = i - 1;
      while (j >= 0 && sorted[j] > v) { sorted[j + 1] = sorted[j]; j--; }
      sorted[j + 1] = v;
    }
    return sorted[n >> 1];
  }
}
