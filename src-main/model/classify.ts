/**
 * Classify the beats of a recording with a saved model (or an ensemble of saved models, whose probabilities are
 * averaged). Beat positions come from a reference annotator when one is named — so EC57 scores the classifier
 * alone — or from the QRS detector. Works at any sampling rate (windows are resampled to the model's rate)
 * and on any single lead.
 */
import { aamiClassOf, type AamiClass } from '../domain/aami.js';
import type { Annotation } from '../domain/annotation.js';
import { toPhysical, type RecordingSource } from '../domain/recording.js';
import { readAnnotations } from '../formats/index.js';
import { alignFiducials } from '../signal/align-fiducials.js';
import { detectQrs } from '../signal/detect-qrs.js';
import { beatsFromAnnotations, buildRecordBeats, type BeatPositions, type BeatSet } from './dataset/beats.js';
import { liveDetectorPositions } from './dataset/causal.js';
import { chooseLead } from './dataset/lead.js';
import { morphologyConsensus } from './consensus.js';
import { ModelError } from './errors.js';
import type { LoadedModel } from './io.js';
import { INTEGER_RUNTIME } from './lite/integer.js';
import { adaptModel, labelsFromAnnotations, type Adaptation, type AdaptOptions } from './adapt.js';
import { decide, predictProbs } from './train/train.js';

export interface ClassifyOptions {
  /** Reference annotator whose beat positions to classify (e.g. `atr`); default: run the QRS detector. */
  beats?: string;
  /** Lead name; default MLII, else the first ECG lead. */
  lead?: string;
  /**
   * Adapt the model(s) to this patient first (model/adapt.ts): fine-tune on the beats of the first `seconds`
   * labelled by `annotator` — EC57's learning period, which its scoring leaves out.
   */
  adapt?: {
    seconds: number;
    /** Names the labels: an annotator of the recording, read unless `annotations` are given. */
    annotator: string;
    /** The labels themselves (e.g. a reviewed run: model labels with the reviewer's corrections). */
    annotations?: readonly Annotation[];
    options?: Partial<AdaptOptions>;
  };
}

export interface ClassifiedBeats {
  record: string;
  lead: string;
  fs: number;
  /** Where the positions came from: `annotator:atr`, `detector` or (causal models) `live detector`. */
  positions: string;
  classes: AamiClass[];
  samples: Int32Array;
  /** Index into `classes` per beat. */
  predicted: Int8Array;
  /** [beat][class] averaged over the ensemble, after the model's morphology consensus when it has one. */
  probabilities: Float32Array;
  /** The annotator's AAMI class per beat when positions came from an annotator (undefined for a non-AAMI symbol). */
  referenceClasses?: (AamiClass | undefined)[];
  /** How each model was adapted to this patient, when it was. */
  adaptations?: Adaptation[];
}

/** Where a recording's beats are: the annotator's beats (with their AAMI classes), or the detector's. */
export async function beatPositions(src: RecordingSource, opts: ClassifyOptions, causal = false): Promise<{ positions: BeatPositions; how: string }> {
  if (opts.beats) {
    const anns = (await readAnnotations(src, opts.beats)).filter((a) => a.sample >= 0 && a.sample < src.info.length);
    return { positions: beatsFromAnnotations(anns), how: `annotator:${opts.beats}` };
  }
  const lead = chooseLead(src.info, opts.lead);
  if (causal) {
    // A causal model's beats come from the live detector (fast detector + causal noise gate) on every lead, the
    // classifier's lead first (its fiducials sit on that lead), exactly as on a device (src-agent/causal-pipeline.ts).
    return { positions: { samples: await liveDetectorPositions(src, lead.index) }, how: 'live detector' };
  }
  const rec = await src.read({ channels: [lead.index] });
  const lead0 = toPhysical(rec.signals[0]);
  // Detected positions moved to the reference annotators' fiducial point, where the models were trained.
  return { positions: { samples: alignFiducials(lead0, src.info.fs, detectQrs(lead0, src.info.fs)) }, how: 'detector' };
}

/** The beats a model classifies in a recording, at the positions `classifyRecording` uses, as its inputs. */
export async function classifierBeats(src: RecordingSource, meta: LoadedModel['meta'], opts: Pick<ClassifyOptions, 'beats' | 'lead'> = {}): Promise<{ set: BeatSet; how: string; lead: { name: string }; referenceClasses?: (AamiClass | undefined)[] }> {
  const lead = chooseLead(src.info, opts.lead);
  const { positions, how } = await beatPositions(src, opts, meta.window.causal === true);
  if (positions.samples.length === 0) {
    throw new ModelError(!opts.beats ? `no beats detected on lead ${lead.name}` : `annotator '${opts.beats}' has no beat annotations`, src.info.path);
  }
  // The set keeps every position in order (not only labelled ones), so the annotator's classes line up with it.
  const set = await buildRecordBeats(src, { samples: positions.samples }, { window: meta.window, lead: lead.name });
  return { set, how, lead, ...(positions.classes ? { referenceClasses: positions.classes } : {}) };
}

/** What computes the models' probabilities, for output that names its backend: the integer runtime, or the tfjs `engine`. */
export function runtimeOf(models: readonly LoadedModel[], engine: string): string {
  const integer = models.filter((m) => m.integer).length;
  return integer === 0 ? engine : integer === models.length ? INTEGER_RUNTIME : `${INTEGER_RUNTIME} and ${engine}`;
}

/** A loaded model's class probabilities for a set of beats: its integer form when it has one, else its network. */
export function modelProbs(m: LoadedModel, set: BeatSet): Float32Array {
  return m.integer ? m.integer.predictSet(set) : predictProbs(m.model, set);
}

export async function classifyRecording(src: RecordingSource, models: LoadedModel[], opts: ClassifyOptions = {}): Promise<ClassifiedBeats> {
  if (models.length === 0) throw new ModelError('no model to classify with');
  const meta = models[0].meta;
  for (const m of models) {
    if (JSON.stringify(m.meta.window) !== JSON.stringify(meta.window) || m.meta.classes.join() !== meta.classes.join() || JSON.stringify(m.meta.consensus) !== JSON.stringify(meta.consensus)) {
      throw new ModelError('ensemble members disagree on window, classes or morphology consensus', m.dir);
    }
  }
  const { set, how, lead, referenceClasses } = await classifierBeats(src, meta, opts);
  const K = meta.classes.length;
  const probs = new Float32Array(set.n * K);
  const adaptations: Adaptation[] = [];
  const learn = opts.adapt
    ? labelsFromAnnotations(set, opts.adapt.annotations ?? await readAnnotations(src, opts.adapt.annotator), src.info.fs, opts.adapt.seconds, meta.classes)
    : null;
  for (const m of models) {
    const inShape = m.model.inputs[0].shape;
    if (inShape[1] !== set.length || inShape[2] !== set.channels) throw new ModelError(`takes windows [${inShape.slice(1).join(', ')}] but the data are [${set.length}, ${set.channels}]`, m.dir);
    if (learn && m.integer) throw new ModelError('is an integer-only model: adapt its float parent, then make the integer form', m.dir);
    const adapted = learn ? await adaptModel(m, set, learn, `${opts.adapt!.annotator}, first ${opts.adapt!.seconds} s`, opts.adapt!.options) : null;
    // An integer model's probabilities are its Q15 outputs, computed as a device without floating point would.
    const p = adapted ? predictProbs(adapted.model, set) : modelProbs(m, set);
    if (adapted) { adaptations.push(adapted.adaptation); adapted.model.dispose(); }
    for (let i = 0; i < p.length; i++) probs[i] += p[i] / models.length;
  }
  const decided = meta.consensus ? morphologyConsensus(probs, set, meta.window, meta.consensus) : probs;
  return {
    record: src.info.name, lead: set.leads[0] ?? lead.name, fs: src.info.fs, positions: how, classes: meta.classes,
    // an ensemble uses the mean of its members' decision offsets
    samples: set.samples, predicted: decide(decided, meta.decisionBias.map((_, k) => models.reduce((a, m) => a + (m.meta.decisionBias[k] ?? 0), 0) / models.length)), probabilities: decided,
    ...(referenceClasses ? { referenceClasses } : {}),
    ...(adaptations.length ? { adaptations } : {}),
  };
}
