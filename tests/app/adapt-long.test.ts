/**
 * Adapting on a recording long enough to be classified in parallel segments (> 2 h): MIT-BIH 232 five times end to
 * end in one EDF+ of 2.5 h (one patient, as a Holter is), its atr beats as embedded annotations. The model is
 * adapted once, on the first 5 minutes, and every segment classifies with that adapted model: the merged run
 * equals one pass of the adapted model over the whole recording, and differs from the plain model's run in every
 * segment. (One patient matters: the models' recording-level inputs — template, mean RR — are taken over what a
 * worker reads, so on a file of several patients end to end a segment's differ from the whole file's.)
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiEvent, BeatTable, RunSummary } from '../../src-main/api/contract.js';
import { classifyRecording } from '../../src-main/services/classify-recording.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { makeHolterEdf } from '../bench/holter.js';
import { describeMitdb } from '../helpers/data.js';
import { makeService, MODELS_DIR, waitJob } from './helpers.js';

const MODEL = 'causal-student-int8';
const RECORDS = ['232', '232', '232', '232', '232'];
const LENGTH = RECORDS.length * 650_000;

describeMitdb('adapting a recording classified in parallel segments (2.5 h EDF+)', () => {
  let dir: string, cacheDir: string, path: string;
  let s: ReviewService;
  let recId: string;
  let length: number;
  let plain: RunSummary, adapted: RunSummary;
  const messages: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-review-adapt-long-'));
    cacheDir = join(dir, 'cache');
    path = await makeHolterEdf(join(dir, '232x5.edf'), RECORDS);
    s = makeService({ dataDir: dir, cacheDir }); // the service opens recordings inside its data directory only
    s.onEvent((e: ApiEvent) => { if (e.type === 'job') messages.push(e.job.message); });
    const rec = await s.openRecording(path);
    expect(rec.length).toBeGreaterThanOrEqual(LENGTH); // EDF pads the last data record
    length = rec.length;
    recId = rec.id;
    const run = async (options: Parameters<ReviewService['startClassification']>[2]): Promise<RunSummary> => {
      const job = await waitJob(s, (await s.startClassification([recId], MODEL, options)).jobId, 300_000);
      expect(job.state, job.error).toBe('done');
      return (await s.listRuns()).find((r) => r.id === job.runIds[0])!;
    };
    plain = await run({ beats: 'reference' });
    adapted = await run({ beats: 'reference', adapt: { minutes: 5, labels: { from: 'reference' } } });
  }, 600_000);
  afterAll(async () => { await s?.dispose(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('adapts once, on the first 5 minutes of the embedded annotations, then classifies in segments', () => {
    expect(adapted.adaptation).toMatchObject({ minutes: 5, labels: { from: 'reference' } });
    // 232's first 5 minutes: 80 N and 215 S reference beats (as in adapt.test.ts on the record itself)
    expect(adapted.adaptation!.beats).toMatchObject({ N: 80, S: 215 });
    expect(messages.some((m) => /adapting the model to this patient/.test(m))).toBe(true);
    expect(messages.some((m) => /\(adapted model\) \(\d segments in parallel\)/.test(m))).toBe(true);
  });

  it("every segment used the adapted model: the run equals one pass of it over the whole recording, and differs from the plain model's in each segment", async () => {
    const [root] = readdirSync(cacheDir);
    const modelDir = join(cacheDir, root, adapted.id);
    const b: BeatTable = await s.listBeats(recId, adapted.id);
    const p: BeatTable = await s.listBeats(recId, plain.id);
    const one = await classifyRecording({ path, modelId: MODEL, modelsDir: MODELS_DIR, modelDir, positions: Int32Array.from(b.samples) }, () => {});
    expect(Array.from(one.samples)).toEqual(b.samples);
    const labels = Array.from(one.predicted, (k) => 'NSVFQ'[k]).join('');
    let same = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] === b.predicted[i]) same++;
    // A segment's lead-in warms its causal state (template, consensus) but cannot replay hours of it: near the seams a few labels may differ.
    expect(same / labels.length).toBeGreaterThan(0.995);
    const segments = [0, Math.round(length / 2), length]; // two segments on a 2-core machine (the service's bounds)
    for (let k = 0; k < 2; k++) {
      let differ = 0;
      for (let i = 0; i < b.samples.length; i++) if (b.samples[i] >= segments[k] && b.samples[i] < segments[k + 1] && b.predicted[i] !== p.predicted[i]) differ++;
      expect(differ, `segment ${k + 1}`).toBeGreaterThan(20);
    }
  });
});
