/**
 * A model directory on disk in TensorFlow.js's own layers-model format (`model.json` + weight shards), read and
 * written without tfjs-node: `model.json` holds the topology and the weights manifest, whose entries may carry
 * `quantization: {dtype: 'uint8', scale, min}` or `{dtype: 'float16'}` exactly as tfjs-converter writes them, so
 * `tf.loadLayersModel` decodes them itself. A pruned model may instead keep its weights in the compact sparse
 * encoding of `sparse.ts` (`weights.sparse.bin`, announced by an `ecgReviewSparse` key in `model.json`); this
 * loader expands it. In that compact form the manifest still names `weights.bin`, which is absent, so a generic
 * runtime fails loudly instead of reading the sparse bytes as dense ones.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CompressError } from './errors.js';
import { decodeSparse, encodeSparse, SPARSE_ENCODING, type SparseTensorInfo } from './sparse.js';
import '../architectures/layers.js'; // registers the classifiers' custom layers for loading
import { tf } from './tf.js';

export type WeightsManifestEntry = tf.io.WeightsManifestEntry;
export type Quantization = 'uint8' | 'uint16' | 'float16';

export interface SparseIndex {
  encoding: typeof SPARSE_ENCODING;
  path: string;
  denseBytes: number;
  tensors: SparseTensorInfo[];
}

export interface ModelJson {
  format: 'layers-model';
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
  ecgReviewSparse?: SparseIndex;
  [k: string]: unknown;
}

/** What is in a model directory, weights as the dense tfjs buffer (still quantized if the files are). */
export interface ModelFiles {
  dir: string;
  json: ModelJson;
  specs: WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** The weight dtype the files store: null for plain float32. */
  quantization: Quantization | null;
  sparse: boolean;
}

export const MODEL_JSON = 'model.json';
export const DENSE_WEIGHTS = 'weights.bin';
export const SPARSE_WEIGHTS = 'weights.sparse.bin';

export function quantizationOf(specs: WeightsManifestEntry[]): Quantization | null {
  const q = specs.find((s) => s.quantization)?.quantization?.dtype;
  return (q as Quantization | undefined) ?? null;
}

export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const jsonPath = join(dir, MODEL_JSON);
  if (!existsSync(dir)) throw new CompressError('no such model directory', dir);
  if (!statSync(dir).isDirectory()) throw new CompressError(`is not a directory; a model is a directory holding ${MODEL_JSON} and its weights`, dir);
  if (!existsSync(jsonPath)) throw new CompressError(`is not a model directory (no ${MODEL_JSON})`, dir);
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new CompressError(`is not valid JSON: ${(e as Error).message}`, jsonPath);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new CompressError('is not a TensorFlow.js layers model (needs modelTopology and weightsManifest)', jsonPath);
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  let weightData: ArrayBuffer;
  const sparse = json.ecgReviewSparse;
  if (sparse) {
    if (sparse.encoding !== SPARSE_ENCODING) throw new CompressError(`unknown sparse weight encoding '${sparse.encoding}'`, jsonPath);
    const p = join(dir, sparse.path);
    if (!existsSync(p)) throw new CompressError(`sparse weight file ${sparse.path} is missing`, dir);
    try {
      weightData = decodeSparse(specs, sparse.tensors, new Uint8Array(await readFile(p)));
    } catch (e) {
      throw new CompressError(`corrupt sparse weights: ${(e as Error).message}`, p);
    }
  } else {
    const chunks: Uint8Array[] = [];
    for (const g of json.weightsManifest) {
      for (const path of g.paths) {
        const p = join(dir, path);
        if (!existsSync(p)) throw new CompressError(`weight file ${path} named in ${MODEL_JSON} is missing`, dir);
        chunks.push(new Uint8Array(await readFile(p)));
      }
    }
    const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
    let o = 0;
    for (const c of chunks) { all.set(c, o); o += c.length; }
    weightData = all.buffer;
  }
  return { dir, json, specs, weightData, quantization: quantizationOf(specs), sparse: !!sparse };
}

/** Build a tf.LayersModel from files already read: tfjs itself dequantizes the weights. */
export async function modelFromFiles(files: ModelFiles): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: files.json.modelTopology,
      weightSpecs: files.specs,
      weightData: files.weightData,
    }));
  } catch (e) {
    throw new CompressError(`TensorFlow.js cannot load the model: ${(e as Error).message}`, files.dir);
  }
}

/** Load a model directory as it runs: from disk, through tfjs's own weight decoding. */
export async function loadModelDir(dir: string): Promise<tf.LayersModel> {
  return modelFromFiles(await readModelFiles(dir));
}

export interface ModelArtifacts {
  modelTopology: object;
  specs: WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** Serialise a model in memory exactly as `model.save` would write it. */
export async function artifactsOf(model: tf.LayersModel): Promise<ModelArtifacts> {
  let out: ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
    out = { modelTopology: a.modelTopology as object, specs: a.weightSpecs ?? [], weightData: data };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out!;
}

export interface WriteOptions {
  /** Store weights in the compact sparse encoding (only the compact form is written). */
  sparse?: boolean;
  /** Extra top-level keys for model.json (e.g. userDefinedMetadata). */
  extra?: Record<string, unknown>;
}

/** Write a model directory; returns the files written (relative names). Other files in `dir` are left alone. */
export async function writeModelFiles(dir: string, a: ModelArtifacts, opts: WriteOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [DENSE_WEIGHTS], weights: a.specs }],
    ...opts.extra,
  };
  const files = [MODEL_JSON];
  if (opts.sparse) {
    const { data, tensors } = encodeSparse(a.specs, a.weightData);
    json.ecgReviewSparse = { encoding: SPARSE_ENCODING, path: SPARSE_WEIGHTS, denseBytes: a.weightData.byteLength, tensors };
    await writeFile(join(dir, SPARSE_WEIGHTS), data);
    files.push(SPARSE_WEIGHTS);
  } else {
    await writeFile(join(dir, DENSE_WEIGHTS), new Uint8Array(a.weightData));
    files.push(DENSE_WEIGHTS);
  }
  await writeFile(join(dir, MODEL_JSON), JSON.stringify(json));
  return files;
}

export interface DiskSize {
  /** model.json plus the weight files it uses. */
  bytes: number;
  /** The same files, each gzip -9'd (what an HTTP transfer or an archive costs). */
  gzipBytes: number;
  files: { name: string; bytes: number; gzipBytes: number }[];
  /** model.json plus every weight file present (a pruned model written with --keep-dense carries both forms). */
  directoryBytes: number;
}

/** Bytes on disk of the files a model directory needs to run (not its model card or reports). */
export async function diskSize(dir: string): Promise<DiskSize> {
  const { json } = await readModelFiles(dir);
  const names = [MODEL_JSON, ...(json.ecgReviewSparse ? [json.ecgReviewSparse.path] : json.weightsManifest.flatMap((g) => g.paths))];
  const files = [];
  for (const name of names) {
    const buf = await readFile(join(dir, name));
    files.push({ name, bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length });
  }
  let directoryBytes = 0;
  for (const name of new Set([...names, DENSE_WEIGHTS, SPARSE_WEIGHTS])) if (existsSync(join(dir, name))) directoryBytes += statSync(join(dir, name)).size;
  return { bytes: files.reduce((a, f) => a + f.bytes, 0), gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0), files, directoryBytes };
}

export async function isModelDir(dir: string): Promise<boolean> {
  try { return (await readdir(dir)).includes(MODEL_JSON); } catch { return false; }
}

/** Parameters and exactly-zero parameters of a model's weights (trainable and not). */
export function countParameters(model: tf.LayersModel): { parameters: number; nonZero: number } {
  let parameters = 0, nonZero = 0;
  for (const w of model.weights) {
    const v = w.read().dataSync();
    parameters += v.length;
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) nonZero++;
  }
  return { parameters, nonZero };
}
