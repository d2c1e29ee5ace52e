/**
 * Electronic calipers and a beat's RR intervals, as pure functions (no DOM), so what Review reads out is unit-tested:
 * a cardiologist measures intervals (RR, PR, QRS, QT) between two clicked points, reads the rate they imply, marches
 * the caliper out along the strip, and judges a beat's prematurity from the RR intervals before it.
 */

/** One end of the caliper. Seconds, not pixels, so it stays on the same wave while the view pans or zooms. */
export interface CaliperPoint {
  /** Seconds from the start of the recording. */
  t: number;
  /** mV at the click on the lead it was placed on, null if unknown. */
  v: number | null;
}

/** The two ends and the lead A was placed on (the lead whose mV the v values are). */
export interface CaliperPair {
  a: CaliperPoint | null;
  b: CaliperPoint | null;
  /** Recording lead index of A's click, -1 when no point is placed. */
  lead: number;
}

export const NO_CALIPER: CaliperPair = { a: null, b: null, lead: -1 };

/**
 * A click with the calipers on: the first sets A, the second B, a third starts again from A. A B clicked on another
 * lead keeps its time but not its mV: an amplitude difference between two leads means nothing.
 */
export function placeCaliper(c: CaliperPair, p: CaliperPoint, lead: number): CaliperPair {
  if (!c.a || c.b) return { a: p, b: null, lead };
  return { a: c.a, b: lead === c.lead ? p : { t: p.t, v: null }, lead: c.lead };
}

export interface CaliperReading {
  /** |Δt| in ms. */
  ms: number;
  /** The rate the interval implies if it is an RR interval (60000 / ms), null when Δt is 0. */
  bpm: number | null;
  /** |Δv| in mV, null when either end's voltage is unknown. */
  mv: number | null;
}

/** What the caliper measures: the interval, the rate it implies (read as an RR) and the amplitude between its ends. */
export function caliperReading(a: CaliperPoint, b: CaliperPoint): CaliperReading {
  const ms = Math.abs(b.t - a.t) * 1000;
  return { ms, bpm: ms > 0 ? 60000 / ms : null, mv: a.v === null || b.v === null ? null : Math.abs(b.v - a.v) };
}

/** `812 ms · 73.9 bpm · Δ 1.23 mV`: ms to the sample-ish precision a click has, the rate and mV as ECG reports give them. */
export function caliperText(r: CaliperReading): string {
  const parts = [`${Math.round(r.ms)} ms`];
  if (r.bpm !== null) parts.push(`${r.bpm.toFixed(1)} bpm`);
  if (r.mv !== null) parts.push(`Δ ${r.mv.toFixed(2)} mV`);
  return parts.join(' · ');
}

/**
 * "Marching out" the caliper: the times a.t + k·Δt (k any integer, A and B included) within [from, to]. Equal steps
 * that keep landing on R waves show a regular rhythm; one that lands on a T wave shows a P wave hidden there. Callers
 * bound the window (Δt against its width), since a tiny Δt over hours would give millions.
 */
export function marchOut(a: CaliperPoint, b: CaliperPoint, from: number, to: number): number[] {
  const step = Math.abs(b.t - a.t);
  if (!(step > 0)) return [];
  // A nanosecond of slack, so a window edge that is exactly a multiple of Δt is not lost to rounding.
  const eps = 1e-9;
  const k0 = Math.ceil((from - a.t - eps) / step), k1 = Math.floor((to - a.t + eps) / step);
  const out: number[] = [];
  for (let k = k0; k <= k1; k++) out.push(a.t + k * step);
  return out;
}

/** How many RR intervals before a beat its prematurity is judged against (the median resists one ectopic among them). */
export const PRIOR_RR = 8;

export interface BeatRR {
  /** RR interval ending at the beat, ms; null for the first beat. */
  preMs: number | null;
  /** RR interval starting at the beat, ms (the compensatory pause after a premature beat); null for the last. */
  postMs: number | null;
  /** The rate of the RR before, bpm. */
  preBpm: number | null;
  /** RR before / median of the up to 8 RR intervals before it: well under 1 is premature. Null with fewer than 2 of them. */
  prematurity: number | null;
  /** How many RR intervals that median took (up to 8). */
  prior: number;
}

/**
 * Beat i's RR intervals. Prematurity against the preceding rhythm is what tells a supraventricular premature beat (an S,
 * whose shape is normal) from a normal one.
 */
export function rrOf(samples: ArrayLike<number>, fs: number, i: number): BeatRR {
  const rr = (k: number): number => ((samples[k] - samples[k - 1]) * 1000) / fs; // the RR ending at beat k
  const preMs = i >= 1 && i < samples.length ? rr(i) : null;
  const postMs = i >= 0 && i + 1 < samples.length ? rr(i + 1) : null;
  const prior: number[] = [];
  for (let k = i - 1; k >= 1 && prior.length < PRIOR_RR; k--) prior.push(rr(k));
  prior.sort((x, y) => x - y);
  const m = prior.length >> 1;
  const median = prior.length % 2 ? prior[m] : (prior[m - 1] + prior[m]) / 2;
  return {
    preMs, postMs,
    preBpm: preMs !== null && preMs > 0 ? 60000 / preMs : null,
    prematurity: preMs !== null && prior.length >= 2 && median > 0 ? preMs / median : null,
    prior: prior.length >= 2 ? prior.length : 0,
  };
}

/** `RR 812 ms before (73.9 bpm, 0.78 × the 8 before) · 1030 ms after`, for the beat panel. */
export function rrText(r: BeatRR): string {
  const before = r.preMs === null
    ? 'RR: none before (first beat)'
    : `RR ${Math.round(r.preMs)} ms before (${r.preBpm === null ? '—' : r.preBpm.toFixed(1)} bpm${r.prematurity === null ? '' : `, ${r.prematurity.toFixed(2)} × the ${r.prior} before`})`;
  return `${before} · ${r.postMs === null ? 'none after (last beat)' : `${Math.round(r.postMs)} ms after`}`;
}
