/**
 * Ectopy patterns as Holter reports count them, from the beat labels alone: salvos of consecutive ectopic beats
 * of one class (one: isolated, two: couplet, three or more: run), and bigeminy (N X N X …) and trigeminy
 * (N N X N N X …) episodes. Any other label between two ectopic beats ends a salvo, so a fusion or unlabelled
 * beat splits a run, as it would on a review screen.
 */
import type { EctopicClass, EctopicEpisode, EctopicSalvo, EctopySummary } from '../domain/holter.js';
import type { LabelledBeats } from './beats.js';

/** Ventricular or supraventricular tachycardia begins at this rate (beats/min). */
export const TACHYCARDIA_BPM = 100;
/** Lists in a summary keep at most this many entries (the counts are always complete). */
export const MAX_LISTED = 200;

/** Every maximal sequence of consecutive beats labelled `cls`, in time order. */
export function ectopicSalvos(b: LabelledBeats, cls: EctopicClass): EctopicSalvo[] {
  const out: EctopicSalvo[] = [];
  const n = b.samples.length;
  for (let i = 0; i < n; ) {
    if (b.labels[i] !== cls) { i++; continue; }
    let j = i;
    while (j + 1 < n && b.labels[j + 1] === cls) j++;
    const beats = j - i + 1;
    const span = (b.samples[j] - b.samples[i]) / b.fs;
    out.push({ firstBeat: i, start: b.samples[i] / b.fs, end: b.samples[j] / b.fs, beats, rate: beats > 1 && span > 0 ? (60 * (beats - 1)) / span : null });
    i = j + 1;
  }
  return out;
}

/**
 * Maximal episodes of the pattern `N`×`normals` then `cls`, repeated: bigeminy has one normal beat per cycle,
 * trigeminy two. Episodes with fewer than `minCycles` cycles are not counted.
 */
export function alternationEpisodes(b: LabelledBeats, cls: EctopicClass, normals: 1 | 2, minCycles: number): EctopicEpisode[] {
  const out: EctopicEpisode[] = [];
  const n = b.samples.length;
  const period = normals + 1;
  const cycleAt = (i: number): boolean => {
    if (i + normals >= n) return false;
    for (let k = 0; k < normals; k++) if (b.labels[i + k] !== 'N') return false;
    return b.labels[i + normals] === cls;
  };
  for (let i = 0; i < n; ) {
    if (!cycleAt(i)) { i++; continue; }
    let cycles = 1;
    while (cycleAt(i + cycles * period)) cycles++;
    if (cycles >= minCycles) out.push({ start: b.samples[i] / b.fs, end: b.samples[i + cycles * period - 1] / b.fs, cycles });
    // the last ectopic beat may start nothing new: resume after it
    i += cycles * period;
  }
  return out;
}

function longestBy<T>(xs: readonly T[], key: (x: T) => number): T | null {
  let best: T | null = null;
  for (const x of xs) if (best === null || key(x) > key(best)) best = x;
  return best;
}

function episodes(list: EctopicEpisode[]): EctopySummary['bigeminy'] {
  return { episodes: list.length, cycles: list.reduce((a, e) => a + e.cycles, 0), longest: longestBy(list, (e) => e.end - e.start), list: list.slice(0, MAX_LISTED) };
}

/** Counts, salvos and alternation episodes of one ectopic class. */
export function summarizeEctopy(b: LabelledBeats, cls: EctopicClass, minCycles = 3): EctopySummary {
  const salvos = ectopicSalvos(b, cls);
  const runs = salvos.filter((s) => s.beats >= 3);
  const total = salvos.reduce((a, s) => a + s.beats, 0);
  return {
    cls,
    total,
    isolated: salvos.filter((s) => s.beats === 1).length,
    couplets: salvos.filter((s) => s.beats === 2).length,
    runs: runs.length,
    beatsInRuns: runs.reduce((a, s) => a + s.beats, 0),
    tachycardiaRuns: runs.filter((s) => (s.rate ?? 0) >= TACHYCARDIA_BPM).length,
    longestRun: longestBy(runs, (s) => s.beats),
    fastestRun: longestBy(runs, (s) => s.rate ?? 0),
    runList: runs.slice(0, MAX_LISTED),
    bigeminy: episodes(alternationEpisodes(b, cls, 1, minCycles)),
    trigeminy: episodes(alternationEpisodes(b, cls, 2, minCycles)),
    perThousand: b.samples.length ? (1000 * total) / b.samples.length : 0,
  };
}
