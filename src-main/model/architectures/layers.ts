/**
 * The custom layers of the beat classifiers, registered as serialisable classes. Every module that builds or
 * loads a model imports this one (architectures/index.ts and model/io.ts do), so `tf.loadLayersModel` can
 * rebuild them from model.json.
 */
import { tf } from '../engine/tf.js';
import type { Tensor } from '../engine/tf.js';

type Kwargs = Record<string, unknown>;
type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];
type Shape = (number | null)[];

/** A learned position embedding added to a token sequence [batch, tokens, dim]. */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'EcgPositionEmbedding';
  private pos!: tf.LayerVariable;
  constructor(private readonly cfg: LayerArgs & { seed?: number } = {}) { super(cfg); }
  build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    this.pos = this.addWeight('pos', [s[1] as number, s[2] as number], 'float32', tf.initializers.randomNormal({ stddev: 0.02, seed: this.cfg.seed }));
    this.built = true;
  }
  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => tf.add(Array.isArray(inputs) ? inputs[0] : inputs, this.pos.read()));
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.cfg.seed ?? null } as tf.serialization.ConfigDict;
  }
}

/**
 * Multi-head self-attention (Vaswani et al., "Attention is all you need", NeurIPS 2017) over [batch, tokens, dim],
 * with a fused QKV projection and an output projection.
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'EcgMultiHeadSelfAttention';
  readonly heads: number;
  readonly seed?: number;
  private wqkv!: tf.LayerVariable;
  private bqkv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;
  private bo!: tf.LayerVariable;
  constructor(cfg: LayerArgs & { heads: number; seed?: number }) {
    super(cfg);
    this.heads = cfg.heads;
    this.seed = cfg.seed;
  }
  build(inputShape: Shape | Shape[]): void {
    const d = (inputShape as Shape)[2] as number;
    if (d % this.heads) throw new Error(`attention width ${d} is not a multiple of ${this.heads} heads`);
    const init = (k: number) => tf.initializers.glorotUniform({ seed: this.seed === undefined ? undefined : this.seed + k });
    this.wqkv = this.addWeight('wqkv', [d, 3 * d], 'float32', init(0));
    this.bqkv = this.addWeight('bqkv', [3 * d], 'float32', tf.initializers.zeros());
    this.wo = this.addWeight('wo', [d, d], 'float32', init(1));
    this.bo = this.addWeight('bo', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      const h = this.heads;
      const dh = d / h;
      const x2 = tf.reshape(x, [b * t, d]) as tf.Tensor2D;
      const w = this.wqkv.read() as tf.Tensor2D;
      const bias = this.bqkv.read();
      // one projection per role (slicing the fused weights, not the activations): [b*t, d] → [b*h, t, dh]
      const proj = (r: number): tf.Tensor3D => {
        const y = tf.add(tf.matMul(x2, tf.slice(w, [0, r * d], [d, d])), tf.slice(bias, [r * d], [d]));
        return tf.reshape(tf.transpose(tf.reshape(y, [b, t, h, dh]), [0, 2, 1, 3]), [b * h, t, dh]);
      };
      const q = proj(0);
      const k = proj(1);
      const v = proj(2);
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
      const o = tf.matMul(att as tf.Tensor3D, v); // [b*h, t, dh]
      const merged = tf.reshape(tf.transpose(tf.reshape(o, [b, h, t, dh]), [0, 2, 1, 3]), [b * t, d]);
      return tf.reshape(tf.add(tf.matMul(merged as tf.Tensor2D, this.wo.read() as tf.Tensor2D), this.bo.read()), [b, t, d]);
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, seed: this.seed ?? null } as tf.serialization.ConfigDict;
  }
}

/**
 * Temporal attention pooling: a learned score per time step (tanh projection then a dot product), softmax over
 * time, and the weighted sum of the steps — the network learns which part of the beat (P wave, QRS, T) matters
 * (Bahdanau-style additive attention as used for ECG by e.g. Hong et al., "HOLMES", KDD 2020).
 */
export class AttentionPooling1D extends tf.layers.Layer {
  static className = 'EcgAttentionPooling1D';
  readonly units: number;
  readonly seed?: number;
  private w!: tf.LayerVariable;
  private b!: tf.LayerVariable;
  private u!: tf.LayerVariable;
  constructor(cfg: LayerArgs & { units: number; seed?: number }) {
    super(cfg);
    this.units = cfg.units;
    this.seed = cfg.seed;
  }
  build(inputShape: Shape | Shape[]): void {
    const d = (inputShape as Shape)[2] as number;
    this.w = this.addWeight('w', [d, this.units], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    this.b = this.addWeight('b', [this.units], 'float32', tf.initializers.zeros());
    this.u = this.addWeight('u', [this.units, 1], 'float32', tf.initializers.glorotUniform({ seed: this.seed === undefined ? undefined : this.seed + 1 }));
    this.built = true;
  }
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0], s[2]];
  }
  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      const hdn = tf.tanh(tf.add(tf.matMul(tf.reshape(x, [b * t, d]), this.w.read() as tf.Tensor2D), this.b.read()));
      const score = tf.reshape(tf.matMul(hdn as tf.Tensor2D, this.u.read() as tf.Tensor2D), [b, t]);
      const a = tf.expandDims(tf.softmax(score), 2);
      return tf.sum(tf.mul(x, a), 1);
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed ?? null } as tf.serialization.ConfigDict;
  }
}

/**
 * Layer normalisation over the last axis (Ba et al., 2016). Our own because tfjs-layers' version tiles and
 * slices per feature in its gradient, which made training the transformer ~20× slower on wasm.
 */
export class LayerNorm extends tf.layers.Layer {
  static className = 'EcgLayerNorm';
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  constructor(cfg: LayerArgs & { epsilon?: number } = {}) {
    super(cfg);
    this.epsilon = cfg.epsilon ?? 1e-5;
  }
  build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    const d = s[s.length - 1] as number;
    this.gamma = this.addWeight('gamma', [d], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const mean = tf.mean(x, -1, true);
      const c = tf.sub(x, mean);
      const v = tf.mean(tf.square(c), -1, true);
      return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(v, this.epsilon))), this.gamma.read()), this.beta.read());
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon } as tf.serialization.ConfigDict;
  }
}

/**
 * Combines the two experts' softmax outputs [N, S, V, F] hierarchically into one distribution:
 *   P(N) = (m_N + m_S) · r_N / (r_N + r_S),  P(S) = (m_N + m_S) · r_S / (r_N + r_S),  P(V) = m_V,  P(F) = m_F,
 * where m is the morphology expert and r the rhythm expert. The morphology expert decides supraventricular vs
 * ventricular vs fusion (what a waveform shows); the rhythm expert alone splits supraventricular beats into
 * normal and premature — a premature atrial beat usually has a normal QRS, so a waveform network can only tell
 * it apart by memorising training patients, which does not transfer to new ones (de Chazal 2004 relied on RR
 * features for S for the same reason). The output still sums to 1, so decision offsets, distillation and every
 * consumer of `probs` work unchanged. No weights.
 */
export class HierarchicalExperts extends tf.layers.Layer {
  static className = 'EcgHierarchicalExperts';
  /** Constants for K classes, made once: sums by matrix product (adding exact zeros keeps the sums bit-exact). */
  private consts: { k: number; sv: Tensor; ns: Tensor; keepNS: Tensor; keepVF: Tensor } | null = null;
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[0];
  }
  private constants(k: number) {
    if (!this.consts || this.consts.k !== k) {
      const ns = Array.from({ length: k }, (_, i) => (i < 2 ? 1 : 0));
      this.consts = {
        k,
        sv: tf.keep(tf.tensor2d(Array.from({ length: k * k }, (_, q) => (Math.floor(q / k) < 2 && q % k < 2 ? 1 : 0)), [k, k])), // m @ sv = [m_N+m_S, m_N+m_S, 0…]
        ns: tf.keep(tf.tensor2d(ns, [k, 1])), // r @ ns = r_N + r_S
        keepNS: tf.keep(tf.tensor2d(ns, [1, k])),
        keepVF: tf.keep(tf.tensor2d(ns.map((v) => 1 - v), [1, k])),
      };
    }
    return this.consts;
  }
  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const [r, m] = inputs as tf.Tensor2D[];
      const c = this.constants(m.shape[1]);
      // (r / (r_N + r_S)) · (m_N + m_S) in the N and S columns, m in the others: 7 kernels per call, which is
      // what single-beat latency on a watch pays.
      const split = tf.div(r, tf.maximum(tf.matMul(r, c.ns as tf.Tensor2D), 1e-12));
      return tf.add(tf.mul(split, tf.mul(tf.matMul(m, c.sv as tf.Tensor2D), c.keepNS)), tf.mul(m, c.keepVF));
    });
  }
}

for (const c of [PositionEmbedding, MultiHeadSelfAttention, AttentionPooling1D, LayerNorm, HierarchicalExperts]) tf.serialization.registerClass(c as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

export const CUSTOM_LAYERS_REGISTERED = true;
export type { Kwargs };
