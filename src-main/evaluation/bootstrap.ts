/**
 * Record-level (cluster) bootstrap intervals. Beats of one patient are not independent — MIT-BIH 232's 1,382
 * atrial premature beats are one patient's, not 1,382 draws — so a beat-level interval would be far too narrow.
 * Here whole records are resampled with replacement, their count matrices summed and the statistic recomputed;
 * the interval is the percentile interval of the draws (Efron & Tibshirani, An Introduction to the Bootstrap,
 * 1993, ch. 13). Seeded, so the same counts give the same intervals.
 */
import { EvaluationError } from './errors.js';
import { mulberry32, randomInt } from './random.js';

export interface Interval { lo: number; hi: number }

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  draws?: number;
  /** Coverage (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
}

export interface BootstrapResult<K extends string> {
  draws: number;
  level: number;
  seed: number;
  units: number;
  /** Per statistic: the percentile interval, or null where fewer than half the draws defined it. */
  intervals: Record<K, Interval | null>;
}

/** The q-quantile (0–1) of sorted values, linear between order statistics. */
function quantileSorted(v: Float64Array, q: number): number {
  const h = (v.length - 1) * q;
  const i = Math.floor(h);
  return i + 1 < v.length ? v[i] + (h - i) * (v[i + 1] - v[i]) : v[i];
}

/**
 * Percentile intervals of `statistic` over resamples of `units` (one count array per record, all the same
 * length). A statistic may be null in a draw (e.g. no beat of a class drawn): those draws are left out of its
 * interval.
 */
export function recordBootstrap<K extends string>(units: readonly ArrayLike<number>[], statistic: (sum: Float64Array) => Record<K, number | null>, opts: BootstrapOptions = {}): BootstrapResult<K> {
  const draws = opts.draws ?? 2000;
  const level = opts.level ?? 0.95;
  const seed = opts.seed ?? 1;
  if (!(draws >= 1) || !Number.isInteger(draws)) throw new EvaluationError(`bootstrap draws must be a positive integer, got ${draws}`);
  if (!(level > 0 && level < 1)) throw new EvaluationError(`bootstrap level must be in (0, 1), got ${level}`);
  if (units.length === 0) throw new EvaluationError('bootstrap needs at least one record');
  const width = units[0].length;
  for (const u of units) if (u.length !== width) throw new EvaluationError(`bootstrap records' count arrays differ in length (${u.length} vs ${width})`);
  const random = mulberry32(seed);
  const sum = new Float64Array(width);
  const values = new Map<K, number[]>();
  for (let d = 0; d < draws; d++) {
    sum.fill(0);
    for (let k = 0; k < units.length; k++) {
      const u = units[randomInt(random, units.length)];
      for (let j = 0; j < width; j++) sum[j] += u[j];
    }
    for (const [key, v] of Object.entries(statistic(sum)) as [K, number | null][]) {
      if (!values.has(key)) values.set(key, []);
      if (v !== null && Number.isFinite(v)) values.get(key)!.push(v);
    }
  }
  const intervals = {} as Record<K, Interval | null>;
  const a = (1 - level) / 2;
  for (const [key, list] of values) {
    if (list.length < draws / 2) { intervals[key] = null; continue; }
    const v = Float64Array.from(list).sort();
    intervals[key] = { lo: quantileSorted(v, a), hi: quantileSorted(v, 1 - a) };
  }
  return { draws, level, seed, units: units.length, intervals };
}
