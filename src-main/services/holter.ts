/**
 * The Holter summary as the app, the report and the command line give it: the rhythm module's summary of beat
 * labels, plus, when a reference annotator with rhythm annotations is at hand, the AF it found scored against the
 * reference's `(AFIB`/`(AFL` episodes. Here because the scoring (evaluation) and the summary (rhythm) are separate
 * layers.
 */
import type { Annotation } from '../domain/annotation.js';
import type { HolterSettings, HolterSummary } from '../domain/holter.js';
import { afAgreement, hasRhythmAnnotations, referenceAfEpisodes } from '../evaluation/af-episodes.js';
import { summarizeHolterWithEpisodes, type LabelledBeats } from '../rhythm/index.js';

export interface RhythmReference {
  annotator: string;
  annotations: readonly Annotation[];
}

/** `b.length` (samples) bounds a reference episode still open at the end of the file. */
export function holterSummary(b: LabelledBeats, settings: Partial<HolterSettings> = {}, rhythm?: RhythmReference): HolterSummary {
  const { summary, afEpisodes } = summarizeHolterWithEpisodes(b, settings);
  if (!rhythm || !hasRhythmAnnotations(rhythm.annotations)) return summary;
  const length = b.length ?? (b.samples.length ? b.samples[b.samples.length - 1] + 1 : 0);
  return { ...summary, afAgreement: afAgreement(rhythm.annotator, referenceAfEpisodes(rhythm.annotations, b.fs, length), afEpisodes) };
}
