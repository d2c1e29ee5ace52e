/**
 * The Holter summary of a labelled recording: heart rate, HRV, ectopy, pauses and an hour-by-hour table, each
 * from its own module. Pure: beats and labels in, plain data out (`domain/holter.ts`).
 */
import type { AfEpisode, HolterSettings, HolterSummary, HourSummary } from '../domain/holter.js';
import { analysedSeconds, checkBeats, type LabelledBeats } from './beats.js';
import { MAX_LISTED, summarizeEctopy } from './ectopy.js';
import { RhythmError } from './errors.js';
import { findPauses, minuteRates, summarizeHeartRate } from './heart-rate.js';
import { heartRateVariability } from './hrv.js';
import { atrialFibrillationEpisodes } from './atrial-fibrillation.js';

export const DEFAULT_HOLTER_SETTINGS: Readonly<HolterSettings> = {
  pauseSeconds: 2.0, minNN: 0.4, maxNN: 2.0, nnOutlierFraction: 0.2, nnOutlierHalfWindow: 20, minCycles: 3,
};

type ClassCounts = HolterSummary['counts'];
const zeroCounts = (): ClassCounts => ({ N: 0, S: 0, V: 0, F: 0, Q: 0 });
const isCounted = (l: string): l is keyof ClassCounts => l === 'N' || l === 'S' || l === 'V' || l === 'F' || l === 'Q';

function checkSettings(s: HolterSettings, where: string): void {
  const bad = (what: string): never => { throw new RhythmError(what, where); };
  if (!(s.pauseSeconds > 0)) bad(`pause threshold must be a positive number of seconds, got ${s.pauseSeconds}`);
  if (!(s.minNN >= 0 && s.maxNN > s.minNN)) bad(`NN range must satisfy 0 ≤ min < max, got ${s.minNN}–${s.maxNN} s`);
  if (!(s.nnOutlierFraction > 0)) bad(`NN outlier fraction must be positive, got ${s.nnOutlierFraction}`);
  if (!(Number.isInteger(s.nnOutlierHalfWindow) && s.nnOutlierHalfWindow >= 1)) bad(`NN outlier half-window must be a whole number ≥ 1, got ${s.nnOutlierHalfWindow}`);
  if (!(Number.isInteger(s.minCycles) && s.minCycles >= 2)) bad(`bigeminy/trigeminy episodes need a whole number ≥ 2 of cycles, got ${s.minCycles}`);
}

export function summarizeHolter(b: LabelledBeats, settings: Partial<HolterSettings> = {}): HolterSummary {
  return summarizeHolterWithEpisodes(b, settings).summary;
}

/** The summary, and every AF episode it found (the summary lists at most `MAX_LISTED`), for scoring them. */
export function summarizeHolterWithEpisodes(b: LabelledBeats, settings: Partial<HolterSettings> = {}): { summary: HolterSummary; afEpisodes: AfEpisode[] } {
  checkBeats(b);
  // an option given as undefined keeps its default
  const s: HolterSettings = { ...DEFAULT_HOLTER_SETTINGS, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) };
  checkSettings(s, b.source ?? 'Holter settings');
  const seconds = analysedSeconds(b);
  const counts = zeroCounts();
  let unlabelled = 0;
  for (let i = 0; i < b.labels.length; i++) { const l = b.labels[i]; if (isCounted(l)) counts[l]++; else unlabelled++; }
  const rates = minuteRates(b, Math.ceil(seconds / 60));
  const pauses = findPauses(b, s.pauseSeconds);

  const hours: HourSummary[] = [];
  for (let h = 0; h * 3600 < seconds; h++) {
    hours.push({ hour: h, seconds: Math.min(3600, seconds - h * 3600), beats: 0, counts: zeroCounts(), afSeconds: 0, meanRate: null, minRate: null, maxRate: null, pauses: 0 });
  }
  const rrSum = new Float64Array(hours.length), rrCount = new Float64Array(hours.length);
  for (let i = 0; i < b.samples.length; i++) {
    const h = hours[Math.floor(b.samples[i] / b.fs / 3600)];
    h.beats++;
    if (isCounted(b.labels[i])) h.counts[b.labels[i] as keyof ClassCounts]++;
    if (i > 0) { rrSum[h.hour] += (b.samples[i] - b.samples[i - 1]) / b.fs; rrCount[h.hour]++; }
  }
  for (const h of hours) {
    if (rrSum[h.hour] > 0) h.meanRate = (60 * rrCount[h.hour]) / rrSum[h.hour];
    for (let m = h.hour * 60; m < Math.min(rates.length, (h.hour + 1) * 60); m++) {
      if (Number.isNaN(rates[m])) continue;
      if (h.minRate === null || rates[m] < h.minRate) h.minRate = rates[m];
      if (h.maxRate === null || rates[m] > h.maxRate) h.maxRate = rates[m];
    }
  }
  for (const p of pauses) hours[Math.floor(p.start / 3600)].pauses++;
  const af = atrialFibrillationEpisodes(b);
  for (const e of af) {
    for (const h of hours) h.afSeconds += Math.max(0, Math.min(e.end, (h.hour + 1) * 3600) - Math.max(e.start, h.hour * 3600));
  }
  const afSeconds = af.reduce((a, e) => a + e.end - e.start, 0);
  const { beats: withoutAfS, moved } = supraventricularOutsideAf(b, af);

  const summary: HolterSummary = {
    seconds, beats: b.samples.length, counts, unlabelled,
    heartRate: summarizeHeartRate(b, rates),
    hrv: heartRateVariability(b, s),
    ectopy: { S: summarizeEctopy(withoutAfS, 'S', s.minCycles), V: summarizeEctopy(b, 'V', s.minCycles) },
    pauses: { threshold: s.pauseSeconds, count: pauses.length, longest: pauses.reduce<typeof pauses[number] | null>((a, p) => (!a || p.seconds > a.seconds ? p : a), null), list: pauses.slice(0, MAX_LISTED) },
    af: { episodes: af.length, seconds: afSeconds, burdenPercent: seconds > 0 ? (100 * afSeconds) / seconds : 0, longest: af.reduce<typeof af[number] | null>((a, e) => (!a || e.end - e.start > a.end - a.start ? e : a), null), list: af.slice(0, MAX_LISTED), supraventricularLabels: moved, pWaves: b.atrialActivity !== undefined },
    hourly: hours,
    settings: s,
  };
  return { summary, afEpisodes: af };
}

/**
 * The beats with every S label inside an AF episode read as N: in AF the ventricular response is irregular by
 * nature, so an early beat there is conducted AF, not a supraventricular ectopic beat. `moved` counts them.
 */
export function supraventricularOutsideAf(b: LabelledBeats, af: readonly AfEpisode[]): { beats: LabelledBeats; moved: number } {
  if (!af.length) return { beats: b, moved: 0 };
  const labels = Array.from(b.labels);
  let moved = 0;
  let e = 0;
  for (let i = 0; i < labels.length; i++) {
    const t = b.samples[i] / b.fs;
    while (e < af.length && af[e].end < t) e++;
    if (e < af.length && af[e].start <= t && labels[i] === 'S') { labels[i] = 'N'; moved++; }
  }
  return { beats: { ...b, labels }, moved };
}
