/** The app's path to tfjs models: listing from model cards, classification in the worker, labels mapped to AAMI. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASELINE_MODEL_ID } from '../../src-main/services/domain-adapters.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { makeService, waitJob } from './helpers.js';
import { untrainedModelsDir } from './model-fixture.js';

describeMitdb('tfjs model path', () => {
  let s: ReviewService;
  let id: string;
  beforeAll(async () => {
    const m = await untrainedModelsDir();
    id = m.id;
    s = makeService({ modelsDir: m.modelsDir });
  });
  afterAll(async () => { await s?.dispose(); });

  it('lists the model from its card and classifies a recording with it in the worker', async () => {
    const models = await s.listModels();
    expect(models.map((m) => m.id)).toEqual([id, BASELINE_MODEL_ID]);
    expect(models[0]).toMatchObject({ name: 'Untrained CNN (test fixture) (cnn)', classes: ['N', 'S', 'V', 'F'] });
    const rec = await s.openRecording(mitdbRecord('100'));
    // The QRS detector's beats (the default would take 100's reference positions).
    const job = await waitJob(s, (await s.startClassification([rec.id], id, { beats: 'detector' })).jobId);
    expect(job.error).toBeUndefined();
    expect(job.state).toBe('done');
    const beats = await s.listBeats(rec.id, job.runIds[0]);
    // The QRS detector finds 100's 2273 beats within a few.
    expect(Math.abs(beats.samples.length - 2273)).toBeLessThan(25);
    expect(beats.predicted).toMatch(/^[NSVF]+$/);
    for (const c of beats.confidence.slice(0, 100)) { expect(c).toBeGreaterThan(0.25); expect(c).toBeLessThanOrEqual(1); }
    const m = await s.getMetrics({ runId: job.runIds[0], reference: 'annotations' });
    expect(m.qrs!.se!).toBeGreaterThan(0.99);
    // By default the reference positions are classified: every reference beat, each with its reference label.
    const job2 = await waitJob(s, (await s.startClassification([rec.id], id)).jobId);
    const b2 = await s.listBeats(rec.id, job2.runIds[0]);
    expect(b2.samples.length).toBe(rec.referenceBeats);
    expect(b2.reference).not.toContain('-');
    expect((await s.listRuns(rec.id)).at(-1)!.beatSource).toBe('reference');
    expect((await s.getMetrics({ runId: job2.runIds[0], reference: 'annotations' })).qrs).toBeNull();
  });
});

describeMitdb('a shipped causal model in the app', () => {
  it('is listed as causal and classifies 100 on the fast detector\'s beats in the worker', async () => {
    const { RESOURCES_MODELS_DIR } = await import('../../src-main/model/io.js');
    const svc = makeService({ modelsDir: RESOURCES_MODELS_DIR });
    try {
      const m = (await svc.listModels()).find((x) => x.id === 'causal-student-int8')!;
      expect(m.description).toMatch(/causal: inputs end 28 ms after the R peak/);
      expect(m.description).toMatch(/DS2 accuracy 94\.7 % \(95 % CI 91\.4–97\.6, over patients\)/);
      expect(m.input).toMatch(/^51 samples at 180 Hz around the R peak \(causal/);
      const rec = await svc.openRecording(mitdbRecord('100'));
      const job = await waitJob(svc, (await svc.startClassification([rec.id], 'causal-student-int8', { beats: 'detector' })).jobId);
      expect(job.error).toBeUndefined();
      const beats = await svc.listBeats(rec.id, job.runIds[0]);
      // 100: 2273 reference beats; the fast detector finds all of them (tests/signal/detect-qrs-fast.test.ts).
      expect(Math.abs(beats.samples.length - 2273)).toBeLessThan(5);
      const normal = [...beats.predicted].filter((c) => c === 'N').length / beats.predicted.length;
      expect(normal).toBeGreaterThan(0.95); // 100 is 99 % normal beats
    } finally {
      await svc.dispose();
    }
  }, 120_000);
});
