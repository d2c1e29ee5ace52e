/**
 * Atrial fibrillation episodes scored against a reference's rhythm annotations, by duration (the overlap over the
 * reference's AF time, and over the detector's) and by episode (a reference episode counts as found when a detected
 * one overlaps it, and a detected one is true when it overlaps a reference episode). This is the idea of EC57's AF
 * statistics; it is not a port of WFDB's `epic`.
 */
import type { Annotation } from '../domain/annotation.js';
import type { AfAgreement, AfEpisode } from '../domain/holter.js';

/** AF episodes of an annotation file: from a rhythm annotation whose text begins `(AF` (AFIB, AFL) to the next
 * rhythm annotation that does not, or the end of the record (`length` samples). */
export function referenceAfEpisodes(anns: readonly Annotation[], fs: number, length: number): AfEpisode[] {
  const out: AfEpisode[] = [];
  let start: number | null = null;
  for (const a of anns) {
    if (a.symbol !== '+') continue;
    const af = a.aux.replace(/\0+$/, '').startsWith('(AF');
    if (af && start === null) start = a.sample;
    else if (!af && start !== null) { out.push({ start: start / fs, end: a.sample / fs }); start = null; }
  }
  if (start !== null) out.push({ start: start / fs, end: length / fs });
  return out;
}

export interface AfComparison {
  referenceSeconds: number;
  detectedSeconds: number;
  overlapSeconds: number;
  referenceEpisodes: number;
  referenceFound: number;
  detectedEpisodes: number;
  detectedTrue: number;
}

const overlap = (a: AfEpisode, b: AfEpisode): number => Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));

export function compareAfEpisodes(reference: readonly AfEpisode[], detected: readonly AfEpisode[]): AfComparison {
  let o = 0;
  for (const r of reference) for (const d of detected) o += overlap(r, d);
  return {
    referenceSeconds: reference.reduce((s, e) => s + e.end - e.start, 0),
    detectedSeconds: detected.reduce((s, e) => s + e.end - e.start, 0),
    overlapSeconds: o,
    referenceEpisodes: reference.length,
    referenceFound: reference.filter((r) => detected.some((d) => overlap(r, d) > 0)).length,
    detectedEpisodes: detected.length,
    detectedTrue: detected.filter((d) => reference.some((r) => overlap(r, d) > 0)).length,
  };
}

export function addAfComparisons(a: AfComparison, b: AfComparison): AfComparison {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof AfComparison)[]) out[k] += b[k];
  return out;
}

/** Duration and episode Se / +P (0–1, null when undefined). */
export function afStatistics(c: AfComparison): { durationSe: number | null; durationPpv: number | null; episodeSe: number | null; episodePpv: number | null } {
  const q = (x: number, y: number): number | null => (y > 0 ? x / y : null);
  return { durationSe: q(c.overlapSeconds, c.referenceSeconds), durationPpv: q(c.overlapSeconds, c.detectedSeconds), episodeSe: q(c.referenceFound, c.referenceEpisodes), episodePpv: q(c.detectedTrue, c.detectedEpisodes) };
}

/** Whether an annotation file has any rhythm annotation (so that "no AF" in it is a statement, not a gap). */
export function hasRhythmAnnotations(anns: readonly Annotation[]): boolean {
  return anns.some((a) => a.symbol === '+' && a.aux.replace(/\0+$/, '').startsWith('('));
}

/** `detected` scored against `reference` (the rhythm episodes of `annotator`), as the Holter summary carries it. */
export function afAgreement(annotator: string, reference: readonly AfEpisode[], detected: readonly AfEpisode[]): AfAgreement {
  const c = compareAfEpisodes(reference, detected);
  const s = afStatistics(c);
  const pct = (v: number | null): number | null => (v === null ? null : 100 * v);
  return {
    annotator, referenceSeconds: c.referenceSeconds, referenceEpisodes: c.referenceEpisodes, foundSeconds: c.detectedSeconds, foundEpisodes: c.detectedEpisodes,
    overlapSeconds: c.overlapSeconds, referenceEpisodesFound: c.referenceFound, foundEpisodesTrue: c.detectedTrue,
    durationSe: pct(s.durationSe), durationPpv: pct(s.durationPpv),
  };
}

/** Several recordings' agreements pooled: seconds and episodes summed, Se and +P of the sums. */
export function poolAfAgreements(annotator: string, list: readonly AfAgreement[]): AfAgreement {
  const sum = (k: 'referenceSeconds' | 'referenceEpisodes' | 'foundSeconds' | 'foundEpisodes' | 'overlapSeconds' | 'referenceEpisodesFound' | 'foundEpisodesTrue'): number => list.reduce((a, x) => a + x[k], 0);
  const c = { referenceSeconds: sum('referenceSeconds'), foundSeconds: sum('foundSeconds'), overlapSeconds: sum('overlapSeconds') };
  return {
    annotator, ...c, referenceEpisodes: sum('referenceEpisodes'), foundEpisodes: sum('foundEpisodes'),
    referenceEpisodesFound: sum('referenceEpisodesFound'), foundEpisodesTrue: sum('foundEpisodesTrue'),
    durationSe: c.referenceSeconds > 0 ? (100 * c.overlapSeconds) / c.referenceSeconds : null,
    durationPpv: c.foundSeconds > 0 ? (100 * c.overlapSeconds) / c.foundSeconds : null,
  };
}

/** Episodes cut to [from, to] seconds (the compared period); those outside it dropped. */
export function clipEpisodes(episodes: readonly AfEpisode[], from: number, to: number): AfEpisode[] {
  return episodes.flatMap((e) => (e.end <= from || e.start >= to ? [] : [{ start: Math.max(e.start, from), end: Math.min(e.end, to) }]));
}
