/**
 * Saving and loading tfjs models as a directory (`model.json` + `weights.bin`) without `@tensorflow/tfjs-node`
 * (whose `file://` handler is unavailable when it is not installed), and moving a model between threads as
 * in-memory artifacts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from './tf.js';
import { EngineError } from './errors.js';

type ModelArtifacts = tf.io.ModelArtifacts;

/** IOHandler for `model.save(handler)` / `tf.loadLayersModel(handler)` backed by a directory. */
export function directoryHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: ModelArtifacts): Promise<tf.io.SaveResult> {
      await mkdir(dir, { recursive: true });
      const weights = concatWeightData(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights));
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<ModelArtifacts> {
      return readModelDirectory(dir);
    },
  };
}

/** Read `dir/model.json` and the weight files its manifest names into in-memory artifacts. */
export async function readModelDirectory(dir: string): Promise<ModelArtifacts> {
  const path = join(dir, 'model.json');
  let json: {
    modelTopology?: object; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string; generatedBy?: string; convertedBy?: string | null; trainingConfig?: tf.io.TrainingConfig;
    userDefinedMetadata?: { [key: string]: {} };
  };
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new EngineError(`cannot read model: ${(e as Error).message}`, path, { cause: e });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new EngineError('not a tfjs layers model (model.json lacks modelTopology or weightsManifest)', path);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try {
        parts.push(await readFile(join(dir, p)));
      } catch (e) {
        throw new EngineError(`weight file ${p} named in model.json is missing`, join(dir, p), { cause: e });
      }
    }
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: concatWeightData(parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer)),
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

/** The artifacts of an in-memory model (topology + weights), e.g. to hand to worker threads. */
export async function modelToArtifacts(model: tf.LayersModel): Promise<ModelArtifacts> {
  let captured: ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    captured = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  if (!captured) throw new EngineError('model.save produced no artifacts');
  return { ...captured, weightData: concatWeightData(captured.weightData) };
}

export function loadModelFromArtifacts(artifacts: ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

function concatWeightData(data: ModelArtifacts['weightData']): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (data instanceof ArrayBuffer) return data;
  const total = data.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}
