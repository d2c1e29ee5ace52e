/**
 * The agent's live pipeline for a two-lead model (`train --leads 2`), without processes or a trained model: a
 * fake classifier records the beat sets the pipeline builds from MIT-BIH 208 (MLII + V1) streamed in several
 * chunk sizes. Channel 0 and the features are exactly the one-lead pipeline's; channel 1 is V1 against its own
 * template from the same beats, equal to `extractWindows` / `buildRecordBeats` given the same template and
 * history (as tests/devices/live-pipeline.test.ts checks the one-lead inputs); a one-lead stream is refused.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BeatClassifier } from '../../src-agent/classifiers.js';
import { checkInputs, LivePipeline, templateBeats } from '../../src-agent/model-runtime.js';
import { toPhysical } from '../../src-main/domain/recording.js';
import { openRecording } from '../../src-main/formats/index.js';
import { buildRecordBeats, concatBeatSets, FEATURE_NAMES, MODEL_CLASSES, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { CAUSAL_FEATURE_NAMES } from '../../src-main/model/dataset/causal.js';
import { conditionSignal } from '../../src-main/model/dataset/preprocess.js';
import { BEAT_CHANNELS, DEFAULT_WINDOW, extractWindows, TWO_LEAD_CHANNELS, WINDOW_CHANNELS, windowChannels, windowLength, type WindowSpec } from '../../src-main/model/dataset/windows.js';
import { ModelError } from '../../src-main/model/errors.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMetadata } from '../../src-main/model/io.js';
import { REPO } from './processes.js';

const SAMPLE_208 = join(REPO, 'resources/samples/208');
const ONE: WindowSpec = DEFAULT_WINDOW;
const TWO: WindowSpec = { ...DEFAULT_WINDOW, leads: 2 };

function metaFor(window: WindowSpec, channels: readonly string[] = windowChannels(window)): ModelMetadata {
  return {
    format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch: 'cnn', classes: [...MODEL_CLASSES], window, channels: [...channels],
    features: [...(window.causal ? CAUSAL_FEATURE_NAMES : FEATURE_NAMES)], decisionBias: MODEL_CLASSES.map(() => 0), parameters: 0, seed: 0,
    trainedOn: 'test', backend: 'fake', createdAt: 'test',
  };
}

/** A classifier that labels every beat N and keeps the beat sets it is given (the pipeline builds a new one per call). */
function recordingClassifier(window: WindowSpec): BeatClassifier & { sets: BeatSet[] } {
  const meta = metaFor(window);
  const sets: BeatSet[] = [];
  return {
    backend: 'fake', meta, sets,
    classify(set) {
      sets.push(set);
      return { probabilities: new Float32Array(set.n * meta.classes.length), predicted: new Int8Array(set.n) };
    },
    dispose: () => {},
  };
}

type Pipe = { push(l: Float32Array[]): Promise<{ sample: number }[]>; flush(): Promise<{ sample: number }[]> };
type PipeClass = new (c: BeatClassifier, fs: number, names: string[]) => Pipe;

interface Run { set: BeatSet; sets: BeatSet[]; samples: number[] }

/** Stream `leads` through a pipeline in `chunk`-sample pieces: every beat set the classifier saw, and the beats out. */
async function stream(Pipeline: PipeClass, window: WindowSpec, leads: Float32Array[], names: string[], chunk: number): Promise<Run> {
  const c = recordingClassifier(window);
  const pipe = new Pipeline(c, FS, names);
  const samples: number[] = [];
  for (let i = 0; i < leads[0].length; i += chunk) samples.push(...(await pipe.push(leads.map((l) => l.subarray(i, Math.min(l.length, i + chunk))))).map((b) => b.sample));
  samples.push(...(await pipe.flush()).map((b) => b.sample));
  return { set: concatBeatSets(c.sets), sets: c.sets, samples };
}

/** Channel `k` of a [beat][time][channel] window array with C channels. */
function channel(x: Float32Array, C: number, k: number): Float32Array {
  const out = new Float32Array(x.length / C);
  for (let i = 0; i < out.length; i++) out[i] = x[i * C + k];
  return out;
}

/**
 * Exactly equal, value for value (as toEqual, which takes seconds on a record's windows): the first difference
 * is reported with its index.
 */
function expectSame(got: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(expected.length);
  let i = 0;
  while (i < got.length && Object.is(got[i], expected[i])) i++;
  expect(i < got.length ? { index: i, got: got[i], expected: expected[i] } : null, what).toBeNull();
}

let FS = 360;
let leads: Float32Array[] = [];
let names: string[] = [];

beforeAll(async () => {
  const src = await openRecording(SAMPLE_208);
  try {
    FS = src.info.fs;
    names = src.info.signals.map((s) => s.name);
    leads = (await src.read({})).signals.map((s) => toPhysical(s));
  } finally {
    await src.close();
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('two-lead models on the device agent', () => {
  it('accepts the two-lead channels of an offline model and still refuses unknown ones', () => {
    expect(() => checkInputs(metaFor(ONE), 'm')).not.toThrow();
    expect(() => checkInputs(metaFor(TWO), 'm')).not.toThrow();
    const refused = /reads window channels \[.*\].* but this agent computes \[.*\].*; update the agent or push a model trained for it/;
    expect(() => checkInputs(metaFor(TWO, ['beat-minus-template', 'beat-itself']), 'm')).toThrow(refused);
    expect(() => checkInputs(metaFor(TWO, WINDOW_CHANNELS), 'm')).toThrow(ModelError);
    expect(() => checkInputs(metaFor(ONE, TWO_LEAD_CHANNELS), 'm')).toThrow(refused);
    expect(() => checkInputs(metaFor(ONE, ['beat-z-scored']), 'm')).toThrow(/computes \[beat-minus-template\];/);
    // The beat channel (train --beat-channel), offline or causal, is computed here too; named without it, refused.
    expect(() => checkInputs(metaFor({ ...ONE, beat: true }, BEAT_CHANNELS), 'm')).not.toThrow();
    expect(() => checkInputs(metaFor({ ...ONE, beat: true }, WINDOW_CHANNELS), 'm')).toThrow(refused);
    expect(() => checkInputs(metaFor(ONE, BEAT_CHANNELS), 'm')).toThrow(refused);
    // No causal form of two-lead windows (buildRecordBeats refuses it too), whatever the channels say.
    expect(() => checkInputs(metaFor({ ...TWO, causal: true }, TWO_LEAD_CHANNELS), 'm')).toThrow(/for causal models/);
    expect(() => checkInputs(metaFor({ ...TWO, causal: true }, WINDOW_CHANNELS), 'm')).toThrow(/of 2 leads .*for causal models/);
  });

  it('refuses a one-lead stream when the pipeline is created, naming the leads', () => {
    const c = recordingClassifier(TWO);
    expect(() => new LivePipeline(c, 360, ['MLII'])).toThrow(ModelError);
    expect(() => new LivePipeline(c, 360, ['MLII'])).toThrow('a two-lead model needs a second ECG lead, but the recording has only MLII (signals: MLII)');
    // A second signal that is not ECG does not count.
    expect(() => new LivePipeline(c, 250, ['ECG', 'Resp'])).toThrow('only ECG (signals: ECG, Resp)');
    // The one-lead model still runs on it.
    expect(() => new LivePipeline(recordingClassifier(ONE), 360, ['MLII'])).not.toThrow();
  });

  it('streams 208: channel 0 is the one-lead input, channel 1 is V1 against its own template, in any chunking', async () => {
    const len = windowLength(TWO);
    // The one-lead pipeline once: its inputs do not depend on chunking, so every two-lead run must match it.
    const one = await stream(LivePipeline, ONE, leads, names, 65_536);
    let first: Run | null = null;
    // 13 samples: a device's small packets (the monitor feeds 10 ms per tick at real time); 1 s; a fast replay.
    for (const chunk of [13, 360, 65_536]) {
      const two = await stream(LivePipeline, TWO, leads, names, chunk);
      const at = `${chunk}-sample chunks`;
      expect(two.samples, at).toEqual(one.samples);
      expect(two.samples.length, at).toBeGreaterThan(2900);
      expect(Array.from(two.set.samples), at).toEqual(two.samples);
      expect(two.set.channels).toBe(2);
      expect(two.set.length).toBe(len);
      expect(new Set(two.sets.flatMap((s) => s.leads)), at).toEqual(new Set(['MLII+V1']));
      expectSame(channel(two.set.x, 2, 0), one.set.x, `channel 0, ${at}`);
      expectSame(two.set.features, one.set.features, `features, ${at}`);
      // Chunking never changes a beat's inputs (the template schedule depends on beat counts only).
      if (first) expectSame(two.set.x, first.set.x, at);
      else first = two;
    }

    // Where the live template is all the beats so far (beat j with templateBeats(j + 1) = j + 1), each lead's
    // channel is extractWindows over those beats, the offline per-lead step given the same template and history.
    const fs = TWO.fs;
    const sig = names.map((_, k) => conditionSignal(Float32Array.from(leads[k]), FS, fs));
    const centers = Int32Array.from(first!.samples, (s) => Math.round((s * fs) / FS));
    const n = centers.length;
    const onSchedule = [0, 1, 15, 16, 32, 300, 2000].map((j) => templateBeats(j + 1) - 1).concat(templateBeats(n) - 1);
    expect(onSchedule.at(-1)).toBeGreaterThan(2000); // past medianTemplate's 2,000-beat cap
    for (const j of onSchedule) {
      for (const k of [0, 1]) {
        const { x } = extractWindows(sig[k], centers.subarray(0, j + 1), TWO);
        expectSame(channel(first!.set.x, 2, k).subarray(j * len, (j + 1) * len), x.subarray(j * len, (j + 1) * len), `beat ${j}, channel ${k}`);
      }
    }
  }, 240_000);

  it('at the end of the record (whole history) gives exactly buildRecordBeats\'s two-lead (and beat-channel) inputs at the beats it found', async () => {
    // The exact path (extractWindows over the whole history on every call) equals the offline inputs once the
    // history is the whole record: the beats labelled by the final flush.
    vi.stubEnv('ECG_AGENT_EXACT_INPUTS', '1');
    vi.resetModules();
    const exact = (await import('../../src-agent/model-runtime.js')).LivePipeline as unknown as PipeClass;
    const src = await openRecording(SAMPLE_208);
    try {
      for (const chunk of [20 * 360, 300 * 360]) {
        const run = await stream(exact, TWO, leads, names, chunk);
        const last = run.sets.at(-1)!;
        expect(last.n).toBeGreaterThan(0);
        const offline = await buildRecordBeats(src, { samples: Int32Array.from(run.samples) }, { window: TWO });
        expect(offline.leads).toEqual(last.leads);
        const from = run.samples.length - last.n;
        const L = windowLength(TWO) * 2;
        const F = FEATURE_NAMES.length;
        expect(Array.from(last.samples)).toEqual(Array.from(offline.samples.subarray(from)));
        expectSame(last.x, offline.x.subarray(from * L), `windows, ${chunk}-sample chunks`);
        expectSame(last.features, offline.features.subarray(from * F), `features, ${chunk}-sample chunks`);
        // The fast path's channel 0 and features for the same beats are the one-lead pipeline's (checked above);
        // here the exact one's channel 0 is the offline one-lead input too.
        const offline1 = await buildRecordBeats(src, { samples: Int32Array.from(run.samples) }, { window: ONE });
        expectSame(channel(last.x, 2, 0), offline1.x.subarray(from * windowLength(ONE)), `channel 0, ${chunk}-sample chunks`);
      }
      // The same for a one-lead window with the beat channel (train --beat-channel): both of its channels.
      const BEAT: WindowSpec = { ...ONE, beat: true };
      const run = await stream(exact, BEAT, leads, names, 300 * 360);
      const last = run.sets.at(-1)!;
      const offline = await buildRecordBeats(src, { samples: Int32Array.from(run.samples) }, { window: BEAT });
      const from = run.samples.length - last.n;
      expect(last.channels).toBe(2);
      expectSame(last.x, offline.x.subarray(from * windowLength(BEAT) * 2), 'beat-channel windows');
      expectSame(last.features, offline.features.subarray(from * FEATURE_NAMES.length), 'beat-channel features');
    } finally {
      await src.close();
    }
  }, 240_000);
});
