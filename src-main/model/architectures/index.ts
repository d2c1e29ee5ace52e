/**
 * The three beat-classifier architectures, all two-input tfjs LayersModels — `beat` [length, channels] and
 * `features` [featureCount] (RR + template features, concatenated before the classifier head) — with a softmax
 * over MODEL_CLASSES. All are small enough for a Raspberry Pi or a watch (parameter counts in `describe`).
 */
import { tf } from '../engine/tf.js';
import type { LayersModel } from '../engine/tf.js';
import { AttentionPooling1D, HierarchicalExperts, LayerNorm, MultiHeadSelfAttention, PositionEmbedding } from './layers.js';

export const ARCHITECTURES = ['cnn', 'attention', 'transformer'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export function isArchitecture(s: string): s is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(s);
}

export interface ArchitectureInput {
  length: number;
  channels: number;
  features: number;
  classes: number;
  seed: number;
}

type SymT = tf.SymbolicTensor;

function seedGen(seed: number): () => number {
  let k = 0;
  return () => seed * 1000 + ++k;
}

function conv(x: SymT, filters: number, kernel: number, next: () => number, name: string): SymT {
  return tf.layers.conv1d({ filters, kernelSize: kernel, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: next() }), name }).apply(x) as SymT;
}

/**
 * Classifier head, two experts combined hierarchically (`HierarchicalExperts`):
 *  - a rhythm expert that sees only the RR + template features (dense 32 → 32 → softmax), and
 *  - a morphology expert: beat embedding ⊕ a projection of the features → dense → softmax.
 * Each expert has its own loss in training (see train.ts, `EXPERT_OUTPUTS`). The model's output takes
 * supraventricular vs ventricular vs fusion from the morphology expert and normal vs premature (N vs S) from the
 * rhythm expert.
 * Why: a network that sees the waveform can lower its training loss by memorising each training patient's
 * ectopic morphology (209's supraventricular runs are not premature), and then misses the S beats of new
 * patients; the rhythm expert cannot memorise morphology, so it has to learn prematurity, which transfers.
 * The embedding also gets heavy dropout for the same reason.
 */
function head(embedding: SymT, features: SymT, a: ArchitectureInput, next: () => number): SymT {
  const dense = (x: SymT, units: number, name: string, activation: 'relu' | 'softmax' = 'relu'): SymT =>
    tf.layers.dense({ units, activation, kernelInitializer: activation === 'relu' ? tf.initializers.heNormal({ seed: next() }) : tf.initializers.glorotUniform({ seed: next() }), name }).apply(x) as SymT;
  embedding = tf.layers.dropout({ rate: 0.5, seed: next(), name: 'emb_dropout' }).apply(embedding) as SymT;
  const f = dense(features, 16, 'feat_dense');
  const z = tf.layers.concatenate({ name: 'join' }).apply([embedding, f, features]) as SymT;
  const h = dense(z, 32, 'head_dense');
  const d = tf.layers.dropout({ rate: 0.3, seed: next(), name: 'head_dropout' }).apply(h) as SymT;
  const morph = dense(d, a.classes, EXPERT_OUTPUTS[1], 'softmax');
  const r = dense(dense(features, 32, 'rhythm_dense1'), 32, 'rhythm_dense2');
  const rhythm = dense(r, a.classes, EXPERT_OUTPUTS[0], 'softmax');
  return new HierarchicalExperts({ name: 'probs' }).apply([rhythm, morph]) as SymT;
}

/** Names of the two experts' softmax layers; the trainer puts a loss on each. */
export const EXPERT_OUTPUTS = ['probs_rhythm', 'probs_morph'] as const;

function inputs(a: ArchitectureInput): [SymT, SymT] {
  return [tf.input({ shape: [a.length, a.channels], name: 'beat' }), tf.input({ shape: [a.features], name: 'features' })];
}

/** Baseline 1-D CNN: three conv/pool stages, flattened, ~20 k parameters. */
export function buildCnn(a: ArchitectureInput): LayersModel {
  const next = seedGen(a.seed);
  const [beat, feats] = inputs(a);
  let x = conv(beat, 8, 7, next, 'c1');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'p1' }).apply(x) as SymT;
  x = conv(x, 16, 5, next, 'c2');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'p2' }).apply(x) as SymT;
  x = conv(x, 16, 5, next, 'c3');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'p3' }).apply(x) as SymT;
  x = tf.layers.flatten({ name: 'flat' }).apply(x) as SymT;
  x = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: next() }), name: 'emb' }).apply(x) as SymT;
  return tf.model({ inputs: [beat, feats], outputs: head(x, feats, a, next), name: 'cnn' });
}

/** Squeeze-and-excitation channel attention (Hu et al., CVPR 2018), from built-in layers only. */
function squeezeExcite(x: SymT, channels: number, next: () => number, name: string): SymT {
  let s = tf.layers.globalAveragePooling1d({ name: `${name}_squeeze` }).apply(x) as SymT;
  s = tf.layers.dense({ units: Math.max(2, channels >> 2), activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: next() }), name: `${name}_reduce` }).apply(s) as SymT;
  s = tf.layers.dense({ units: channels, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: next() }), name: `${name}_excite` }).apply(s) as SymT;
  s = tf.layers.reshape({ targetShape: [1, channels], name: `${name}_shape` }).apply(s) as SymT;
  return tf.layers.multiply({ name: `${name}_scale` }).apply([x, s]) as SymT;
}

/** CNN with squeeze-excitation after each conv stage and temporal attention pooling instead of flattening. */
export function buildAttention(a: ArchitectureInput): LayersModel {
  const next = seedGen(a.seed);
  const [beat, feats] = inputs(a);
  let x = conv(beat, 8, 7, next, 'c1');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'p1' }).apply(x) as SymT;
  x = conv(x, 16, 5, next, 'c2');
  x = squeezeExcite(x, 16, next, 'se2');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'p2' }).apply(x) as SymT;
  x = conv(x, 32, 5, next, 'c3');
  x = squeezeExcite(x, 32, next, 'se3');
  x = new AttentionPooling1D({ units: 16, seed: next(), name: 'att_pool' }).apply(x) as SymT;
  return tf.model({ inputs: [beat, feats], outputs: head(x, feats, a, next), name: 'attention' });
}

/**
 * CNN–Transformer hybrid (ViT-style, Dosovitskiy et al., ICLR 2021): a convolutional stem turns the beat into
 * 15 patch tokens of width 32, plus learned position embeddings; one pre-norm encoder block (2-head
 * self-attention + MLP, residuals, layer norm); the mean token feeds the head.
 */
export function buildTransformer(a: ArchitectureInput): LayersModel {
  const next = seedGen(a.seed);
  const [beat, feats] = inputs(a);
  const D = 32;
  let x = conv(beat, 16, 7, next, 'stem1');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'sp1' }).apply(x) as SymT;
  x = conv(x, D, 5, next, 'stem2');
  x = tf.layers.maxPooling1d({ poolSize: 2, name: 'sp2' }).apply(x) as SymT;
  // patch embedding: non-overlapping patches of 2 steps → tokens
  x = tf.layers.conv1d({ filters: D, kernelSize: 2, strides: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: next() }), name: 'patch' }).apply(x) as SymT;
  x = new PositionEmbedding({ seed: next(), name: 'pos' }).apply(x) as SymT;
  let h = new LayerNorm({ name: 'ln1' }).apply(x) as SymT;
  h = new MultiHeadSelfAttention({ heads: 2, seed: next(), name: 'mhsa' }).apply(h) as SymT;
  x = tf.layers.add({ name: 'res1' }).apply([x, h]) as SymT;
  h = new LayerNorm({ name: 'ln2' }).apply(x) as SymT;
  h = tf.layers.dense({ units: 2 * D, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: next() }), name: 'mlp1' }).apply(h) as SymT;
  h = tf.layers.dense({ units: D, kernelInitializer: tf.initializers.glorotUniform({ seed: next() }), name: 'mlp2' }).apply(h) as SymT;
  x = tf.layers.add({ name: 'res2' }).apply([x, h]) as SymT;
  x = new LayerNorm({ name: 'ln3' }).apply(x) as SymT;
  x = tf.layers.globalAveragePooling1d({ name: 'token_pool' }).apply(x) as SymT;
  return tf.model({ inputs: [beat, feats], outputs: head(x, feats, a, next), name: 'transformer' });
}

export function buildModel(arch: Architecture, a: ArchitectureInput): LayersModel {
  switch (arch) {
    case 'cnn': return buildCnn(a);
    case 'attention': return buildAttention(a);
    case 'transformer': return buildTransformer(a);
  }
}
