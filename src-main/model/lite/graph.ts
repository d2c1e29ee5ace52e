/**
 * A tfjs layers-model topology (model.json `modelTopology`, functional or sequential) compiled into a flat list of
 * steps over buffers allocated once: the order is fixed at load, so a prediction is a plain loop with no graph
 * walk, no shape checks and no allocation.
 */
import type { DecodedWeight } from './weights.js';
import { BUILDERS, type LayerContext, type LayerSpec, type Value } from './layers.js';

export interface CompiledGraph {
  inputs: { name: string; value: Value }[];
  output: Value;
  steps: (() => void)[];
}

export interface LayerJson {
  class_name?: unknown;
  name?: unknown;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

type Fail = (message: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The per-example input shape from an InputLayer's (or a sequential model's first layer's) batch_input_shape. */
export function inputShape(cfg: Record<string, unknown>, name: string, fail: Fail): number[] {
  const s = cfg.batch_input_shape ?? cfg.batchInputShape;
  if (!Array.isArray(s) || s.length < 2 || !s.slice(1).every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)) {
    fail(`input '${name}' has shape ${JSON.stringify(s)}; the lite runtime needs every non-batch dimension fixed`);
  }
  if (cfg.dtype !== undefined && cfg.dtype !== 'float32') fail(`input '${name}' has dtype ${String(cfg.dtype)}; only float32`);
  return (s as number[]).slice(1);
}

/** Names of the layers feeding a functional layer (one call of it, first output of each source). */
function inboundOf(l: LayerJson, name: string, fail: Fail): string[] {
  const nodes = l.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) fail(`layer '${name}' is called ${nodes.length} times (a shared layer); not supported`);
  const refs = nodes[0];
  if (!Array.isArray(refs)) fail(`layer '${name}' has inbound_nodes in an unknown form`);
  return refs.map((r: unknown) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || (r[1] ?? 0) !== 0 || (r[2] ?? 0) !== 0) fail(`layer '${name}' has an inbound reference ${JSON.stringify(r)} the lite runtime does not follow`);
    return r[0] as string;
  });
}

export interface Parsed {
  layers: Map<string, { json: LayerJson; inbound: string[] }>;
  inputNames: string[];
  outputName: string;
}

export function parseTopology(topology: unknown, fail: Fail): Parsed {
  if (!isObject(topology) || !isObject(topology.config) && !Array.isArray(topology.config)) fail('model.json has no modelTopology config');
  const t = topology as { class_name?: unknown; config: unknown };
  const layers = new Map<string, { json: LayerJson; inbound: string[] }>();
  if (t.class_name === 'Model' || t.class_name === 'Functional') {
    const c = t.config as Record<string, unknown>;
    if (!Array.isArray(c.layers)) fail('model topology has no layers');
    for (const l of c.layers as LayerJson[]) {
      const name = typeof l.name === 'string' ? l.name : String(l.config?.name);
      layers.set(name, { json: l, inbound: inboundOf(l, name, fail) });
    }
    const refs = (key: string) => (Array.isArray(c[key]) ? (c[key] as unknown[]) : []).map((r) => (Array.isArray(r) ? String(r[0]) : ''));
    const outputs = refs('output_layers');
    if (outputs.length !== 1) fail(`model has ${outputs.length} outputs; the lite runtime runs single-output classifiers`);
    return { layers, inputNames: refs('input_layers'), outputName: outputs[0] };
  }
  if (t.class_name === 'Sequential') {
    const list = (Array.isArray(t.config) ? t.config : (t.config as Record<string, unknown>).layers) as LayerJson[] | undefined;
    if (!Array.isArray(list) || list.length === 0) fail('sequential model has no layers');
    const first = list[0];
    const inputName = first.class_name === 'InputLayer' ? String(first.config?.name) : 'input';
    if (first.class_name !== 'InputLayer') layers.set(inputName, { json: { class_name: 'InputLayer', config: first.config }, inbound: [] });
    let prev = '';
    for (const l of list) {
      const name = String(l.config?.name);
      layers.set(name, { json: l, inbound: l.class_name === 'InputLayer' ? [] : [prev || inputName] });
      prev = name;
    }
    return { layers, inputNames: [inputName], outputName: prev };
  }
  return fail(`model topology is a ${String(t.class_name)}; the lite runtime reads functional and sequential layers models`);
}

export function compileGraph(topology: unknown, weights: ReadonlyMap<string, DecodedWeight>, fail: Fail): CompiledGraph {
  const { layers, inputNames, outputName } = parseTopology(topology, fail);
  const values = new Map<string, Value>();
  const inputs: CompiledGraph['inputs'] = [];
  for (const name of inputNames) {
    const l = layers.get(name);
    if (!l || l.json.class_name !== 'InputLayer') fail(`model input '${name}' is not an InputLayer`);
    const v: Value = { shape: inputShape(l.json.config ?? {}, name, fail), data: new Float32Array(0) };
    v.data = new Float32Array(v.shape.reduce((a, b) => a * b, 1));
    values.set(name, v);
    inputs.push({ name, value: v });
  }
  const used = new Set<string>();
  const steps: (() => void)[] = [];
  const visiting = new Set<string>();
  // Depth-first from the output, so only what the output needs is built, each layer once, in dependency order.
  const build = (name: string): Value => {
    const done = values.get(name);
    if (done) return done;
    const l = layers.get(name);
    if (!l) return fail(`layer '${name}' is referenced but not defined`);
    if (visiting.has(name)) return fail(`layer '${name}' is part of a cycle`);
    const className = String(l.json.class_name);
    if (className === 'InputLayer') return fail(`InputLayer '${name}' is not among the model's inputs`);
    const builder = BUILDERS[className];
    if (!builder) return fail(`layer '${name}' is a ${className}, which the lite runtime does not support (it runs ${Object.keys(BUILDERS).join(', ')})`);
    visiting.add(name);
    const ins = l.inbound.map(build);
    visiting.delete(name);
    const spec: LayerSpec = { className, name, config: l.json.config ?? {} };
    const ctx: LayerContext = {
      weight: (suffix, shape) => {
        const key = `${name}/${suffix}`;
        const w = weights.get(key);
        if (!w) return fail(`weight ${key} of ${className} layer '${name}' is missing from the manifest`);
        if (w.shape.join() !== shape.join()) return fail(`weight ${key} has shape [${w.shape}], the layer needs [${shape}]`);
        used.add(key);
        return w.values;
      },
      fail,
    };
    const built = builder(spec, ins, ctx);
    if (built.step) steps.push(built.step);
    values.set(name, built.out);
    return built.out;
  };
  const output = build(outputName);
  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length) fail(`weights ${unused.join(', ')} are not used by any layer the lite runtime built; refusing rather than ignoring them`);
  return { inputs, output, steps };
}
