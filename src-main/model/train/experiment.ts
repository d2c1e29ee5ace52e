/**
 * The training protocols behind `ecg-review train`:
 *  - ds1ds2: train on DS1 (de Chazal 2004's inter-patient training set) with a patient-wise validation split
 *    of DS1 records for early stopping and decision offsets, save the model, and score it on DS2 by classifying
 *    the DS2 records and running the EC57 evaluation — DS2 steers nothing;
 *  - kfold / stratified / patient: K-fold cross-validation over DS1 beats.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DS1, DS2 } from '../../domain/mitdb.js';
import { beatsDeChazal, writeModelCard, type ModelCard } from '../card.js';
import { FEATURE_NAMES, MODEL_CLASSES, type BeatSet } from '../dataset/beats.js';
import { loadLabelledRecords, type BeatSource } from '../dataset/mitdb.js';
import { CAUSAL_FEATURE_NAMES } from '../dataset/causal.js';
import { DEFAULT_WINDOW, windowChannels, type WindowSpec } from '../dataset/windows.js';
import { describeEngine } from '../engine/backend.js';
import { tf } from '../engine/tf.js';
import { evaluateModelOnRecords, type RecordsEvaluation } from '../evaluate-records.js';
import { loadModel, modelSizeOnDisk, MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModel, type ModelMetadata } from '../io.js';
import { crossValidate, outOfFoldProbs, type CvKind, type CvSummary } from './cross-validation.js';
import { chooseConsensusAndBias, chooseDecisionBias, type DecisionFloors } from './decision.js';
import { morphologyConsensus } from '../consensus.js';
import { scoreBeats } from './metrics.js';
import { decide, predictProbs, trainModel, type EpochLog, type ProgressFn, type TrainConfig } from './train.js';
import { patientValidationSplit } from './validation.js';
import { ModelError } from '../errors.js';
import type { Architecture } from '../architectures/index.js';
import { mergeEnsemble } from '../ensemble.js';

export interface ExperimentProgress {
  stage: string;
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number;
  elapsed?: number;
  log?: EpochLog;
}

export interface Ds1Ds2Options {
  dataDir: string;
  out: string;
  config: Partial<TrainConfig> & { seed: number; epochs: number };
  window?: WindowSpec;
  lead?: string;
  /** Where the training beats are (mitdb.ts): at the atr annotations (default) or where the live detector finds them. */
  positions?: BeatSource;
  /** Also run stratified and patient-wise K-fold on DS1 (for the model card), with this many epochs per fold. */
  cv?: { folds: number; epochs: number; epochSize?: number };
  /**
   * Choose the decision offsets on out-of-fold predictions of patient-wise K-fold over all of DS1 (K fold models
   * trained like the shipped one) instead of on the shipped model's single validation split; 0 = the split.
   */
  decisionFolds?: number;
  /**
   * Train exactly `epochs` epochs on all of DS1 and keep the last weights: no validation split, no early stopping
   * (the fold models of `decisionFolds` are trained the same way, so the offsets fit the shipped model's regime).
   */
  fixedEpochs?: boolean;
  /**
   * Train one member per seed and ship their mean as one model (model/ensemble.ts). Needs fixedEpochs and
   * decisionFolds: the offsets are chosen on the mean of the members' out-of-fold predictions.
   */
  seeds?: number[];
  /**
   * Train one member per architecture (each with `config.seed`) and ship their mean as one model, like `seeds`
   * (needs fixedEpochs and decisionFolds). Architectures differ in what they get wrong, so their mean errs less.
   */
  archs?: Architecture[];
  /**
   * Choose a morphology consensus (model/consensus.ts) with the decision offsets on the out-of-fold predictions
   * (needs decisionFolds); kept only where it raises the DS1 objective.
   */
  consensus?: boolean;
  /** Operating-point floors the decision offsets must hold on the out-of-fold predictions (needs decisionFolds). */
  floors?: DecisionFloors;
  command: string;
  onProgress?: (p: ExperimentProgress) => void;
}

export interface Ds1Ds2Result {
  card: ModelCard;
  ds2: RecordsEvaluation;
  history: EpochLog[];
  validationObjective: number;
}

export async function loadDs1(dataDir: string, window: WindowSpec = DEFAULT_WINDOW, lead?: string, positions?: BeatSource): Promise<BeatSet> {
  return loadLabelledRecords(dataDir, DS1, { window, lead, ...(positions ? { positions } : {}) });
}

export async function runDs1Ds2(o: Ds1Ds2Options): Promise<Ds1Ds2Result> {
  const window = o.window ?? DEFAULT_WINDOW;
  const t0 = performance.now();
  o.onProgress?.({ stage: 'loading DS1' });
  const ds1 = await loadDs1(o.dataDir, window, o.lead, o.positions);
  const arch0 = o.config.arch ?? 'cnn';
  if (o.archs && o.archs.length > 1 && o.seeds && o.seeds.length > 1) throw new ModelError('an ensemble is of seeds or of architectures, not both');
  const members = o.archs && o.archs.length > 1
    ? o.archs.map((arch) => ({ arch, seed: o.config.seed }))
    : (o.seeds?.length ? o.seeds : [o.config.seed]).map((seed) => ({ arch: arch0, seed }));
  const ensemble = members.length > 1;
  const mixed = new Set(members.map((m) => m.arch)).size > 1;
  if (ensemble && !(o.fixedEpochs && o.decisionFolds && o.decisionFolds > 1)) throw new ModelError('an ensemble needs --fixed-epochs and --decision-folds');
  if (o.consensus && !(o.decisionFolds && o.decisionFolds > 1)) throw new ModelError('a morphology consensus is chosen on out-of-fold predictions: it needs --decision-folds');
  if (o.floors && !(o.decisionFolds && o.decisionFolds > 1)) throw new ModelError('decision floors are held on out-of-fold predictions: they need --decision-folds');
  const { train, val, valRecords } = o.fixedEpochs ? { train: ds1, val: null, valRecords: [] as string[] } : patientValidationSplit(ds1, o.config.seed);
  const runs: Awaited<ReturnType<typeof trainModel>>[] = [];
  let oofProbs: Float32Array | null = null;
  let oofFolds: { records: string[]; bestEpoch: number }[] = [];
  for (const [m, { arch, seed }] of members.entries()) {
    const cfg = { ...o.config, arch, seed };
    const who = ensemble ? `member ${m + 1}/${members.length} (${mixed ? arch : `seed ${seed}`}) ` : '';
    runs.push(await trainModel(train, val, cfg, (p) => o.onProgress?.({ stage: `${who}training`, ...p })));
    if (o.decisionFolds && o.decisionFolds > 1) {
      const oof = await outOfFoldProbs(ds1, o.decisionFolds, cfg, !o.fixedEpochs, (fold, p) => o.onProgress?.({ stage: `${who}decision fold ${fold}/${o.decisionFolds}`, ...p }));
      oofProbs ??= new Float32Array(oof.probs.length);
      for (let i = 0; i < oofProbs.length; i++) oofProbs[i] += oof.probs[i] / members.length;
      oofFolds = [...oofFolds, ...oof.perFold.map((f) => ({ records: f.records, bestEpoch: f.bestEpoch }))];
    }
  }
  const name = mixed ? 'ensemble' : arch0;
  const r = { ...runs[0], model: ensemble ? await mergeEnsemble(runs.map((x) => x.model), `${name}_ensemble`) : runs[0].model };
  if (ensemble) for (const x of runs) x.model.dispose();
  let decision: NonNullable<ModelCard['decision']>;
  if (oofProbs) {
    const { bias, objective, consensus, withoutConsensus, floorsMet } = o.consensus
      ? chooseConsensusAndBias(oofProbs, ds1.labels, ds1, window, o.floors)
      : { ...chooseDecisionBias(oofProbs, ds1.labels, o.floors), consensus: undefined, withoutConsensus: undefined };
    const decided = consensus ? morphologyConsensus(oofProbs, ds1, window, consensus) : oofProbs;
    const sc = scoreBeats(MODEL_CLASSES, ds1.labels, decide(decided, bias), decided);
    decision = {
      method: `out-of-fold predictions of patient-wise ${o.decisionFolds}-fold cross-validation over all ${ds1.records.length} DS1 records (each fold model trained like this one${o.fixedEpochs ? `, ${o.config.epochs} epochs` : ', early stopping on its own patient-wise split'}${ensemble ? `; the mean of the ${members.length} members' out-of-fold predictions` : ''})`,
      bias, objective, ...(consensus ? { consensus } : {}), ...(withoutConsensus !== undefined ? { withoutConsensus } : {}), ...(o.floors ? { floors: o.floors, floorsMet } : {}), folds: oofFolds,
      outOfFold: { accuracy: sc.accuracy, macroF1: sc.macroF1, se: Object.fromEntries(MODEL_CLASSES.map((c) => [c, sc.perClass[c].se])), ppv: Object.fromEntries(MODEL_CLASSES.map((c) => [c, sc.perClass[c].ppv])), confusion: sc.confusion },
    };
  } else {
    if (!val) throw new ModelError('--fixed-epochs has no validation split to choose decision offsets on: give --decision-folds');
    const probs = predictProbs(r.model, val);
    const { bias, objective } = chooseDecisionBias(probs, val.labels);
    decision = { method: `the shipped model's patient-wise validation records (${valRecords.join(', ')})`, bias, objective };
  }
  const bias = decision.bias;
  const meta: ModelMetadata = {
    format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch: mixed ? 'ensemble' : arch0, ...(ensemble ? { members } : {}), classes: [...MODEL_CLASSES],
    window, channels: [...windowChannels(window)], features: [...(window.causal ? CAUSAL_FEATURE_NAMES : FEATURE_NAMES)], decisionBias: bias, ...(decision.consensus ? { consensus: decision.consensus } : {}),
    parameters: r.model.countParams(), seed: o.config.seed, trainedOn: (valRecords.length ? `MIT-BIH DS1 (${DS1.length} records) minus validation ${valRecords.join(',')}` : `MIT-BIH DS1 (${DS1.length} records)`) + (ensemble ? (mixed ? `; ensemble of ${members.map((m) => m.arch).join(', ')} (seed ${o.config.seed})` : `; ensemble of seeds ${members.map((m) => m.seed).join(', ')}`) : ''),
    backend: describeEngine(), createdAt: new Date().toISOString(), ...(o.positions === 'live-detector' ? { trainingBeats: 'live-detector' as const } : {}),
  };
  await saveModel(r.model, o.out, meta);
  const seconds = (performance.now() - t0) / 1000;
  r.model.dispose();
  // Score what was saved, exactly as `classify --beats atr` + `evaluate` would.
  o.onProgress?.({ stage: 'scoring DS2' });
  const loaded = await loadModel(o.out);
  const annDir = await mkdtemp(join(tmpdir(), 'ecg-review-ds2-'));
  const ds2 = await evaluateModelOnRecords([loaded], DS2.map((n) => join(o.dataDir, n)), annDir, { beats: 'atr', lead: o.lead, onRecord: (name, i) => o.onProgress?.({ stage: `scoring DS2 ${name} (${i + 1}/${DS2.length})` }) });
  loaded.model.dispose();
  await rm(annDir, { recursive: true, force: true });
  let crossValidation: ModelCard['crossValidation'];
  if (o.cv) {
    const cvCfg = { ...o.config, arch: arch0, epochs: o.cv.epochs, ...(o.cv.epochSize ? { epochSize: o.cv.epochSize } : {}) };
    const res: Partial<Record<CvKind, CvSummary>> = {};
    for (const kind of ['stratified', 'patient'] as const) {
      res[kind] = await crossValidate(kind, ds1, o.cv.folds, cvCfg, (fold, p) => o.onProgress?.({ stage: `${kind} CV fold ${fold}/${o.cv!.folds}`, ...p }));
    }
    crossValidation = {
      stratified: res.stratified, patient: res.patient,
      note: `Each fold trains a fresh ${ensemble ? `single model (one member${mixed ? `, ${arch0}` : ''}, not the ensemble) ` : 'model '}with the same configuration for ${o.cv.epochs} epochs (fewer than the shipped model, no early stopping, no decision offsets: plain argmax).`,
    };
  }
  const card: ModelCard = {
    name, architecture: mixed ? `ensemble of ${members.map((m) => m.arch).join(' + ')}` : arch0, parameters: meta.parameters, sizeOnDiskBytes: modelSizeOnDisk(o.out), metadata: meta,
    training: { data: o.positions === 'live-detector' ? 'MIT-BIH Arrhythmia DS1 (de Chazal 2004), beats where the live detector finds them (all leads, as in use), each labelled by the atr beat within 150 ms; detections with no atr beat are not trained on' : 'MIT-BIH Arrhythmia DS1 (de Chazal 2004), reference beat positions and labels from atr', records: [...DS1], validationRecords: valRecords, beats: train.n, config: { ...(await import('./train.js')).DEFAULT_TRAIN_CONFIG, ...o.config }, bestEpoch: r.bestEpoch, epochsRun: r.history.length, seconds, ...(ensemble ? { members: members.length } : {}) },
    command: o.command, backend: meta.backend,
    ds2: { ...ds2, measuredBy: `ecg-review classify <each DS2 record> --model ${o.out} --beats atr --format wfdb, then ecg-review evaluate (whole record, AAMI mapping)` },
    decision, crossValidation, deChazal2004: (await import('../../domain/mitdb.js')).DE_CHAZAL_2004_DS2, beatsDeChazal: beatsDeChazal(ds2),
  };
  await writeModelCard(o.out, card);
  void tf;
  return { card, ds2, history: r.history, validationObjective: decision.objective };
}
