/**
 * Patient-specific adaptation (model/adapt.ts): fine-tuning a shipped model on a patient's first 5 minutes of
 * reference labels (EC57's learning period) and scoring the rest. Records 232 and 213 are DS2 patients the model
 * never saw: 232's atrial premature beats and 213's fusion beats are what the patient-independent models miss.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { readCard } from '../../src-main/model/compress/card.js';
import { RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { aamiClassOf, type AamiClass } from '../../src-main/domain/aami.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { adaptModel, labelsFromAnnotations } from '../../src-main/model/adapt.js';
import { classifyRecording, type ClassifiedBeats } from '../../src-main/model/classify.js';
import { beatsFromAnnotations, buildRecordBeats } from '../../src-main/model/dataset/beats.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { loadModel, type LoadedModel } from '../../src-main/model/io.js';
import { predictProbs } from '../../src-main/model/train/train.js';
import { runCliCaptured } from '../helpers/cli.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const MODEL = 'causal-student-int8';
const LEARN = 300;

/** Se of `cls` over the beats from minute 5 (where EC57 scores), against atr. */
async function sensitivityFromMinute5(record: string, c: ClassifiedBeats, cls: AamiClass): Promise<{ se: number; n: number }> {
  const src = await openRecording(mitdbRecord(record));
  const ref = (await readAnnotations(src, 'atr')).filter((a) => aamiClassOf(a.symbol));
  await src.close();
  let n = 0, hit = 0;
  ref.forEach((a, i) => {
    expect(c.samples[i]).toBe(a.sample);
    if (a.sample < LEARN * c.fs || aamiClassOf(a.symbol) !== cls) return;
    n++;
    if (c.classes[c.predicted[i]] === cls) hit++;
  });
  return { se: hit / n, n };
}

describeMitdb('patient-specific adaptation', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    await initEngine({ prefer: 'wasm' });
    model = await loadModel(MODEL);
  });

  /** `cls` sensitivity from minute 5 of `record` at the atr beats, by the model as shipped and adapted on the first 5 minutes. */
  async function plainAndAdapted(record: string, cls: AamiClass): Promise<{ before: { se: number; n: number }; after: { se: number; n: number }; adapted: ClassifiedBeats }> {
    const src = await openRecording(mitdbRecord(record));
    const plain = await classifyRecording(src, [model], { beats: 'atr' });
    const adapted = await classifyRecording(src, [model], { beats: 'atr', adapt: { seconds: LEARN, annotator: 'atr' } });
    await src.close();
    return { before: await sensitivityFromMinute5(record, plain, cls), after: await sensitivityFromMinute5(record, adapted, cls), adapted };
  }

  it('232: after learning its first 5 minutes, the atrial premature beats after them are found', async () => {
    const { before, after, adapted } = await plainAndAdapted('232', 'S');
    expect(adapted.adaptations?.[0].beats).toEqual({ N: 80, S: 215 });
    expect(before.n).toBeGreaterThan(1000);
    expect(before.se).toBeLessThan(0.9);
    expect(after.se).toBeGreaterThan(0.95);
  });

  it('213: fusion beats, almost never called F by the patient-independent model, are found once its own are learnt', async () => {
    const { before, after } = await plainAndAdapted('213', 'F');
    expect(before.n).toBeGreaterThan(200);
    expect(before.se).toBeLessThan(0.05);
    expect(after.se).toBeGreaterThan(0.2);
  });

  it('adapts a copy: the loaded model is untouched, and the same seed gives the same adapted model', async () => {
    const src = await openRecording(mitdbRecord('213'));
    const anns = await readAnnotations(src, 'atr');
    const set = await buildRecordBeats(src, beatsFromAnnotations(anns), { window: model.meta.window });
    const learn = labelsFromAnnotations(set, anns, src.info.fs, LEARN, model.meta.classes);
    await src.close();
    const before = predictProbs(model.model, set);
    const a = await adaptModel(model, set, learn, 'atr, first 300 s', { epochs: 3 });
    const b = await adaptModel(model, set, learn, 'atr, first 300 s', { epochs: 3 });
    expect(predictProbs(model.model, set)).toEqual(before);
    const pa = predictProbs(a.model, set);
    expect(predictProbs(b.model, set)).toEqual(pa);
    expect(pa).not.toEqual(before);
    expect(a.adaptation.losses).toHaveLength(3);
    expect(a.adaptation.losses[2]).toBeLessThan(a.adaptation.losses[0]);
    a.model.dispose();
    b.model.dispose();
  });

  it('learns from detected beats too: the annotator labels each detection it matches within 150 ms', async () => {
    const src = await openRecording(mitdbRecord('213'));
    const anns = await readAnnotations(src, 'atr');
    const shifted = beatsFromAnnotations(anns.map((a) => ({ ...a, sample: a.sample + 18 }))); // 50 ms late
    const set = await buildRecordBeats(src, shifted, { window: model.meta.window });
    await src.close();
    const learn = labelsFromAnnotations(set, anns, 360, LEARN, model.meta.classes);
    const atLeast: Record<string, number> = {};
    for (const l of learn.labels) atLeast[model.meta.classes[l]] = (atLeast[model.meta.classes[l]] ?? 0) + 1;
    expect(atLeast).toEqual({ N: 432, F: 93, S: 1, V: 25 });
  });

  it('refuses what it cannot learn from, naming the model and recording', async () => {
    const src = await openRecording(mitdbRecord('213'));
    const anns = await readAnnotations(src, 'atr');
    const set = await buildRecordBeats(src, beatsFromAnnotations(anns), { window: model.meta.window });
    await src.close();
    const none = labelsFromAnnotations(set, anns, 360, 0.1, model.meta.classes);
    await expect(adaptModel(model, set, none, 'atr, first 0.1 s')).rejects.toThrow(/no labelled beats to adapt on \(atr, first 0\.1 s\)/);
    const learn = labelsFromAnnotations(set, anns, 360, LEARN, model.meta.classes);
    await expect(adaptModel(model, set, learn, 'atr', { epochs: 0 })).rejects.toThrow(/causal-student-int8 adapted to 213.*epochs must be a whole number/);
    expect(() => labelsFromAnnotations(set, anns, 360, -5, model.meta.classes)).toThrow(/learning period must be a positive number of seconds/);
    await expect(adaptModel(model, set, learn, 'atr', { learningRate: -1 })).rejects.toThrow(/learning rate must be positive, got -1/);
    await expect(adaptModel(model, set, learn, 'atr', { batchSize: 0.5 })).rejects.toThrow(/batch size must be a whole number ≥ 1, got 0\.5/);
  });

  it('ecg-review classify --adapt-minutes: says what it learnt from, and refuses bad flags', async () => {
    const r = await runCliCaptured('classify', mitdbRecord('232'), '--model', MODEL, '--beats', 'atr', '--adapt-minutes', '5', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/232: adapted to this patient on 80 N, 215 S beats \(atr, first 300 s\), 10 epochs, loss [\d.]+ → [\d.]+; score it from minute 5/);
    const json = JSON.parse(r.stdout) as { adaptations: { beats: Record<string, number> }[]; beats: unknown[] };
    expect(json.adaptations[0].beats).toEqual({ N: 80, S: 215 });
    expect((await runCliCaptured('classify', mitdbRecord('232'), '--model', MODEL, '--adapt-minutes', '0')).stderr).toMatch(/--adapt-minutes must be a positive number of minutes, got 0/);
    expect((await runCliCaptured('classify', mitdbRecord('232'), '--model', MODEL, '--adapt-labels', 'atr')).stderr).toMatch(/--adapt-labels needs --adapt-minutes/);
    const missing = await runCliCaptured('classify', mitdbRecord('232'), '--model', MODEL, '--beats', 'atr', '--adapt-minutes', '5', '--adapt-labels', 'nosuch');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/232\.nosuch/);
  });

  it('compress --adapt makes a patient\'s own model with a card (evaluated on that patient after the learning period), which quantizes for the device', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ecg-adapt-'));
    const out = join(work, 'a232');
    const r = await runCliCaptured('compress', '--model', join(RESOURCES_MODELS_DIR, 'causal-student'), '--adapt', mitdbRecord('232'), '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const card = (await readCard(out))!;
    const step = card.compression!.at(-1)!;
    expect(step).toMatchObject({ kind: 'adapt', record: '232', seconds: 300, annotator: 'atr', beats: { N: 80, S: 215 } });
    expect(card.trainedOn).toEqual(['DS1', '232, first 300 s (atr)']);
    expect(card.ds2).toBeUndefined();
    type Ev = { records: string[]; perClass: Record<string, { se: number; support: number }> };
    const ev = card.evaluation as Ev, parent = card.parentEvaluation as Ev;
    expect(ev.records).toEqual(['232']);
    expect(ev.perClass.S.support).toBe(parent.perClass.S.support);
    expect(ev.perClass.S.support).toBeGreaterThan(1000); // the S beats after minute 5 only
    expect(ev.perClass.S.se).toBeGreaterThan(parent.perClass.S.se + 5);
    // quantized for the device: still evaluated on 232 from minute 5, not on DS2 (which holds 232 itself)
    const q = join(work, 'a232-uint8');
    const rq = await runCliCaptured('compress', '--model', out, '--quantize', 'uint8', '--out', q);
    expect(rq.code, rq.stderr).toBe(0);
    expect(rq.stdout).toMatch(/1 evaluation records, \d+ beats \(EC57 from 300 s, after the learning period\)/);
    const qc = (await readCard(q))!;
    expect((qc.evaluation as Ev).records).toEqual(['232']);
    expect(qc.compression!.map((x) => x.kind)).toEqual(['distill', 'adapt', 'quantize']);
    expect(qc.sizeOnDiskBytes).toBeLessThan(32 * 1024);
    const loaded = await loadModel(q);
    const src = await openRecording(mitdbRecord('232'));
    const c = await classifyRecording(src, [loaded], { beats: 'atr' });
    await src.close();
    expect((await sensitivityFromMinute5('232', c, 'S')).se).toBeGreaterThan(0.95);
    loaded.model.dispose();
  });

  it('compress --adapt refuses a quantized model, a bad learning period, and its flags without --adapt', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ecg-adapt-'));
    const q = await runCliCaptured('compress', '--model', join(RESOURCES_MODELS_DIR, MODEL), '--adapt', mitdbRecord('232'), '--out', join(work, 'x'));
    expect(q.stderr).toMatch(/causal-student-int8: is quantized \(uint8\); adapt the float model and quantize last/);
    const m = await runCliCaptured('compress', '--model', join(RESOURCES_MODELS_DIR, 'causal-student'), '--adapt', mitdbRecord('232'), '--adapt-minutes', '-1', '--out', join(work, 'y'));
    expect(m.stderr).toMatch(/--adapt-minutes must be a positive number of minutes, got -1/);
    const f = await runCliCaptured('compress', '--model', join(RESOURCES_MODELS_DIR, 'causal-student'), '--quantize', 'uint8', '--adapt-labels', 'atr', '--out', join(work, 'z'));
    expect(f.stderr).toMatch(/--adapt-minutes, --adapt-labels and --beats go with --adapt <record>/);
  });

  it('compare --adapt-minutes: the patient-specific figures are what classify --adapt-minutes + evaluate from that minute give', async () => {
    const c = JSON.parse((await runCliCaptured('compare', join(RESOURCES_MODELS_DIR, MODEL), '--eval', '232', '--adapt-minutes', '5', '--backends', 'lite', '--latency-runs', '3', '--json')).stdout) as {
      adaptMinutes: number; beats: number; models: { evaluation: { perClass: unknown; confusion: unknown } }[];
    };
    expect(c.adaptMinutes).toBe(5);
    const out = mkdtempSync(join(tmpdir(), 'ecg-adapt-'));
    expect((await runCliCaptured('classify', mitdbRecord('232'), '--model', MODEL, '--beats', 'atr', '--adapt-minutes', '5', '--format', 'wfdb', '--out', join(out, '232.cls'))).code).toBe(0);
    const e = JSON.parse((await runCliCaptured('evaluate', '--db', join(mitdbRecord('232'), '..'), '--test', out, '232', '--mapping', 'aami', '--from-minute', '5', '--ci', '--json')).stdout) as { summary: { classFigures: { perClass: unknown; confusion: unknown } } };
    expect(c.models[0].evaluation.confusion).toEqual(e.summary.classFigures.confusion);
    expect(c.models[0].evaluation.perClass).toEqual(e.summary.classFigures.perClass);
    expect(c.beats).toBe(1485); // 232's N and S beats after minute 5
    const text = await runCliCaptured('compare', join(RESOURCES_MODELS_DIR, MODEL), '--eval', '232', '--adapt-minutes', '0', '--backends', 'lite');
    expect(text.stderr).toMatch(/--adapt-minutes must be a positive number of minutes, got 0/);
  });
});
