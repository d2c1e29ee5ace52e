/**
 * Pruning, distillation, quantization and the `compress` command on a model trained on real MIT-BIH beats
 * (a few hundred beats of records 119 and 209, see fixture.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main.js';
import { compressModel } from '../../../src-main/model/compress/compress.js';
import { buildStudent, distill } from '../../../src-main/model/compress/distill.js';
import { CompressError } from '../../../src-main/model/compress/errors.js';
import { balancedClassWeights, predictProbabilities } from '../../../src-main/model/compress/fit.js';
import { artifactsOf, diskSize, loadModelDir, readModelFiles, writeModelFiles } from '../../../src-main/model/compress/model-files.js';
import { fineTune, measureSparsity, prunableWeights, pruneStructured, pruneUnstructured } from '../../../src-main/model/compress/prune.js';
import { trainingSetOf } from '../../../src-main/model/compress/tensors.js';
import type { BeatSet } from '../../../src-main/model/dataset/beats.js';
import { tf } from '../../../src-main/model/engine/tf.js';
import { describeMitdb, MITDB_DIR } from '../../helpers/data.js';
import { capture, FIXTURE_RECORDS, fixtureBeats, fixtureModelDir } from './fixture.js';


function agreement(a: Float32Array, b: Float32Array, k = 4): number {
  let same = 0;
  const n = a.length / k;
  const arg = (p: Float32Array, i: number): number => { let m = 0; for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + m]) m = c; return m; };
  for (let i = 0; i < n; i++) if (arg(a, i) === arg(b, i)) same++;
  return same / n;
}

describeMitdb('model compression on MIT-BIH beats', () => {
  let beats: BeatSet;
  let dir: string;
  let work: string;
  const train = FIXTURE_RECORDS.join(',');

  beforeAll(async () => {
    beats = await fixtureBeats();
    ({ dir } = await fixtureModelDir(beats));
    work = mkdtempSync(join(tmpdir(), 'ecg-compress-test-'));
  });

  afterAll(() => {
    for (const d of [work, dirname(dir)]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('gradual pruning to 80 % leaves ≥ 80 % zeros after fine-tuning and after save/load, in a smaller file', async () => {
    const model = await loadModelDir(dir);
    const data = trainingSetOf(beats, model);
    const report = await pruneUnstructured(model, data, { sparsity: 0.8, epochs: 2, batchSize: 64, classWeights: balancedClassWeights(data.labels, 4) });
    expect(report.weights.length).toBe(prunableWeights(model).length);
    for (const w of report.weights) expect(w.zeros / w.size).toBeGreaterThanOrEqual(0.8 - 1 / w.size);
    expect(report.sparsity).toBeGreaterThanOrEqual(0.799);
    const a = await artifactsOf(model);
    const denseDir = join(work, 'p80-dense'), sparseDir = join(work, 'p80');
    await writeModelFiles(denseDir, a);
    await writeModelFiles(sparseDir, a, { sparse: true });
    const reloaded = await loadModelDir(sparseDir);
    const after = measureSparsity(reloaded);
    after.weights.forEach((w, i) => expect(w.zeros).toBe(report.weights[i].zeros));
    expect(after.sparsity).toBeGreaterThanOrEqual(0.799);
    // Same predictions after the round trip through the compact encoding.
    const p1 = predictProbabilities(model, data.inputs), p2 = predictProbabilities(reloaded, data.inputs);
    expect(Array.from(p2)).toEqual(Array.from(p1));
    const dense = await diskSize(denseDir), sparse = await diskSize(sparseDir);
    expect(sparse.bytes).toBeLessThan(dense.bytes * 0.6);
    expect(sparse.gzipBytes).toBeLessThan(dense.gzipBytes);
    tf.dispose(data.inputs);
  });

  it('structured pruning rebuilds smaller layers that keep the kept filters\' function', async () => {
    const model = await loadModelDir(dir);
    const { model: small, report } = await pruneStructured(model, 0.5);
    expect(report.layers.map((l) => l.name)).toEqual(expect.arrayContaining(['c1', 'c2', 'c3']));
    for (const l of report.layers) expect(l.after).toBe(Math.ceil(l.before / 2));
    expect(small.countParams()).toBeLessThan(model.countParams() * 0.5);
    expect((small.getLayer('c2').getWeights()[0]).shape).toEqual([5, 4, 8]);
    // With ratio 0 nothing is removed: structured pruning is then the identity and must say so.
    await expect(pruneStructured(model, 0)).rejects.toThrow(CompressError);
    // Removing half the units of every hidden layer breaks the small rhythm expert (which alone splits N from S),
    // so the unpruned output differs; two epochs of fine-tuning from the parent bring it back to the parent's labels.
    const data = trainingSetOf(beats, model);
    const parent = predictProbabilities(model, data.inputs);
    const before = agreement(parent, predictProbabilities(small, data.inputs));
    await fineTune(small, data, { epochs: 2, batchSize: 64, learningRate: 3e-3, parent: model });
    const after = agreement(parent, predictProbabilities(small, data.inputs));
    expect(after).toBeGreaterThan(0.9);
    expect(after).toBeGreaterThan(before);
    tf.dispose(data.inputs);
  });

  it('distillation trains a tiny student from the teacher (loss falls) and warns when the student is not smaller', async () => {
    const teacher = await loadModelDir(dir);
    const data = trainingSetOf(beats, teacher);
    const student = buildStudent('tiny-cnn', teacher);
    expect(student.countParams()).toBeLessThan(teacher.countParams() / 3);
    const warnings: string[] = [];
    const { losses } = await distill(teacher, student, data, { epochs: 4, batchSize: 64, learningRate: 3e-3, warn: (m) => warnings.push(m) });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(warnings).toEqual([]);
    const reverse: string[] = [];
    await distill(student, teacher, data, { epochs: 0, warn: (m) => reverse.push(m) });
    expect(reverse[0]).toMatch(/not smaller than the teacher/);
    // Student agrees with the teacher on most beats.
    expect(agreement(predictProbabilities(teacher, data.inputs), predictProbabilities(student, data.inputs))).toBeGreaterThan(0.8);
    tf.dispose(data.inputs);
  });

  it('compress --quantize uint8 writes a standard tfjs model that tf.loadLayersModel reads from the raw files', async () => {
    const out = join(work, 'q8');
    const io = capture();
    const code = await runCli(['compress', '--model', dir, '--quantize', 'uint8', '--out', out, '--eval', '100', '--data', MITDB_DIR, '--json'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const card = JSON.parse(io.stdout);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    for (const w of json.weightsManifest[0].weights) expect(w.quantization).toMatchObject({ dtype: 'uint8' });
    expect(card.sizeOnDiskBytes).toBe((await diskSize(out)).bytes);
    expect(card.compression.at(-1)).toMatchObject({ kind: 'quantize', dtype: 'uint8' });
    expect(card.parent.dir).toBe(dir);
    expect(card.command).toMatch(/^ecg-review compress --model .* --quantize uint8 --out /);
    // A generic loader: model.json + weights.bin as stored, no ecg-review code involved.
    const generic = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(readFileSync(join(out, 'weights.bin'))).buffer,
    }));
    const float = await loadModelDir(dir);
    const data = trainingSetOf(beats, float);
    expect(agreement(predictProbabilities(float, data.inputs), predictProbabilities(generic, data.inputs))).toBeGreaterThan(0.97);
    expect(readFileSync(join(out, 'weights.bin')).length * 4).toBe(readFileSync(join(dir, 'weights.bin')).length);
    tf.dispose(data.inputs);
    // The card's evaluation is the model as loaded from disk, on record 100's labelled beats.
    expect(card.evaluation.records).toEqual(['100']);
    expect(card.evaluation.beats).toBeGreaterThan(2000);
    expect(card.evaluation.perClass.N.support).toBe(card.evaluation.beats - 34); // 100: 33 A + 1 V
    // The classifier metadata travels with the weights, so classify treats the child like the parent.
    expect(json.userDefinedMetadata.ecgReview).toMatchObject({ arch: 'cnn', decisionBias: [0, 0.3, 0, 0] });

    // float16: half the float32 bytes, and the same decisions on these beats.
    const h = join(work, 'f16');
    expect(await runCli(['compress', '--model', dir, '--quantize', 'float16', '--out', h, '--eval', 'none'], capture())).toBe(0);
    expect(readFileSync(join(h, 'weights.bin')).length * 2).toBe(readFileSync(join(dir, 'weights.bin')).length);
    const half = await loadModelDir(h);
    const data2 = trainingSetOf(beats, half);
    expect(agreement(predictProbabilities(float, data2.inputs), predictProbabilities(half, data2.inputs))).toBeGreaterThan(0.99);
    tf.dispose(data2.inputs);

    // Quantizing again is refused, clearly.
    const again = capture();
    expect(await runCli(['compress', '--model', out, '--quantize', 'float16', '--out', join(work, 'q8q16'), '--eval', 'none'], again)).toBe(1);
    expect(again.stderr).toMatch(/already quantized \(uint8\)/);
    expect(existsSync(join(work, 'q8q16'))).toBe(false);
  });

  it('chains distil → prune → quantize through the CLI, each card recording its parent and steps', async () => {
    const s = join(work, 'student'), p = join(work, 'student-p50'), q = join(work, 'student-p50-q8');
    const common = ['--train', train, '--eval', 'none', '--data', MITDB_DIR, '--batch-size', '64'];
    expect(await runCli(['compress', '--model', dir, '--distill', '--student', 'tiny-cnn', '--epochs', '1', '--out', s, ...common], capture())).toBe(0);
    expect(await runCli(['compress', '--model', s, '--prune', '0.5', '--epochs', '1', '--out', p, ...common], capture())).toBe(0);
    expect(await runCli(['compress', '--model', p, '--quantize', 'uint8', '--out', q, ...common], capture())).toBe(0);
    const card = JSON.parse(readFileSync(join(q, 'model-card.json'), 'utf8'));
    expect(card.compression.map((c: { kind: string }) => c.kind)).toEqual(['distill', 'prune', 'quantize']);
    expect(card.parent.dir).toBe(p);
    expect(card.nonZeroParameters).toBeLessThan(card.parameters * 0.7);
    // Sparse + uint8: the smallest of the three on disk.
    const sizes = await Promise.all([s, p, q].map((d) => diskSize(d)));
    expect(sizes[1].bytes).toBeLessThan(sizes[0].bytes);
    expect(sizes[2].bytes).toBeLessThan(sizes[1].bytes);
    expect((await readModelFiles(q)).sparse).toBe(true);
    // --expand writes the dense form generic runtimes need.
    const e = join(work, 'expanded');
    expect(await runCli(['compress', '--model', q, '--expand', '--out', e, '--eval', 'none'], capture())).toBe(0);
    expect(existsSync(join(e, 'weights.bin'))).toBe(true);
    expect(JSON.parse(readFileSync(join(e, 'model.json'), 'utf8')).ecgReviewSparse).toBeUndefined();
  });

  it('rejects bad requests with clear CompressErrors before doing any work', async () => {
    const base = { model: dir, dataDir: MITDB_DIR, trainRecords: FIXTURE_RECORDS, evalRecords: [] };
    for (const ratio of [1, 1.5, -0.1, Number.NaN]) {
      await expect(compressModel({ ...base, out: join(work, 'bad'), op: { kind: 'prune', ratio } })).rejects.toThrow(/pruning ratio must be in \[0, 1\)/);
    }
    const notModel = join(work, 'not-a-model');
    mkdirSync(notModel, { recursive: true });
    writeFileSync(join(notModel, 'notes.txt'), 'hello');
    await expect(compressModel({ ...base, model: notModel, out: join(work, 'bad'), op: { kind: 'quantize', dtype: 'uint8' } })).rejects.toThrow(/not-a-model: is not a model directory \(no model.json\)/);
    await expect(compressModel({ ...base, model: join(work, 'missing'), out: join(work, 'bad'), op: { kind: 'quantize', dtype: 'uint8' } })).rejects.toThrow(/no such model directory/);
    await expect(compressModel({ ...base, out: dir, op: { kind: 'quantize', dtype: 'uint8' } })).rejects.toThrow(/--out must differ/);
    expect(existsSync(join(work, 'bad'))).toBe(false);
    const io = capture();
    expect(await runCli(['compress', '--model', dir, '--prune', '1', '--out', join(work, 'bad')], io)).toBe(1);
    expect(io.stderr).toMatch(/^ecg-review compress: pruning ratio must be in \[0, 1\), got 1$/m);
    const io2 = capture();
    expect(await runCli(['compress', '--model', dir, '--distill', '--student', 'huge', '--out', join(work, 'bad')], io2)).toBe(1);
    expect(io2.stderr).toMatch(/unknown student architecture 'huge'/);
    const io3 = capture();
    expect(await runCli(['compress', '--model', dir, '--prune', '0.5', '--quantize', 'uint8', '--out', join(work, 'bad')], io3)).toBe(1);
    expect(io3.stderr).toMatch(/exactly one of/);
  });
});
