/**
 * The seams between the review app and the domain modules: the QRS detector (`signal/detect-qrs`), shipped tfjs
 * models (`model/io`, `model/classify`) and their model cards. The app lists every `resources/models/<id>/`
 * with a model card, plus a rule-based baseline that needs no network.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AAMI_LABELS, BASELINE_MODEL_ID, type AamiLabel, type ModelSummary } from '../api/contract.js';
import type { Annotation } from '../domain/annotation.js';
import type { RecordingSource } from '../domain/recording.js';
import { alignFiducials } from '../signal/align-fiducials.js';
import { detectQrs } from '../signal/detect-qrs.js';
import type { Classified } from './baseline-classifier.js';
import { AppError } from './errors.js';

export { BASELINE_MODEL_ID };

export const BASELINE_MODEL: ModelSummary = {
  id: BASELINE_MODEL_ID,
  name: 'RR + morphology rules (baseline, untrained)',
  description: 'Rule-based: prematurity of the RR interval and correlation with a running normal template. No training; the floor a trained model must beat.',
  classes: ['N', 'S', 'V', 'F', 'Q'],
  input: 'lead 0, 250 ms around the fiducial + RR intervals',
  card: {},
};

/** QRS positions from the team's multi-lead detector (Pan-Tompkins / Hamilton-Tompkins, see detect-qrs.ts). */
export async function detectBeats(leads: Float32Array[], fs: number): Promise<Int32Array> {
  // Moved onto the reference annotators' fiducial point (peak of the main deflection of the first lead), where
  // the shipped models were trained and where a reviewer expects the marker; see signal/align-fiducials.ts.
  return alignFiducials(leads[0], fs, detectQrs(leads, fs));
}

function describeCard(id: string, card: Record<string, unknown>): ModelSummary {
  const meta = (card.metadata ?? {}) as { classes?: string[]; window?: { fs: number; before: number; after: number; causal?: boolean }; channels?: string[]; features?: string[] };
  const ds2 = card.ds2 as { accuracy?: number | null; intervals?: { intervals?: { accuracy?: { lo: number; hi: number } | null } } } | undefined;
  const acc = ds2?.intervals?.intervals?.accuracy;
  const w = meta.window;
  return {
    id,
    name: `${String(card.name ?? id)}${card.architecture && card.architecture !== (card.name ?? id) ? ` (${String(card.architecture)})` : ''}`,
    description: [
      card.parameters ? `${Number(card.parameters).toLocaleString('en')} parameters` : '',
      ds2?.accuracy != null ? `DS2 accuracy ${Number(ds2.accuracy).toFixed(1)} %${acc ? ` (95 % CI ${acc.lo.toFixed(1)}–${acc.hi.toFixed(1)}, over patients)` : ''}` : '',
      card.beatsDeChazal === true ? 'beats de Chazal 2004 on DS2' : '',
      w?.causal ? `causal: inputs end ${Math.round((1000 * (w.after - 1)) / w.fs)} ms after the R peak (live labels within ~30 ms)` : '',
    ].filter(Boolean).join(' · '),
    classes: meta.classes ?? ['N', 'S', 'V', 'F', 'Q'],
    input: w ? `${w.before + w.after} samples at ${w.fs} Hz around the R peak${w.causal ? ' (causal: earlier beats\' template and RR only)' : ''}, input channels ${(meta.channels ?? []).join(', ')}; features ${(meta.features ?? []).join(', ')}` : '',
    card,
  };
}

/** Models shipped in `resources/models/<id>/model-card.json` (with a model.json), plus the rule-based baseline. */
export async function listShippedModels(modelsDir: string): Promise<ModelSummary[]> {
  const out: ModelSummary[] = [];
  let dirs: string[] = [];
  try { dirs = (await readdir(modelsDir)).sort(); } catch { /* no models dir */ }
  for (const d of dirs) {
    try {
      const card = JSON.parse(await readFile(join(modelsDir, d, 'model-card.json'), 'utf8')) as Record<string, unknown>;
      await readFile(join(modelsDir, d, 'model.json')).catch(async () => {
        // An ensemble directory holds members in sub-directories.
        const subs = await readdir(join(modelsDir, d));
        if (!subs.some((s) => !s.includes('.'))) throw new Error('no model.json');
      });
      out.push(describeCard(d, card));
    } catch { /* not a model directory */ }
  }
  return [...out, BASELINE_MODEL];
}

export interface ModelOutput extends Classified { samples: Int32Array }

/** The engine (wasm, else cpu) and the model of a directory: one model, or an ensemble's members (its sub-directories). */
async function loadModels(dir: string) {
  const { initEngine } = await import('../model/engine/backend.js');
  await initEngine({ prefer: 'wasm' }).catch(() => initEngine({ prefer: 'cpu' }));
  const { loadModel } = await import('../model/io.js');
  try {
    return { members: false, models: [await loadModel(dir)] };
  } catch (e) {
    // An ensemble: every sub-directory is a member.
    const subs = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((s) => s.isDirectory()).map((s) => join(dir, s.name));
    if (!subs.length) throw e;
    return { members: true, models: await Promise.all(subs.map((s) => loadModel(s))) };
  }
}

/**
 * Classify with a tfjs model directory (a shipped model, or one adapted to the patient). Beat positions: the given
 * ones (reference annotations, so the classifier is judged alone, as the model cards' DS2 figures are), else the
 * model module's QRS detector.
 */
export async function classifyWithModel(dir: string, source: RecordingSource, onProgress: (f: number) => void, positions?: Int32Array): Promise<ModelOutput> {
  const { classifyRecording, modelProbs } = await import('../model/classify.js');
  const { buildRecordBeats } = await import('../model/dataset/beats.js');
  const { decide } = await import('../model/train/train.js');
  const { models } = await loadModels(dir);
  onProgress(0.2);
  let r: { samples: Int32Array; classes: string[]; predicted: Int8Array; probabilities: Float32Array };
  if (positions) {
    // As model/classify.ts does for an annotator, with positions handed over (a segment's share of them).
    const meta = models[0].meta;
    const set = await buildRecordBeats(source, { samples: positions }, { window: meta.window });
    const K = meta.classes.length;
    const probs = new Float32Array(set.n * K);
    for (const m of models) { const p = modelProbs(m, set); for (let i = 0; i < p.length; i++) probs[i] += p[i] / models.length; }
    // The consensus sees the segment's beats only (the app classifies long recordings segment by segment).
    const decided = meta.consensus ? (await import('../model/consensus.js')).morphologyConsensus(probs, set, meta.window, meta.consensus) : probs;
    r = { samples: set.samples, classes: meta.classes, predicted: decide(decided, meta.decisionBias), probabilities: decided };
  } else {
    r = await classifyRecording(source, models);
  }
  onProgress(0.95);
  const n = r.samples.length;
  const K = r.classes.length;
  const map = r.classes.map((c) => AAMI_LABELS.indexOf(c as AamiLabel));
  if (map.some((m) => m < 0)) throw new AppError(`model ${basename(dir)} has classes ${r.classes.join(',')} outside N,S,V,F,Q`, dir);
  const probs = new Float32Array(n * 5);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) probs[i * 5 + map[k]] = r.probabilities[i * K + k];
    labels[i] = map[r.predicted[i]];
  }
  return { samples: r.samples, labels, probs };
}

export interface AdaptOutcome {
  /** Labelled beats learnt from, per class. */
  beats: Partial<Record<AamiLabel, number>>;
  epochs: number;
  /** Mean loss of each epoch, per model (one, or an ensemble's members). */
  losses: number[][];
}

/**
 * Adapt the model of `dir` to the patient of `source` (model/adapt.ts) and save the adapted copy to `outDir` (an
 * ensemble's members to sub-directories of the same names), for `classifyWithModel` to classify with. The beats
 * are found as `classifyWithModel` finds them: at the given positions, else by the detector the model uses (the
 * live detector for a causal model); `labels` label those before `seconds` (nearest within 150 ms).
 */
export async function adaptWithModel(dir: string, source: RecordingSource, labels: readonly Annotation[], seconds: number, what: string, outDir: string, positions?: Int32Array): Promise<AdaptOutcome> {
  const { beatPositions } = await import('../model/classify.js');
  const { buildRecordBeats } = await import('../model/dataset/beats.js');
  const { adaptModel, labelsFromAnnotations } = await import('../model/adapt.js');
  const { saveModel } = await import('../model/io.js');
  const { members, models } = await loadModels(dir);
  const meta = models[0].meta;
  const found = positions ? { samples: positions } : (await beatPositions(source, {}, meta.window.causal === true)).positions;
  const set = await buildRecordBeats(source, found, { window: meta.window });
  const learn = labelsFromAnnotations(set, labels, source.info.fs, seconds, meta.classes);
  let beats: AdaptOutcome['beats'] = {};
  const losses: number[][] = [];
  let epochs = 0;
  for (const m of models) {
    const adapted = await adaptModel(m, set, learn, what);
    try {
      const to = members ? join(outDir, basename(m.dir)) : outDir;
      await saveModel(adapted.model, to, { ...m.meta, trainedOn: `${m.meta.trainedOn}; adapted to ${source.info.name} (${what})`, createdAt: new Date().toISOString() });
    } finally {
      adapted.model.dispose();
    }
    beats = adapted.adaptation.beats as AdaptOutcome['beats'];
    epochs = adapted.adaptation.options.epochs;
    losses.push(adapted.adaptation.losses);
  }
  return { beats, epochs, losses };
}
