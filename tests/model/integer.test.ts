/**
 * Integer-only inference (src-main/model/lite/integer.ts, integer-c.ts): the shipped `causal-student-integer` is
 * what its card's command makes from `causal-student` on DS1; it labels MIT-BIH beats as the float network does
 * (≥ 98.5 % of the decided labels of 100, 208 and 232); its C source, compiled with gcc, gives the same Q15
 * probabilities and decisions bit for bit; `classify` and the agent run it; and what it cannot run is refused by name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openRecording } from '../../src-main/formats/index.js';
import { classifyRecording, modelProbs } from '../../src-main/model/classify.js';
import { checkRequest } from '../../src-main/model/compress/compress.js';
import { readModelFiles } from '../../src-main/model/compress/model-files.js';
import { morphologyConsensus } from '../../src-main/model/consensus.js';
import { buildRecordBeats, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { loadLabelledRecords } from '../../src-main/model/dataset/mitdb.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { loadModel, RESOURCES_MODELS_DIR, type ModelMetadata } from '../../src-main/model/io.js';
import { constantBytes, decideQ15, integerModelC } from '../../src-main/model/lite/integer-c.js';
import { INTEGER_ENGINE, type Comparison } from '../../src-main/model/compress/compare.js';
import { readIntegerModel } from '../../src-main/model/lite/integer-files.js';
import { IntegerModel, INTEGER_RUNTIME, Q15, quantizeToIntegers, type IntegerModelSpec } from '../../src-main/model/lite/integer.js';
import { LiteModel } from '../../src-main/model/lite/model.js';
import { decide } from '../../src-main/model/train/train.js';
import { loadIntegerClassifier, INTEGER_BACKEND } from '../../src-agent/classifiers.js';
import { runCliCaptured } from '../helpers/cli.js';
import { describeMitdb, DS1, MITDB_DIR } from '../helpers/data.js';

const PARENT = 'resources/models/causal-student';
const DIR = join(RESOURCES_MODELS_DIR, 'causal-student-integer');

describeMitdb('integer-only inference', () => {
  let spec: IntegerModelSpec;
  let meta: ModelMetadata;
  let lite: LiteModel;
  let beats: BeatSet;
  let work: string;

  beforeAll(async () => {
    await initEngine({ prefer: 'wasm' });
    spec = JSON.parse(readFileSync(join(DIR, 'integer.json'), 'utf8')) as IntegerModelSpec;
    lite = LiteModel.fromFiles(await readModelFiles(PARENT));
    meta = lite.meta!;
    beats = await loadLabelledRecords(MITDB_DIR, ['100', '208', '232'], { window: meta.window });
    work = mkdtempSync(join(tmpdir(), 'ecg-integer-'));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("the shipped integer.json and C source are what quantizing causal-student on DS1 gives (the card's command)", async () => {
    const files = await readModelFiles(PARENT);
    const ds1 = await loadLabelledRecords(MITDB_DIR, DS1, { window: meta.window, ...(meta.trainingBeats ? { positions: meta.trainingBeats } : {}) });
    const again = quantizeToIntegers(files, { n: ds1.n, x: ds1.x, features: ds1.features, description: spec.calibration }, meta);
    expect(again).toEqual(spec);
    const c = integerModelC(spec);
    expect(c.header).toBe(readFileSync(join(DIR, 'ecg_model.h'), 'utf8'));
    expect(c.source).toBe(readFileSync(join(DIR, 'ecg_model.c'), 'utf8'));
    // int8 weights, one scale per output channel; every activation channel has an int8 zero point.
    for (const o of spec.ops) if (o.op === 'conv1d' || o.op === 'dense') expect(o.w.every((w) => Number.isInteger(w) && w >= -127 && w <= 127)).toBe(true);
    for (const t of spec.tensors) if (t.quant) expect(t.quant.zero.every((z) => Number.isInteger(z) && z >= -128 && z <= 127)).toBe(true);
  });

  it('labels the beats of MIT-BIH 100, 208 and 232 as the float network does, within its quantization error', () => {
    const im = new IntegerModel(spec);
    const pf = lite.predictBatch([beats.x, beats.features], beats.n), pi = im.predictSet(beats);
    const df = decide(pf, meta.decisionBias), di = decide(pi, meta.decisionBias);
    let agree = 0, diff = 0;
    for (let i = 0; i < beats.n; i++) if (df[i] === di[i]) agree++;
    for (let i = 0; i < pf.length; i++) diff += Math.abs(pf[i] - pi[i]);
    expect(agree / beats.n).toBeGreaterThanOrEqual(0.985);
    expect(diff / pf.length).toBeLessThan(0.01);
    // Q15 probabilities: integers out of 2^15 that sum to 2^15 within the rounding of four divisions.
    for (let i = 0; i < beats.n; i += 97) {
      const q = Array.from(pi.subarray(i * 4, i * 4 + 4), (p) => p * Q15);
      expect(q.every(Number.isInteger)).toBe(true);
      expect(Math.abs(q.reduce((a, b) => a + b, 0) - Q15)).toBeLessThanOrEqual(4);
    }
  });

  it('its C source, compiled with gcc, gives the same Q15 probabilities and integer decisions bit for bit', () => {
    writeFileSync(join(work, 'main.c'), `#include <stdio.h>
#include "ecg_model.h"
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *f = fopen(argv[1], "rb"), *o = fopen(argv[2], "wb");
  int n; float w[ECG_MODEL_WINDOW], x[ECG_MODEL_FEATURES]; int8_t wq[ECG_MODEL_WINDOW], xq[ECG_MODEL_FEATURES]; int32_t p[ECG_MODEL_CLASSES + 1];
  if (!f || !o || fread(&n, 4, 1, f) != 1) return 1;
  for (int i = 0; i < n; i++) {
    if (fread(w, 4, ECG_MODEL_WINDOW, f) != ECG_MODEL_WINDOW || fread(x, 4, ECG_MODEL_FEATURES, f) != ECG_MODEL_FEATURES) return 1;
    ecg_model_quantize(w, x, wq, xq);
    ecg_model_run(wq, xq, p);
    p[ECG_MODEL_CLASSES] = ecg_model_decide(p);
    fwrite(p, 4, ECG_MODEL_CLASSES + 1, o);
  }
  fclose(o);
  return 0;
}
`);
    for (const f of ['ecg_model.h', 'ecg_model.c']) writeFileSync(join(work, f), readFileSync(join(DIR, f)));
    // Strict C99 with every warning an error: what a microcontroller toolchain would accept.
    execFileSync('gcc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-pedantic', '-Werror', '-o', join(work, 'run'), join(work, 'main.c'), join(work, 'ecg_model.c')]);
    const W = beats.length * beats.channels, F = beats.features.length / beats.n;
    const input = new Float32Array(1 + beats.n * (W + F));
    new Int32Array(input.buffer)[0] = beats.n;
    for (let i = 0; i < beats.n; i++) {
      input.set(beats.x.subarray(i * W, (i + 1) * W), 1 + i * (W + F));
      input.set(beats.features.subarray(i * F, (i + 1) * F), 1 + i * (W + F) + W);
    }
    writeFileSync(join(work, 'in.bin'), input);
    execFileSync(join(work, 'run'), [join(work, 'in.bin'), join(work, 'out.bin')]);
    const got = new Int32Array(readFileSync(join(work, 'out.bin')).buffer.slice(0));
    expect(got.length).toBe(beats.n * 5);
    const im = new IntegerModel(spec);
    let same = 0, decided = 0;
    for (let i = 0; i < beats.n; i++) {
      const q = im.predictQ15([beats.x.subarray(i * W, (i + 1) * W), beats.features.subarray(i * F, (i + 1) * F)]);
      if (Array.from(q).every((v, k) => v === got[i * 5 + k])) same++;
      if (decideQ15(spec, q) === got[i * 5 + 4]) decided++;
    }
    expect([same, decided]).toEqual([beats.n, beats.n]);
  });

  it('classify, the app and the device agent run the integer form of a directory that has one', async () => {
    const loaded = await loadModel(DIR);
    expect(loaded.integer).toBeDefined();
    const src = await openRecording(join(MITDB_DIR, '208'));
    try {
      const set = await buildRecordBeats(src, { samples: (await classifyRecording(src, [loaded], { beats: 'atr' })).samples }, { window: meta.window });
      const probs = modelProbs(loaded, set);
      expect(probs).toEqual(new IntegerModel(spec).predictSet(set));
      const c = await classifyRecording(src, [loaded], { beats: 'atr' });
      expect(c.probabilities).toEqual(morphologyConsensus(probs, set, meta.window, meta.consensus!));
      expect(c.predicted).toEqual(decide(c.probabilities, meta.decisionBias));
      await expect(classifyRecording(src, [loaded], { beats: 'atr', adapt: { seconds: 60, annotator: 'atr' } })).rejects.toThrow(/is an integer-only model: adapt its float parent/);
    } finally {
      await src.close();
      loaded.model.dispose();
    }
    // The CLI names the runtime that made the probabilities.
    const cli = await runCliCaptured('classify', join(MITDB_DIR, '100'), '--model', DIR, '--beats', 'atr', '--format', 'json', '--out', join(work, '100.json'));
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain(`backend ${INTEGER_RUNTIME}:`);
    expect(JSON.parse(readFileSync(join(work, '100.json'), 'utf8')).backend).toBe(INTEGER_RUNTIME);
    // compare times the integer runtime in its lite column and reports the integer form's own size.
    const cmp = await runCliCaptured('compare', DIR, '--eval', '100', '--data', MITDB_DIR, '--backends', 'lite', '--latency-runs', '3', '--json');
    expect(cmp.code, cmp.stderr).toBe(0);
    const row = (JSON.parse(cmp.stdout) as Comparison).models[0];
    expect(row.lite!.engine).toBe(INTEGER_ENGINE);
    expect(row.integer).toEqual({ jsonBytes: readFileSync(join(DIR, 'integer.json')).length, gzipBytes: expect.any(Number), constantBytes: constantBytes(spec) });
    expect(row.evaluation!.calibration!.beats).toBeGreaterThan(2000);
    const agent = (await loadIntegerClassifier(DIR))!;
    expect(agent.backend).toBe(INTEGER_BACKEND);
    const r = agent.classify(beats);
    expect(r.probabilities).toEqual(new IntegerModel(spec).predictSet(beats));
    expect(await loadIntegerClassifier(PARENT)).toBeNull();
  });

  it('refuses, by name, a layer it does not run, no calibration beats, a foreign integer.json, and a second integer step', async () => {
    const attention = await readModelFiles(join(RESOURCES_MODELS_DIR, 'attention'));
    expect(() => quantizeToIntegers(attention, { n: 1, x: new Float32Array(0), features: new Float32Array(0), description: '' }, meta)).toThrow(/integer-only inference: layer '[^']+' is a \w+; integer-only inference runs Conv1D/);
    const files = await readModelFiles(PARENT);
    expect(() => quantizeToIntegers(files, { n: 0, x: new Float32Array(0), features: new Float32Array(0), description: '' }, meta)).toThrow(/no calibration beats/);
    expect(() => quantizeToIntegers(files, { n: 2, x: new Float32Array(10), features: new Float32Array(22), description: '' }, meta)).toThrow(/input \w+ needs \d+ calibration values for 2 beats, got 10/);
    expect(() => new IntegerModel({ ...spec, version: 99 })).toThrow(/is not an integer model of format ecg-review-integer v1 \(got ecg-review-integer v99\)/);
    // A damaged integer.json fails when it is read, naming what is wrong, rather than computing something else.
    const damaged = (f: (s: IntegerModelSpec) => void): IntegerModelSpec => { const c = structuredClone(spec); f(c); return c; };
    const conv = (s: IntegerModelSpec) => s.ops.find((o) => o.op === 'conv1d') as Extract<IntegerModelSpec['ops'][number], { op: 'conv1d' }>;
    expect(() => new IntegerModel(damaged((s) => { conv(s).w.pop(); }))).toThrow(/integer.json: op conv1 weights must be \d+ integers in \[-127, 127\]/);
    expect(() => new IntegerModel(damaged((s) => { conv(s).out = 999; }))).toThrow(/integer.json: op conv1 names tensor 999, and there are \d+/);
    expect(() => new IntegerModel(damaged((s) => { (s.ops[0] as { op: string }).op = 'lstm'; }))).toThrow(/is a 'lstm', which the integer runtime does not run/);
    expect(() => new IntegerModel(damaged((s) => { s.tensors[s.inputs[0].tensor].quant!.zero[0] = 300; }))).toThrow(/zero points must be \d+ integers in \[-128, 127\]/);
    writeFileSync(join(work, 'integer.json'), '{ not json');
    await expect(readIntegerModel(work)).rejects.toThrow(/integer.json is not valid JSON/);
    await expect(checkRequest({ model: DIR, out: join(work, 'again'), op: { kind: 'integer' }, dataDir: MITDB_DIR })).rejects.toThrow(/already has an integer form \(integer.json\); give the model it was made from/);
  });
});
