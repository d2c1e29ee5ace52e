/**
 * Saving and loading beat classifiers as a directory: `model.json` (tfjs LayersModel topology + weights
 * manifest + our metadata under `userDefinedMetadata.ecgReview`) and `weights.bin`. Plain Node file I/O, so it
 * works on every backend (tfjs' `file://` handler exists only with tfjs-node). Loading checks everything a
 * mismatched or damaged directory could get wrong and says so with a ModelError naming the file.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AamiClass } from '../domain/aami.js';
import './architectures/layers.js'; // registers the custom layers before any model.json is parsed
import type { Architecture } from './architectures/index.js';
import { windowChannels, type WindowSpec } from './dataset/windows.js';
import { checkConsensusSpec, type ConsensusSpec } from './consensus.js';
import { tf } from './engine/tf.js';
import type { LayersModel } from './engine/tf.js';
import { ModelError } from './errors.js';
import type { IntegerModel } from './lite/integer.js';
import { readIntegerModel } from './lite/integer-files.js';

export const MODEL_FORMAT = 'ecg-review-beat-classifier';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelMetadata {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** 'ensemble' when the members' architectures differ (see `members`). */
  arch: Architecture | 'ensemble';
  /** Members of an ensemble saved as one model (model/ensemble.ts), in order. */
  members?: { arch: Architecture; seed: number }[];
  /** Output classes in order. */
  classes: AamiClass[];
  /** Beat window: rate (Hz) and samples before / from the R peak. */
  window: WindowSpec;
  channels: string[];
  features: string[];
  /** Log-prior offsets added to log-probabilities before argmax (chosen on DS1 patient-wise validation). */
  decisionBias: number[];
  /** Morphology consensus applied before the offsets (model/consensus.ts), chosen on DS1 with them; absent: none. */
  consensus?: ConsensusSpec;
  parameters: number;
  seed: number;
  /** Members of an ensemble directory average their probabilities. */
  trainedOn: string;
  /** 'live-detector': trained on the live detector's beats (mitdb.ts `positions`); absent: at the annotations. */
  trainingBeats?: 'live-detector';
  backend: string;
  createdAt: string;
}

/** Where `--model cnn` points: resources/models/<name>. */
export const RESOURCES_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../resources/models');

/** A directory path, or the name of a shipped model (`cnn`, `attention`, `transformer`). */
export function resolveModelDir(dirOrName: string): string {
  if (/^[a-z0-9_-]+$/i.test(dirOrName) && !existsSync(dirOrName) && existsSync(join(RESOURCES_MODELS_DIR, dirOrName))) {
    return join(RESOURCES_MODELS_DIR, dirOrName);
  }
  return resolve(dirOrName);
}

export async function saveModel(model: LayersModel, dir: string, meta: ModelMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const weights = new Uint8Array(a.weightData as ArrayBuffer);
    const json = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      userDefinedMetadata: { ecgReview: meta },
    };
    await writeFile(join(dir, 'weights.bin'), weights);
    await writeFile(join(dir, 'model.json'), `${JSON.stringify(json)}\n`);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
  }));
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[];
  userDefinedMetadata?: { ecgReview?: ModelMetadata };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

export interface LoadedModel {
  model: LayersModel;
  meta: ModelMetadata;
  dir: string;
  /** The integer-only form (`integer.json`, lite/integer.ts) when the directory has one: classification runs it. */
  integer?: IntegerModel;
}

/** Load a model directory (or shipped model name), validating files, sizes and metadata. */
export async function loadModel(dirOrName: string): Promise<LoadedModel> {
  const dir = resolveModelDir(dirOrName);
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(dir)) throw new ModelError(`no such model directory (give a directory with model.json, or one of the shipped models in ${RESOURCES_MODELS_DIR})`, dir);
  if (!existsSync(jsonPath)) throw new ModelError('model.json is missing: not a model directory', dir);
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new ModelError(`is not valid JSON (${(e as Error).message})`, jsonPath);
  }
  const meta = json.userDefinedMetadata?.ecgReview;
  if (!meta || meta.format !== MODEL_FORMAT) throw new ModelError(`has no ECG Review metadata (userDefinedMetadata.ecgReview): not a beat classifier saved by ecg-review`, jsonPath);
  if (meta.formatVersion > MODEL_FORMAT_VERSION) throw new ModelError(`metadata format ${meta.formatVersion} is newer than this program understands (${MODEL_FORMAT_VERSION})`, jsonPath);
  if (!json.modelTopology || !json.weightsManifest?.length) throw new ModelError('has no model topology or weights manifest', jsonPath);
  if (meta.consensus) checkConsensusSpec(meta.consensus, jsonPath);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const expected = specs.reduce((a, w) => a + w.shape.reduce((p, d) => p * d, 1) * (DTYPE_BYTES[w.quantization?.dtype ?? w.dtype] ?? 4), 0);
  const buffers: Uint8Array[] = [];
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    const f = join(dir, p);
    if (!existsSync(f)) throw new ModelError(`weights file ${p} named by model.json is missing`, f);
    buffers.push(await readFile(f));
  }
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  if (total !== expected) throw new ModelError(`weights are ${total} bytes but model.json describes ${expected}: the weights file is truncated or belongs to another model`, join(dir, json.weightsManifest[0].paths[0]));
  const data = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) { data.set(b, o); o += b.byteLength; }
  let model: LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology as object, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: data.buffer,
    }));
  } catch (e) {
    throw new ModelError(`cannot be rebuilt: ${(e as Error).message}`, jsonPath, { cause: e });
  }
  const computed = windowChannels(meta.window);
  if (meta.channels.join() !== computed.join()) throw new ModelError(`metadata names window channels [${meta.channels.join(', ')}] but this program computes [${computed.join(', ')}] for its window: trained by another version`, jsonPath);
  const inShape = model.inputs[0].shape;
  const length = meta.window.before + meta.window.after;
  if (inShape[1] !== length || inShape[2] !== meta.channels.length) {
    throw new ModelError(`metadata says ${length}-sample windows of ${meta.channels.length} channels at ${meta.window.fs} Hz, but the network takes [${inShape.slice(1).join(', ')}]`, jsonPath);
  }
  if (model.inputs[1]?.shape[1] !== meta.features.length) throw new ModelError(`metadata lists ${meta.features.length} features but the network takes ${String(model.inputs[1]?.shape[1])}`, jsonPath);
  const outK = model.outputs[0].shape[1];
  if (outK !== meta.classes.length) throw new ModelError(`metadata lists ${meta.classes.length} classes but the network outputs ${String(outK)}`, jsonPath);
  const integer = await readIntegerModel(dir);
  return { model, meta, dir, ...(integer ? { integer } : {}) };
}

/** Size of a model directory's model.json + weights (bytes). */
export function modelSizeOnDisk(dir: string): number {
  return ['model.json', 'weights.bin'].reduce((a, f) => a + (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : 0), 0);
}
