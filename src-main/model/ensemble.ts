/**
 * A seed ensemble saved as ONE ordinary tfjs LayersModel: the members' graphs side by side on shared inputs,
 * their `probs` outputs averaged. Every consumer (classify, the app, the device agent, compression) loads it like
 * any other model; nothing needs to know it is an ensemble. Built by rewriting the members' saved topologies
 * (layer and weight names prefixed `m<i>_`, inputs shared), so it works for every architecture, custom layers
 * included, and the weights are the members' bytes unchanged.
 */
import './architectures/layers.js';
import { tf } from './engine/tf.js';
import type { LayersModel } from './engine/tf.js';
import { ModelError } from './errors.js';

interface LayerJson { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[] }
interface TopologyJson { class_name: string; config: { name: string; layers: LayerJson[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] }; [k: string]: unknown }

async function artifactsOf(model: LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => { out = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return out!;
}

/** Rename every layer reference in inbound_nodes (nested arrays of [layerName, nodeIndex, tensorIndex, kwargs]). */
function renameRefs(node: unknown, rename: (n: string) => string): unknown {
  if (!Array.isArray(node)) return node;
  if (typeof node[0] === 'string' && typeof node[1] === 'number') return [rename(node[0]), ...node.slice(1)];
  return node.map((n) => renameRefs(n, rename));
}

export const ENSEMBLE_OUTPUT = 'probs';

/** Merge trained members (same inputs and classes) into one model whose output is the mean of theirs. */
export async function mergeEnsemble(members: LayersModel[], name = 'ensemble'): Promise<LayersModel> {
  if (members.length < 2) throw new ModelError(`an ensemble needs at least two members, got ${members.length}`);
  const arts = await Promise.all(members.map(artifactsOf));
  const first = arts[0].modelTopology as TopologyJson;
  const inputs = first.config.input_layers.map(([n]) => n);
  const layers: LayerJson[] = [];
  const outputs: string[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  arts.forEach((a, i) => {
    const topo = a.modelTopology as TopologyJson;
    const ins = topo.config.input_layers.map(([n]) => n);
    if (ins.join() !== inputs.join()) throw new ModelError(`ensemble member ${i + 1} has inputs ${ins.join(', ')}, the first has ${inputs.join(', ')}`);
    if (topo.config.output_layers.length !== 1) throw new ModelError(`ensemble member ${i + 1} has ${topo.config.output_layers.length} outputs; one is needed`);
    const rename = (n: string): string => (ins.includes(n) ? n : `m${i + 1}_${n}`);
    for (const l of topo.config.layers) {
      if (l.class_name === 'InputLayer') {
        if (i === 0) layers.push(l);
        continue;
      }
      const nn = rename(l.name);
      layers.push({ ...l, name: nn, config: { ...l.config, name: nn }, inbound_nodes: renameRefs(l.inbound_nodes, rename) as unknown[] });
    }
    outputs.push(rename(topo.config.output_layers[0][0]));
    for (const s of a.weightSpecs ?? []) specs.push({ ...s, name: rename(s.name.slice(0, s.name.indexOf('/'))) + s.name.slice(s.name.indexOf('/')) });
    buffers.push(a.weightData as ArrayBuffer);
  });
  layers.push({ name: ENSEMBLE_OUTPUT, class_name: 'Average', config: { name: ENSEMBLE_OUTPUT, trainable: true }, inbound_nodes: [outputs.map((o) => [o, 0, 0, {}])] });
  const topology = { ...first, config: { name, layers, input_layers: first.config.input_layers, output_layers: [[ENSEMBLE_OUTPUT, 0, 0]] } };
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) { data.set(new Uint8Array(b), o); o += b.byteLength; }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: data.buffer }));
}
