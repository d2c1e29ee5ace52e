/**
 * What a Holter report states about a recording once every beat has a label: heart rate, heart-rate variability
 * (the time-domain measures of the Task Force of the ESC and NASPE, Circulation 1996;93:1043–65), ectopy
 * (isolated beats, couplets, runs, bigeminy, trigeminy) and pauses. Computed by `src-main/rhythm`; plain data, so
 * the renderer, the report and the command line share it.
 */

/** An ectopic class a Holter report counts patterns of. */
export type EctopicClass = 'S' | 'V';

/** Consecutive ectopic beats of one class (three or more: a run; ≥ 100 bpm ventricular: ventricular tachycardia). */
export interface EctopicSalvo {
  /** Index of the first beat and the time (s) of its R peak. */
  firstBeat: number;
  start: number;
  /** Time (s) of the last beat's R peak. */
  end: number;
  beats: number;
  /** Rate within the salvo from its own RR intervals (beats/min); null for one beat. */
  rate: number | null;
}

/** An episode of alternation with normal beats: bigeminy N X N X …, trigeminy N N X N N X …. */
export interface EctopicEpisode {
  start: number;
  end: number;
  /** Ectopic beats in the episode (= cycles). */
  cycles: number;
}

export interface EctopySummary {
  cls: EctopicClass;
  total: number;
  isolated: number;
  couplets: number;
  /** Salvos of three or more. */
  runs: number;
  beatsInRuns: number;
  /** Runs of three or more at or above the tachycardia rate (100 beats/min). */
  tachycardiaRuns: number;
  longestRun: EctopicSalvo | null;
  fastestRun: EctopicSalvo | null;
  /** Every run of three or more, in time order (at most `MAX_LISTED` in a summary). */
  runList: EctopicSalvo[];
  bigeminy: { episodes: number; cycles: number; longest: EctopicEpisode | null; list: EctopicEpisode[] };
  trigeminy: { episodes: number; cycles: number; longest: EctopicEpisode | null; list: EctopicEpisode[] };
  /** Per 1,000 beats analysed. */
  perThousand: number;
}

/** An episode of atrial fibrillation (or flutter with an irregular response), seconds from the recording's start. */
export interface AfEpisode {
  start: number;
  end: number;
}

/**
 * The AF found from the beat labels scored against a reference's rhythm annotations (`(AFIB`, `(AFL`): by duration
 * (overlap over the reference's AF time, and over the time found) and by episode (a reference episode is found
 * when a found one overlaps it; a found one is true when it overlaps a reference episode). EC57's idea of AF
 * statistics, not a port of WFDB's `epic`.
 */
export interface AfAgreement {
  /** The annotator whose rhythm annotations are the reference. */
  annotator: string;
  referenceSeconds: number;
  referenceEpisodes: number;
  foundSeconds: number;
  foundEpisodes: number;
  overlapSeconds: number;
  referenceEpisodesFound: number;
  foundEpisodesTrue: number;
  /** Percent; null when undefined (no reference AF, or nothing found). */
  durationSe: number | null;
  durationPpv: number | null;
}

export interface Pause {
  /** Time (s) of the beat that starts the pause, and the pause length (s). */
  start: number;
  seconds: number;
}

export interface HeartRateSummary {
  /** Beats per minute over the whole analysis: (beats − 1) / (last − first beat). */
  mean: number | null;
  /** Lowest and highest per-minute heart rate (60 / mean RR of the minute; minutes covered ≥ 50 % by RR intervals). */
  min: { bpm: number; minute: number } | null;
  max: { bpm: number; minute: number } | null;
  /** Minutes with a heart rate at all, below 60 and above 100 beats/min. */
  minutes: number;
  bradycardiaMinutes: number;
  tachycardiaMinutes: number;
  /** The rate of every clock minute (null: not covered enough), for a trend plot. */
  perMinute: (number | null)[];
}

/** Time-domain HRV over normal-to-normal (NN) intervals, in milliseconds unless stated. Null: not enough NN intervals. */
export interface HrvSummary {
  /** NN intervals kept after the filters, and those dropped by them. */
  nnCount: number;
  nnExcluded: number;
  meanNN: number | null;
  sdnn: number | null;
  /** SD of the 5-minute mean NN; null with fewer than two 5-minute segments. */
  sdann: number | null;
  /** Mean of the 5-minute SDNNs. */
  sdnnIndex: number | null;
  rmssd: number | null;
  /** Percent of successive NN differences above 50 ms. */
  pnn50: number | null;
  /** NN count over the height of the NN histogram with 1/128-s bins (dimensionless). */
  triangularIndex: number | null;
  /** Frequency domain: Lomb–Scargle spectra of the 5-minute segments, band powers averaged over them. */
  frequency: HrvSpectrum | null;
}

/** Band powers in ms² (Task Force bands: VLF 0.0033–0.04 Hz, LF 0.04–0.15 Hz, HF 0.15–0.4 Hz). */
export interface HrvSpectrum {
  /** 5-minute segments whose spectra were averaged. */
  segments: number;
  /** VLF + LF + HF (0.0033–0.4 Hz). */
  total: number;
  vlf: number;
  lf: number;
  hf: number;
  lfHf: number | null;
  /** LF and HF in normalised units: 100 × band / (total − VLF). */
  lfNu: number | null;
  hfNu: number | null;
}

export interface HourSummary {
  /** Hour from the start of the recording (0-based). */
  hour: number;
  /** Seconds of the recording inside this hour. */
  seconds: number;
  beats: number;
  counts: Record<'N' | 'S' | 'V' | 'F' | 'Q', number>;
  /** Seconds of AF in this hour. */
  afSeconds: number;
  meanRate: number | null;
  minRate: number | null;
  maxRate: number | null;
  pauses: number;
}

export interface HolterSummary {
  /** Seconds analysed (the recording's length) and beats in it. */
  seconds: number;
  beats: number;
  counts: Record<'N' | 'S' | 'V' | 'F' | 'Q', number>;
  /** Beats without an AAMI label (e.g. not yet classified); they break every pattern. */
  unlabelled: number;
  heartRate: HeartRateSummary;
  hrv: HrvSummary;
  ectopy: { S: EctopySummary; V: EctopySummary };
  pauses: { threshold: number; count: number; longest: Pause | null; list: Pause[] };
  /**
   * Atrial fibrillation found from RR irregularity (rhythm/atrial-fibrillation.ts): episodes ≥ 30 s and burden.
   * `supraventricularLabels`: beats labelled S inside its episodes. In AF every conducted beat comes early or late,
   * and models call many of them S; they are not supraventricular ectopy, so `ectopy.S` leaves them out
   * (counts them as N), as Holter systems suspend SVE counting during AF. `counts.S` still holds every S label.
   */
  af: {
    episodes: number; seconds: number; burdenPercent: number; longest: AfEpisode | null; list: AfEpisode[]; supraventricularLabels: number;
    /** Whether the signal's P waves were looked at (missing P waves let less irregularity count as AF), or the labels' RR intervals alone. */
    pWaves: boolean;
  };
  /** The AF found against a reference's rhythm annotations, when the summary was given them. */
  afAgreement?: AfAgreement;
  hourly: HourSummary[];
  /** The settings the figures were computed with. */
  settings: HolterSettings;
}

export interface HolterSettings {
  /** RR interval (s) from which a gap counts as a pause. */
  pauseSeconds: number;
  /** NN intervals outside [minNN, maxNN] s are dropped (PhysioNet HRV Toolkit default 0.4–2.0 s). */
  minNN: number;
  maxNN: number;
  /** NN intervals differing from the mean of their neighbours by more than this fraction are dropped (default 0.2). */
  nnOutlierFraction: number;
  /** Neighbours on each side for that mean (default 20, the HRV Toolkit's window of 41). */
  nnOutlierHalfWindow: number;
  /** Cycles that make a bigeminy or trigeminy episode (default 3). */
  minCycles: number;
}

/** An AF agreement's figures in one phrase: "duration Se 77.1 %, +P 98.4 %; 10 of 12 reference episodes overlapped, 8 of 8 found in AF". */
export function afAgreementFigures(a: AfAgreement): string {
  const pct = (v: number | null): string => (v === null ? '—' : `${v.toFixed(1)} %`);
  return `duration Se ${pct(a.durationSe)}, +P ${pct(a.durationPpv)}; ${a.referenceEpisodesFound} of ${a.referenceEpisodes} reference episodes overlapped, ${a.foundEpisodesTrue} of ${a.foundEpisodes} found in AF`;
}

/** h:mm:ss from the start of the recording, as Holter reports give event times. */
/** How the AF was found, in words, for every place that shows it. */
export function afMethodText(af: Pick<HolterSummary['af'], 'pWaves'>): string {
  return af.pWaves
    ? 'from RR irregularity, with less of it needed where the signal shows no P waves'
    : 'from RR irregularity alone: misses flutter and AF with a regular response';
}

export function clockTime(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The figures a Holter report leads with, by name, for putting two summaries side by side (model vs reference). */
export function holterKeyFigures(s: HolterSummary): { figure: string; value: number | null; digits: number }[] {
  const e = (c: 'V' | 'S'): { figure: string; value: number | null; digits: number }[] => [
    { figure: `${c} beats`, value: s.ectopy[c].total, digits: 0 },
    { figure: `${c} isolated`, value: s.ectopy[c].isolated, digits: 0 },
    { figure: `${c} couplets`, value: s.ectopy[c].couplets, digits: 0 },
    { figure: `${c} runs ≥ 3`, value: s.ectopy[c].runs, digits: 0 },
    { figure: `${c} runs ≥ 100 bpm`, value: s.ectopy[c].tachycardiaRuns, digits: 0 },
    { figure: `${c} longest run (beats)`, value: s.ectopy[c].longestRun?.beats ?? 0, digits: 0 },
    { figure: `${c} bigeminy episodes`, value: s.ectopy[c].bigeminy.episodes, digits: 0 },
    { figure: `${c} trigeminy episodes`, value: s.ectopy[c].trigeminy.episodes, digits: 0 },
  ];
  return [
    { figure: 'beats', value: s.beats, digits: 0 },
    ...(['N', 'F', 'Q'] as const).map((k) => ({ figure: `${k} beats`, value: s.counts[k], digits: 0 })),
    ...e('V'), ...e('S'),
    { figure: 'AF episodes', value: s.af.episodes, digits: 0 },
    { figure: 'AF burden (%)', value: s.af.burdenPercent, digits: 1 },
    { figure: 'S labels inside AF (not counted as S)', value: s.af.supraventricularLabels, digits: 0 },
    ...(s.afAgreement ? [
      { figure: `AF duration Se vs ${s.afAgreement.annotator} rhythm (%)`, value: s.afAgreement.durationSe, digits: 1 },
      { figure: `AF duration +P vs ${s.afAgreement.annotator} rhythm (%)`, value: s.afAgreement.durationPpv, digits: 1 },
    ] : []),
    { figure: `pauses ≥ ${s.settings.pauseSeconds} s`, value: s.pauses.count, digits: 0 },
    { figure: 'longest pause (s)', value: s.pauses.longest?.seconds ?? null, digits: 2 },
    { figure: 'mean heart rate (bpm)', value: s.heartRate.mean, digits: 1 },
    { figure: 'minimum per-minute rate (bpm)', value: s.heartRate.min?.bpm ?? null, digits: 1 },
    { figure: 'maximum per-minute rate (bpm)', value: s.heartRate.max?.bpm ?? null, digits: 1 },
    { figure: 'NN intervals kept', value: s.hrv.nnCount, digits: 0 },
    { figure: 'SDNN (ms)', value: s.hrv.sdnn, digits: 1 },
    { figure: 'RMSSD (ms)', value: s.hrv.rmssd, digits: 1 },
    { figure: 'pNN50 (%)', value: s.hrv.pnn50, digits: 1 },
    { figure: 'LF/HF', value: s.hrv.frequency?.lfHf ?? null, digits: 2 },
  ];
}
