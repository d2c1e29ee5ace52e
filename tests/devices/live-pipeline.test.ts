/**
 * The agent's live pipeline against the classifier's offline functions, without processes: the incremental
 * conditioning equals `conditionSignal` on the whole recording sample for sample, in any chunking; the fast
 * per-beat inputs (template refreshed now and then, RR from the neighbourhood) equal `extractWindows` and
 * `rrFeatures` for the same template and history — so a change to windows.ts or rr.ts that the agent does not
 * follow fails here.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beatInputs, LiveConditioner, templateOf } from '../../src-agent/model-runtime.js';
import { toPhysical } from '../../src-main/domain/recording.js';
import { openRecording } from '../../src-main/formats/index.js';
import { buildRecordBeats, FEATURE_COUNT } from '../../src-main/model/dataset/beats.js';
import { conditionSignal } from '../../src-main/model/dataset/preprocess.js';
import { RR_FEATURE_COUNT } from '../../src-main/model/dataset/rr.js';
import { DEFAULT_WINDOW, TEMPLATE_FEATURE_NAMES, WINDOW_CHANNELS, windowLength } from '../../src-main/model/dataset/windows.js';
import { detectQrs } from '../../src-main/signal/detect-qrs.js';
import { REPO } from './processes.js';

async function lead0(record: string): Promise<{ x: Float32Array; fs: number }> {
  const src = await openRecording(join(REPO, 'resources/samples', record));
  try {
    return { x: toPhysical((await src.read({ channels: [0] })).signals[0]), fs: src.info.fs };
  } finally {
    await src.close();
  }
}

describe('live pipeline inputs equal the offline ones', () => {
  it('conditions incrementally exactly as conditionSignal does on the whole record, in any chunking', async () => {
    const { x, fs } = await lead0('208');
    const part = x.subarray(0, 60 * fs);
    const whole = conditionSignal(Float32Array.from(part), fs, 180);
    for (const chunk of [5, 18, 1800, part.length]) {
      const c = new LiveConditioner(fs, 180);
      for (let i = 0; i < part.length; i += chunk) c.push(part.slice(i, i + chunk));
      c.push(new Float32Array(0), true);
      expect(c.out.view()).toEqual(whole);
    }
    // A rate that is not a multiple of the model's (250 Hz → 180 Hz: the grid repeats every 25 input samples).
    const r250 = conditionSignal(Float32Array.from(part.subarray(0, 250 * 60)), 250, 180);
    const c = new LiveConditioner(250, 180);
    for (let i = 0; i < 250 * 60; i += 13) c.push(part.slice(i, Math.min(250 * 60, i + 13)));
    c.push(new Float32Array(0), true);
    // Interpolation positions are k·ratio from the slice start instead of i·ratio: equal up to float rounding.
    const y = c.out.view();
    expect(y.length).toBe(r250.length);
    let maxDiff = 0;
    for (let i = 0; i < y.length; i++) maxDiff = Math.max(maxDiff, Math.abs(y[i] - r250[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('computes each beat\'s window and features as buildRecordBeats does, given the same template and history', async () => {
    const src = await openRecording(join(REPO, 'resources/samples/100'));
    const { x, fs } = await lead0('100');
    const beats = detectQrs(x, fs);
    const w = DEFAULT_WINDOW;
    const offline = await buildRecordBeats(src, { samples: beats }, { window: w, lead: src.info.signals[0].name });
    await src.close();
    expect(WINDOW_CHANNELS).toHaveLength(1);
    const sig = conditionSignal(Float32Array.from(x), fs, w.fs);
    const centers = Int32Array.from(beats, (s) => Math.round((s * w.fs) / fs));
    const t = templateOf(sig, centers, w);
    const L = windowLength(w);
    const win = new Float32Array(L);
    const tf = new Float32Array(TEMPLATE_FEATURE_NAMES.length);
    for (const i of [0, 1, 500, 1000, beats.length - 1]) {
      beatInputs(sig, centers[i], w, t, win, tf);
      expect(win).toEqual(offline.x.subarray(i * L, (i + 1) * L));
      expect(tf).toEqual(offline.features.subarray(i * FEATURE_COUNT + RR_FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
    }
    // With the beat channel (train --beat-channel) both channels, interleaved, as buildRecordBeats makes them.
    const wb = { ...w, beat: true as const };
    const src2 = await openRecording(join(REPO, 'resources/samples/100'));
    const offline2 = await buildRecordBeats(src2, { samples: beats }, { window: wb, lead: src2.info.signals[0].name });
    await src2.close();
    const win2 = new Float32Array(2 * L);
    for (const i of [0, 1, 500, 1000, beats.length - 1]) {
      beatInputs(sig, centers[i], wb, t, win2, tf, 2);
      expect(win2).toEqual(offline2.x.subarray(i * 2 * L, (i + 1) * 2 * L));
    }
  });
});

describe('causal live pipeline (src-agent/causal-pipeline.ts) against an offline classify', () => {
  it('labels 208 exactly as `classify` does, in 4-sample, 1-s and 60-s chunks (a fast replay sends long chunks)', async () => {
    const { loadLiteClassifier } = await import('../../src-agent/classifiers.js');
    const { CausalLivePipeline } = await import('../../src-agent/causal-pipeline.js');
    const { initEngine } = await import('../../src-main/model/engine/backend.js');
    const { loadModel, RESOURCES_MODELS_DIR } = await import('../../src-main/model/io.js');
    const { classifyRecording } = await import('../../src-main/model/classify.js');
    const dir = join(RESOURCES_MODELS_DIR, 'causal-student-int8');
    await initEngine({ prefer: 'wasm' });
    const model = await loadModel(dir);
    const src = await openRecording(join(REPO, 'resources/samples/208'));
    const off = await classifyRecording(src, [model]);
    model.model.dispose();
    const leads = (await src.read({})).signals.map((s) => toPhysical(s));
    const names = src.info.signals.map((s) => s.name);
    await src.close();
    const classifier = await loadLiteClassifier(dir);
    for (const chunk of [4, 360, 60 * 360]) {
      const pipe = new CausalLivePipeline(classifier, 360, names);
      const got: { sample: number; label: string; readyAtSample: number }[] = [];
      for (let i = 0; i < leads[0].length; i += chunk) got.push(...await pipe.push(leads.map((l) => l.subarray(i, Math.min(l.length, i + chunk)))));
      got.push(...await pipe.flush());
      expect(got.map((b) => b.sample), `${chunk}-sample chunks`).toEqual(Array.from(off.samples));
      expect(got.map((b) => b.label), `${chunk}-sample chunks`).toEqual(Array.from(off.predicted, (k) => off.classes[k]));
      // In small chunks a beat is ready with the chunk holding fiducial + 30 ms (11 samples at 360 Hz).
      if (chunk === 4) expect(Math.max(...got.slice(0, -1).map((b) => b.readyAtSample - b.sample))).toBeLessThanOrEqual(11 + 4);
    }
    classifier.dispose();
  }, 120_000);

  it('applies a model\'s morphology consensus as `classify` does: the same labels streamed as offline, in 1-s chunks', async () => {
    const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { loadLiteClassifier } = await import('../../src-agent/classifiers.js');
    const { CausalLivePipeline } = await import('../../src-agent/causal-pipeline.js');
    const { initEngine } = await import('../../src-main/model/engine/backend.js');
    const { loadModel, RESOURCES_MODELS_DIR } = await import('../../src-main/model/io.js');
    const { classifyRecording } = await import('../../src-main/model/classify.js');
    // A copy of the smallest causal model with a consensus written into its metadata (whether or not it ships one).
    const dir = mkdtempSync(join(tmpdir(), 'consensus-model-'));
    cpSync(join(RESOURCES_MODELS_DIR, 'causal-student-int8'), dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const without = { ...json.userDefinedMetadata.ecgReview };
    delete without.consensus;
    json.userDefinedMetadata.ecgReview = { ...without, consensus: { k: 10, alpha: 0.25, span: 500, causal: true } };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await initEngine({ prefer: 'wasm' });
    const model = await loadModel(dir);
    const src = await openRecording(join(REPO, 'resources/samples/208'));
    const off = await classifyRecording(src, [model]);
    const plain = await classifyRecording(src, [{ ...model, meta: without }]);
    model.model.dispose();
    const leads = (await src.read({})).signals.map((s) => toPhysical(s));
    const names = src.info.signals.map((s) => s.name);
    await src.close();
    // The consensus changes labels (else this would test nothing) ...
    const changed = Array.from(off.predicted).filter((k, i) => k !== plain.predicted[i]).length;
    expect(changed).toBeGreaterThan(10);
    // ... and the device gives the offline ones.
    const classifier = await loadLiteClassifier(dir);
    const pipe = new CausalLivePipeline(classifier, 360, names);
    const got: { sample: number; label: string }[] = [];
    for (let i = 0; i < leads[0].length; i += 360) got.push(...await pipe.push(leads.map((l) => l.subarray(i, Math.min(l.length, i + 360)))));
    got.push(...await pipe.flush());
    expect(got.map((b) => b.label)).toEqual(Array.from(off.predicted, (k) => off.classes[k]));
    classifier.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
