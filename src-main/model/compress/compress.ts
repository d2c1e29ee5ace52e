/**
 * One compression step from a model directory to a new one — distil, prune (unstructured or structured),
 * quantize, or expand sparse weights — followed by measuring the result as it runs from disk and writing its
 * model card. Steps chain by running again on the output (distil → prune → quantize).
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DE_CHAZAL_2004_DS2, DS1, DS2 } from '../../domain/mitdb.js';
import { deChazalShortfalls, DS2_HYGIENE_NOTE, figuresTableLines } from '../card.js';
import { openRecording, readAnnotations } from '../../formats/index.js';
import { adaptModel, labelsFromAnnotations } from '../adapt.js';
import { classifierBeats } from '../classify.js';
import { describeEngine } from '../engine/backend.js';
import { loadLabelledRecords } from '../dataset/mitdb.js';
import { MODEL_CARD, readCard, writeCard, type CompressionStep, type ModelCard } from './card.js';
import { buildStudent, distill, type StudentArchitecture } from './distill.js';
import { CompressError } from './errors.js';
import { balancedClassWeights } from './fit.js';
import { evaluateModel, readMetadata, windowOf, type ModelEvaluation } from './evaluate.js';
import { artifactsOf, countParameters, DENSE_WEIGHTS, diskSize, loadModelDir, MODEL_JSON, modelFromFiles, readModelFiles, SPARSE_WEIGHTS, writeModelFiles } from './model-files.js';
import { checkRatio, fineTune, measureSparsity, pruneStructured, pruneUnstructured } from './prune.js';
import { quantizeWeights } from './quantize.js';
import { trainingSetOf } from './tensors.js';
import { tf } from './tf.js';
import { INTEGER_RUNTIME, quantizeToIntegers } from '../lite/integer.js';
import { INTEGER_JSON, removeIntegerModel, writeIntegerModel } from '../lite/integer-files.js';
import { constantBytes } from '../lite/integer-c.js';

export type CompressOperation =
  | { kind: 'prune'; ratio: number; structured?: boolean }
  | { kind: 'distill'; student: StudentArchitecture; alpha?: number; temperature?: number }
  | { kind: 'quantize'; dtype: 'uint8' | 'float16' }
  | { kind: 'expand' }
  /** Patient-specific: fine-tune on the first `seconds` of one recording, labelled by `annotator` (model/adapt.ts). */
  | { kind: 'adapt'; record: string; seconds: number; annotator: string; beats?: string }
  /** Integer-only inference (lite/integer.ts): int8 activations calibrated on the training records, plus C source. */
  | { kind: 'integer' };

export interface CompressRequest {
  model: string;
  out: string;
  op: CompressOperation;
  /** MIT-BIH directory (training and evaluation records). */
  dataDir: string;
  /** Records to train/fine-tune on; default DS1. */
  trainRecords?: readonly string[];
  /** Records to evaluate on after compression; default none (the CLI passes DS2). */
  evalRecords?: readonly string[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Loss weight per class ∝ (1/frequency)^power (default 0.5). */
  classWeightPower?: number;
  /** The command line, recorded in the card. */
  command?: string;
  /** Sparse outputs: also write the dense weights.bin (bigger directory, loadable by any tfjs runtime). */
  keepDense?: boolean;
  warn?: (m: string) => void;
  progress?: (m: string) => void;
}

export interface CompressResult {
  card: ModelCard;
  evaluation?: ModelEvaluation;
}

/** Validate everything that can be checked before any training, so bad input fails fast and clearly. */
export async function checkRequest(req: CompressRequest): Promise<void> {
  if (resolve(req.model) === resolve(req.out)) throw new CompressError('--out must differ from --model (compression never overwrites its input)', req.out);
  const files = await readModelFiles(req.model);
  const op = req.op;
  if (op.kind === 'prune') {
    checkRatio(op.ratio);
    if (files.quantization) throw new CompressError(`is quantized (${files.quantization}); prune the float model and quantize last`, req.model);
  }
  if (op.kind === 'quantize') {
    if (files.quantization) throw new CompressError(`is already quantized (${files.quantization}); quantize the float32 parent instead`, req.model);
    if (op.dtype !== 'uint8' && op.dtype !== 'float16') throw new CompressError(`unknown quantization '${String(op.dtype)}' (use uint8 or float16)`);
  }
  if (op.kind === 'expand' && !files.sparse) throw new CompressError('has no sparse weights to expand', req.model);
  if (op.kind === 'integer' && !(await readMetadata(req.model)).meta) throw new CompressError('has no ECG Review metadata (window, classes, decision): only a beat classifier gets an integer form', req.model);
  if (op.kind === 'integer' && existsSync(join(req.model, INTEGER_JSON))) throw new CompressError(`already has an integer form (${INTEGER_JSON}); give the model it was made from`, req.model);
  if (op.kind === 'adapt') {
    if (files.quantization) throw new CompressError(`is quantized (${files.quantization}); adapt the float model and quantize last`, req.model);
    if (!(op.seconds > 0)) throw new CompressError(`learning period must be a positive number of seconds, got ${op.seconds}`);
    if (!(await readMetadata(req.model)).meta) throw new CompressError('has no ECG Review metadata (window, classes, decision): only a beat classifier can be adapted', req.model);
  }
  if (req.epochs !== undefined && (!Number.isInteger(req.epochs) || req.epochs < 0)) throw new CompressError(`epochs must be a non-negative integer, got ${req.epochs}`);
}

export async function compressModel(req: CompressRequest): Promise<CompressResult> {
  await checkRequest(req);
  const say = req.progress ?? (() => undefined);
  const parentCard = await readCard(req.model);
  const files = await readModelFiles(req.model);
  const { meta: parentMeta } = await readMetadata(req.model);
  // The classifier metadata travels with the weights (model.json userDefinedMetadata.ecgReview) so that
  // `classify` runs the child exactly like the parent: same window, features, classes, decision offsets.
  const metadataFor = (parameters: number, arch?: string): Record<string, unknown> => {
    if (!parentMeta) return {};
    const ecgReview = { ...parentMeta, parameters, createdAt: new Date().toISOString(), ...(arch ? { arch } : {}) };
    return { userDefinedMetadata: { ...files.json.userDefinedMetadata, ecgReview } };
  };
  const op = req.op;
  const trainRecords = req.trainRecords ?? DS1;
  // A stale weight file from an earlier run in --out would be read by generic runtimes (weights.bin) or
  // mislead size figures; clear the files a model directory is made of before writing a new one.
  for (const f of [MODEL_JSON, DENSE_WEIGHTS, SPARSE_WEIGHTS, MODEL_CARD]) await rm(join(req.out, f), { force: true });
  await removeIntegerModel(req.out);
  const step: CompressionStep = { kind: op.kind };
  let sparse = files.sparse;

  if (op.kind === 'quantize' || op.kind === 'expand') {
    // No tfjs round trip: the weights are transformed byte for byte.
    const weights = op.kind === 'quantize' ? quantizeWeights(files.specs, files.weightData, op.dtype) : { specs: files.specs, weightData: files.weightData };
    if (op.kind === 'quantize') step.dtype = op.dtype;
    if (op.kind === 'expand') sparse = false;
    const extra = metadataFor(parentMeta?.parameters ?? 0);
    if (!sparse || req.keepDense) await writeModelFiles(req.out, { modelTopology: files.json.modelTopology, ...weights }, { extra });
    if (sparse) await writeModelFiles(req.out, { modelTopology: files.json.modelTopology, ...weights }, { sparse: true, extra });
  } else if (op.kind === 'integer') {
    // Calibrated on the beats the parent learnt on; the tfjs files are kept as they are, so the directory is still a
    // model any tfjs runtime loads, and integer.json is what the integer runtime (and the C source) runs.
    const beats = await loadLabelledRecords(req.dataDir, trainRecords, { window: windowOf(parentMeta, parentCard), ...(parentMeta?.trainingBeats ? { positions: parentMeta.trainingBeats } : {}) });
    const where = sameRecords(trainRecords, DS1) ? 'DS1' : trainRecords.join(' ');
    const spec = quantizeToIntegers(files, { n: beats.n, x: beats.x, features: beats.features, description: `activation ranges calibrated on ${where}, ${beats.n} beats${parentMeta?.trainingBeats ? ` (${parentMeta.trainingBeats} positions)` : ''}` }, parentMeta!);
    step.calibration = spec.calibration;
    const weights = { specs: files.specs, weightData: files.weightData };
    const extra = metadataFor(parentMeta?.parameters ?? 0);
    if (!sparse || req.keepDense) await writeModelFiles(req.out, { modelTopology: files.json.modelTopology, ...weights }, { extra });
    if (sparse) await writeModelFiles(req.out, { modelTopology: files.json.modelTopology, ...weights }, { sparse: true, extra });
    step.files = await writeIntegerModel(req.out, spec);
    step.constantBytes = constantBytes(spec);
    say(`integer form written: ${(step.files as { name: string; bytes: number }[]).map((f) => `${f.name} ${f.bytes} B`).join(', ')}`);
  } else if (op.kind === 'adapt') {
    const parent = await modelFromFiles(files);
    const src = await openRecording(op.record);
    try {
      const { set, how } = await classifierBeats(src, parentMeta!, { beats: op.beats });
      const learn = labelsFromAnnotations(set, await readAnnotations(src, op.annotator), src.info.fs, op.seconds, parentMeta!.classes);
      say(`${learn.indices.length} labelled beats of ${src.info.name} in its first ${op.seconds} s (${how})`);
      const adapted = await adaptModel({ model: parent, meta: parentMeta!, dir: req.model }, set, learn, `${op.annotator}, first ${op.seconds} s`, { epochs: req.epochs, learningRate: req.learningRate, seed: req.seed });
      const a = adapted.adaptation;
      Object.assign(step, { record: src.info.name, recordPath: op.record, seconds: op.seconds, annotator: op.annotator, positions: how, beats: a.beats, epochs: a.options.epochs, learningRate: a.options.learningRate, alpha: a.options.alpha, temperature: a.options.temperature, losses: a.losses });
      step.trainedOn = `${src.info.name}, first ${op.seconds} s (${op.annotator})`;
      await writeModelFiles(req.out, await artifactsOf(adapted.model), { extra: metadataFor(adapted.model.countParams()) });
      adapted.model.dispose();
    } finally {
      await src.close();
      parent.dispose();
    }
    sparse = false;
  } else {
    const parent = await modelFromFiles(files);
    // The child learns on the beats the parent learnt on (and will be given in use).
    const beats = await loadLabelledRecords(req.dataDir, trainRecords, { window: windowOf(parentMeta, parentCard), ...(parentMeta?.trainingBeats ? { positions: parentMeta.trainingBeats } : {}) });
    say(`${beats.n} training beats from ${trainRecords.length} records`);
    const data = trainingSetOf(beats, parent);
    const classes = parent.outputs[0].shape[1] as number;
    const fit = {
      epochs: req.epochs ?? (op.kind === 'distill' ? 20 : 6),
      batchSize: req.batchSize ?? 256,
      learningRate: req.learningRate ?? (op.kind === 'distill' ? 3e-3 : 5e-4),
      classWeights: balancedClassWeights(data.labels, classes, req.classWeightPower ?? 0.5),
      seed: req.seed ?? 1,
      onEpoch: (e: number, l: number) => say(`epoch ${e + 1}: loss ${l.toFixed(4)}`),
    };
    step.epochs = fit.epochs;
    step.trainedOn = sameRecords(trainRecords, DS1) ? 'DS1' : [...trainRecords];
    let result: tf.LayersModel;
    if (op.kind === 'distill') {
      const student = buildStudent(op.student, parent, req.seed ?? 7);
      Object.assign(step, { student: op.student, alpha: op.alpha ?? 0.5, temperature: op.temperature ?? 4 });
      await distill(parent, student, data, { ...fit, alpha: op.alpha, temperature: op.temperature, warn: req.warn });
      result = student;
      sparse = false;
    } else if (op.structured) {
      const { model, report } = await pruneStructured(parent, op.ratio);
      Object.assign(step, { ratio: op.ratio, structured: true, layers: report.layers, skipped: report.skipped });
      say(`structured: ${report.layers.map((l) => `${l.name} ${l.before}→${l.after}`).join(', ')}`);
      if (fit.epochs > 0) await fineTune(model, data, { ...fit, parent });
      result = model;
    } else {
      const rep = await pruneUnstructured(parent, data, { ...fit, sparsity: op.ratio });
      Object.assign(step, { ratio: op.ratio, structured: false, sparsity: rep.sparsity });
      result = parent;
      sparse = true;
    }
    tf.dispose(data.inputs);
    // A pruned model is stored compactly; --keep-dense also writes the weights.bin its manifest names, so
    // generic tfjs runtimes can load the same directory (our loader prefers the sparse file).
    const artifacts = await artifactsOf(result);
    const extra = metadataFor(result.countParams(), op.kind === 'distill' ? op.student : undefined);
    if (!sparse || req.keepDense) await writeModelFiles(req.out, artifacts, { extra });
    if (sparse) await writeModelFiles(req.out, artifacts, { sparse: true, extra });
    if (result !== parent) result.dispose();
    parent.dispose();
  }

  // Measure what is on disk, loaded the way it runs.
  const written = await loadModelDir(req.out);
  const { parameters, nonZero } = countParameters(written);
  if (op.kind === 'prune' && !op.structured) step.measuredSparsity = measureSparsity(written).sparsity;
  written.dispose();
  const size = await diskSize(req.out);
  const { meta: childMeta } = await readMetadata(req.out);
  const parentName = parentCard?.name ?? basename(resolve(req.model));
  // Same shape as the shipped classifiers' cards (name, architecture, parameters, sizeOnDiskBytes, metadata,
  // command, backend, ds2, deChazal2004, beatsDeChazal), nothing copied that describes the parent instead.
  const card: ModelCard = {
    name: `${parentName}-${stepLabel(op)}`,
    description: `${describeOp(op)} of ${parentName}`,
    architecture: op.kind === 'distill' ? op.student : (parentCard?.architecture as string | undefined) ?? childMeta?.arch,
    parameters,
    nonZeroParameters: nonZero,
    sizeOnDiskBytes: size.bytes,
    gzipBytesOnDisk: size.gzipBytes,
    files: size.files,
    directoryBytes: size.directoryBytes,
    weights: { dtype: files.quantization && op.kind !== 'quantize' ? files.quantization : op.kind === 'quantize' ? op.dtype : 'float32', storage: (await readModelFiles(req.out)).sparse ? 'sparse bitmask (weights.sparse.bin)' : 'dense (weights.bin)' },
    metadata: childMeta,
    parent: { name: parentName, dir: req.model },
    compression: [...(parentCard?.compression ?? []), step],
    trainedOn: (op.kind === "quantize" || op.kind === "expand" || op.kind === 'integer' ? parentCard?.trainedOn ?? childMeta?.trainedOn
      : op.kind === 'adapt' ? [...[parentCard?.trainedOn ?? childMeta?.trainedOn ?? []].flat(), step.trainedOn as string] : step.trainedOn) as string | string[] | undefined,
    command: req.command,
    backend: op.kind === 'integer' ? INTEGER_RUNTIME : describeEngine(),
    createdAt: new Date().toISOString(),
  };
  let evaluation: ModelEvaluation | undefined;
  if (req.evalRecords && req.evalRecords.length) {
    say(`evaluating on ${req.evalRecords.length} records`);
    const adapted = adaptationOf(op, parentCard);
    const fromSeconds = adapted?.seconds;
    evaluation = await evaluateModel(req.out, { dataDir: req.dataDir, records: req.evalRecords, fromSeconds });
    const { truth: _t, predicted: _p, recordCounts: _r, ...figures } = evaluation;
    const measured = { ...figures, measuredBy: `classifyRecording at the atr beats of each record (as ecg-review classify --beats atr), EC57 evaluate ${fromSeconds ? `from ${fromSeconds} s (after the learning period)` : 'over whole records'} with the AAMI table; EC57 gross from minute 5` };
    if (op.kind === 'adapt' || op.kind === 'integer') {
      // The parent on the same beats, so the card shows what adapting (or integer arithmetic) changed.
      const { truth: _pt, predicted: _pp, recordCounts: _pr, ...parentFigures } = await evaluateModel(req.model, { dataDir: req.dataDir, records: req.evalRecords, fromSeconds });
      card.parentEvaluation = parentFigures;
    }
    if (sameRecords(req.evalRecords, DS2) && !adapted) {
      card.ds2 = measured;
      card.deChazal2004 = DE_CHAZAL_2004_DS2;
      card.beatsDeChazal = deChazalShortfalls(figures, false).length === 0;
    } else {
      card.evaluation = measured;
    }
  }
  await writeCard(req.out, card);
  await writeFile(join(req.out, 'model-card.md'), cardMarkdown(card));
  return { card, evaluation };
}


/**
 * The patient a model was adapted to — by this step or an earlier one (adapt → quantize) — or null. Such a model
 * is evaluated on that patient after the learning period; DS2 figures would mix its own patient with others.
 */
export function adaptationOf(op: CompressOperation, parentCard: ModelCard | null): { record: string; seconds: number } | null {
  if (op.kind === 'adapt') return { record: op.record, seconds: op.seconds };
  const step = [...(parentCard?.compression ?? [])].reverse().find((s) => s.kind === 'adapt');
  return step ? { record: String(step.recordPath ?? step.record), seconds: Number(step.seconds) } : null;
}

/** The human-readable card, beside model-card.json. */
export function cardMarkdown(card: ModelCard): string {
  const ev = (card.ds2 ?? card.evaluation) as ModelEvaluation | undefined;
  const lines = [
    `# Model card: ${card.name}`, '',
    `- ${card.description}`,
    `- Architecture: **${card.architecture ?? '?'}** — ${card.parameters} parameters (${card.nonZeroParameters} non-zero); ${card.sizeOnDiskBytes} bytes on disk (model.json + weights), ${card.gzipBytesOnDisk} gzipped`,
    `- Weights: ${(card.weights as { dtype: string; storage: string }).dtype}, ${(card.weights as { dtype: string; storage: string }).storage}`,
    `- Parent: \`${card.parent?.dir}\`; compression steps from the full model: ${(card.compression ?? []).map((s) => s.kind + (s.kind === 'prune' ? ` ${s.ratio}${s.structured ? ' structured' : ''}` : s.kind === 'quantize' ? ` ${s.dtype}` : s.kind === 'distill' ? ` → ${s.student}` : s.kind === 'adapt' ? ` to ${String(s.record)} (${Object.entries(s.beats as Record<string, number>).map(([k, v]) => `${v} ${k}`).join(', ')} beats, first ${String(s.seconds)} s)` : '')).join(' → ')}`,
    `- Trained on: ${JSON.stringify(card.trainedOn ?? 'DS1')}`,
    `- Reproduce: \`${card.command ?? '?'}\``,
    ...(card.note ? [`- Note: ${String(card.note)}`] : []),
    ...integerLines(card),
  ];
  if (ev) {
    const dc = card.deChazal2004 as typeof DE_CHAZAL_2004_DS2 | undefined;
    const hygiene = card.ds2 ? ['', DS2_HYGIENE_NOTE] : [];
    lines.push('', card.ds2 ? '## DS2 (inter-patient test; no weights, epochs or decision offsets were fitted on it, but DS2 scores of scratch experiments were seen while the design was chosen — see the note below)' :  `## Evaluation on ${ev.records.join(' ')}`, ...hygiene, '', `Measured by: ${(ev as { measuredBy?: string }).measuredBy ?? ''}`, '',
      ...figuresTableLines(ev, dc));
    const pe = card.parentEvaluation as ModelEvaluation | undefined;
    if (pe) {
      const f = (e: ModelEvaluation): string => `${(['N', 'S', 'V', 'F'] as const).map((c) => `${c} ${e.perClass[c].se?.toFixed(1) ?? '—'}/${e.perClass[c].ppv?.toFixed(1) ?? '—'}`).join(', ')}; accuracy ${e.accuracy?.toFixed(1) ?? '—'} %`;
      const integer = card.compression?.at(-1)?.kind === 'integer';
      lines.push('', integer
        ? `Se/+P on the same beats: float parent ${f(pe)}; integer-only ${f(ev)}.`
        : `Se/+P on the same beats: parent ${f(pe)}; adapted ${f(ev)}. Patient-specific figures: not comparable with patient-independent (DS2) ones.`);
    }
    if (card.ds2) {
      const short = deChazalShortfalls(ev, false);
      lines.push('', `Beats de Chazal et al. 2004 on N, S, V Se and +P: **${short.length ? 'no' : 'yes'}**${short.length ? ` — short on ${short.join(', ')}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What the integer form is and how it runs, when the last step made one. */
function integerLines(card: ModelCard): string[] {
  const step = card.compression?.at(-1);
  if (step?.kind !== 'integer') return [];
  const files = step.files as { name: string; bytes: number; gzipBytes: number }[];
  return [
    `- Integer form: int8 activations (one scale and zero point per channel), int8 weights (one scale per output channel), int32 accumulators, fixed-point requantization, a table softmax and Q15 probabilities; ${String(step.calibration)}`,
    `- Files: ${files.map((f) => `${f.name} ${f.bytes} B (${f.gzipBytes} gzipped)`).join(', ')}; the C source's constant data (weights, biases, multipliers, zero points, softmax tables) is ${String(step.constantBytes)} bytes. \`classify\`, \`evaluate\` and \`compare\` run integer.json with the TypeScript integer runtime (the figures below); ecg_model.c is the same model in C99, bit-identical, for a microcontroller. The morphology consensus, when the model has one, runs on the host over the Q15 probabilities.`,
  ];
}

function sameRecords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

function stepLabel(op: CompressOperation): string {
  switch (op.kind) {
    case 'distill': return op.student;
    case 'prune': return `${op.structured ? 'sp' : 'p'}${Math.round(op.ratio * 100)}`;
    case 'quantize': return op.dtype;
    case 'expand': return 'dense';
    case 'adapt': return `adapted-${basename(op.record)}`;
    case 'integer': return 'integer';
  }
}

function describeOp(op: CompressOperation): string {
  switch (op.kind) {
    case 'distill': return `Knowledge distillation into a ${op.student} student`;
    case 'prune': return `${op.structured ? 'Structured (filter)' : 'Unstructured magnitude'} pruning at ${Math.round(op.ratio * 100)} %`;
    case 'quantize': return `${op.dtype} weight quantization`;
    case 'expand': return 'Dense (generic tfjs) form';
    case 'adapt': return `Patient-specific adaptation to ${basename(op.record)} (fine-tuned on its first ${op.seconds} s, labels from ${op.annotator})`;
    case 'integer': return 'Integer-only form (int8 activations and weights, int32 accumulators, C99 source)';
  }
}
