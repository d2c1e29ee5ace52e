/**
 * Causal model inputs (src-main/model/dataset/causal.ts) on MIT-BIH 208 (bigeminy-like runs of V, F beats):
 * streaming in any chunking gives exactly the batch inputs; they really are causal (cutting the recording just
 * after a beat's window leaves that beat's inputs unchanged); the features mean what the names say.
 */
import { expect, it } from 'vitest';
import { toPhysical } from '../../src-main/domain/recording.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { beatsFromAnnotations, buildRecordBeats, FEATURE_COUNT } from '../../src-main/model/dataset/beats.js';
import { CAUSAL_WINDOW, CausalBeatEncoder, CausalConditioner, causalRecordInputs } from '../../src-main/model/dataset/causal.js';
import { DEFAULT_WINDOW } from '../../src-main/model/dataset/windows.js';
import { ModelError } from '../../src-main/model/errors.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const L = CAUSAL_WINDOW.before + CAUSAL_WINDOW.after;

async function record208(): Promise<{ x: Float32Array; beats: Int32Array; classes: (string | undefined)[] }> {
  const src = await openRecording(mitdbRecord('208'));
  try {
    const pos = beatsFromAnnotations(await readAnnotations(src, 'atr'));
    const rec = await src.read({ channels: [0] });
    return { x: toPhysical(rec.signals[0]), beats: pos.samples, classes: pos.classes ?? [] };
  } finally {
    await src.close();
  }
}

describeMitdb('causal inputs on MIT-BIH 208', () => {
  it('streaming in random chunks, with beats added as a detector would (30 ms late), equals the batch inputs exactly', async () => {
    const { x, beats } = await record208();
    const batch = causalRecordInputs(x, 360, beats, CAUSAL_WINDOW);
    const enc = new CausalBeatEncoder(360, CAUSAL_WINDOW);
    let seed = 11;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let from = 0;
    let bi = 0;
    const got: { index: number; x: Float32Array; features: Float32Array; late: number }[] = [];
    while (from < x.length) {
      const to = Math.min(x.length, from + 1 + Math.floor(rnd() * 25));
      enc.push(x.subarray(from, to));
      from = to;
      while (bi < beats.length && beats[bi] + 11 <= from) enc.addBeat(beats[bi++]);
      for (const b of enc.take()) got.push({ ...b, late: from - b.sample });
    }
    while (bi < beats.length) enc.addBeat(beats[bi++]);
    enc.finish();
    got.push(...enc.take().map((b) => ({ ...b, late: 0 })));
    expect(got.map((b) => b.index)).toEqual(Array.from(beats, (_, i) => i));
    let maxDiff = 0;
    for (const b of got) {
      for (let j = 0; j < L; j++) maxDiff = Math.max(maxDiff, Math.abs(b.x[j] - batch.x[b.index * L + j]));
      for (let k = 0; k < FEATURE_COUNT; k++) maxDiff = Math.max(maxDiff, Math.abs(b.features[k] - batch.features[b.index * FEATURE_COUNT + k]));
    }
    expect(maxDiff).toBe(0);
    // Every beat was complete within the chunk that brought R + 11 samples (it needs R + 10 at 360 Hz).
    expect(Math.max(...got.slice(0, -2).map((b) => b.late))).toBeLessThanOrEqual(11 + 25);
  });

  it('is causal: the recording cut right after a beat\'s window gives that beat (and all before it) the same inputs', async () => {
    const { x, beats } = await record208();
    const full = causalRecordInputs(x, 360, beats, CAUSAL_WINDOW);
    for (const k of [0, 1, 17, 400, 1500]) {
      const end = new CausalBeatEncoder(360, CAUSAL_WINDOW).inputsNeeded(beats[k]);
      const cut = causalRecordInputs(x.subarray(0, end), 360, beats.subarray(0, k + 1), CAUSAL_WINDOW);
      expect(Array.from(cut.x)).toEqual(Array.from(full.x.subarray(0, (k + 1) * L)));
      expect(Array.from(cut.features)).toEqual(Array.from(full.features.subarray(0, (k + 1) * FEATURE_COUNT)));
    }
  });

  it('RR features use the past only: postRR repeats preRR, post/pre is 1, recordRR is the mean of the intervals so far', async () => {
    const { x, beats } = await record208();
    const { features: f } = causalRecordInputs(x, 360, beats, CAUSAL_WINDOW);
    for (const i of [5, 100, 2000]) {
      const o = i * FEATURE_COUNT;
      const pre = Math.min(3, Math.max(0.1, (beats[i] - beats[i - 1]) / 360));
      expect(f[o]).toBeCloseTo(pre, 5);
      expect(f[o + 1]).toBe(f[o]);
      expect(f[o + 7]).toBe(1);
      let sum = 0;
      for (let j = 1; j <= i; j++) sum += Math.min(3, Math.max(0.1, (beats[j] - beats[j - 1]) / 360));
      expect(f[o + 3]).toBeCloseTo(sum / i, 4);
    }
    // The first beat has no history: its own window is its template.
    expect(f[FEATURE_COUNT - 2]).toBeCloseTo(1, 5);
  });

  it('V beats correlate less with the running template than N beats do (the input carries the morphology)', async () => {
    const { x, beats, classes } = await record208();
    const { features: f } = causalRecordInputs(x, 360, beats, CAUSAL_WINDOW);
    const corr = (c: string): number => {
      const v: number[] = [];
      classes.forEach((k, i) => { if (k === c && i > 50) v.push(f[i * FEATURE_COUNT + FEATURE_COUNT - 2]); });
      v.sort((a, b) => a - b);
      return v[v.length >> 1];
    };
    expect(corr('N')).toBeGreaterThan(0.9);
    // measured: N 0.95, V 0.80 (the window ends 28 ms after R, so less of a V beat's shape is in it)
    expect(corr('V')).toBeLessThan(corr('N') - 0.1);
  });

  it('buildRecordBeats takes the causal path for a causal window and the offline one otherwise', async () => {
    const src = await openRecording(mitdbRecord('208'));
    try {
      const pos = beatsFromAnnotations(await readAnnotations(src, 'atr'));
      const causal = await buildRecordBeats(src, pos, { window: CAUSAL_WINDOW });
      const offline = await buildRecordBeats(src, pos, { window: DEFAULT_WINDOW });
      expect(causal.length).toBe(L);
      expect(offline.length).toBe(DEFAULT_WINDOW.before + DEFAULT_WINDOW.after);
      const { x } = await record208();
      expect(Array.from(causal.features.subarray(0, 50 * FEATURE_COUNT))).toEqual(Array.from(causalRecordInputs(x, 360, pos.samples, CAUSAL_WINDOW).features.subarray(0, 50 * FEATURE_COUNT)));
    } finally {
      await src.close();
    }
  });
});

it('the causal conditioner resamples on the same grid as the offline one and removes a constant baseline', () => {
  const c = new CausalConditioner(360, 180);
  const out: number[] = [];
  c.push(new Float32Array(3600).fill(2.5), (v) => out.push(v));
  expect(out.length).toBe(1800);
  expect(Math.max(...out.map(Math.abs))).toBeLessThan(1e-9);
  const d = new CausalConditioner(250, 180);
  let n = 0;
  d.push(new Float32Array(2500), () => n++);
  // 10 s at 250 Hz → samples at 0, 1/180 s, … up to the last one whose interpolation partner has arrived
  expect(n).toBe(Math.floor(((2500 - 1) * 180) / 250) + 1);
});

it('refuses a non-causal window, beats out of order and beats whose window has left the buffer', () => {
  expect(() => new CausalBeatEncoder(360, DEFAULT_WINDOW)).toThrow(ModelError);
  const enc = new CausalBeatEncoder(360, CAUSAL_WINDOW);
  enc.addBeat(1000);
  expect(() => enc.addBeat(1000)).toThrow(/not after the previous beat \(1000\)/);
  enc.push(new Float32Array(360 * 20));
  expect(() => enc.addBeat(1500)).toThrow(/left the encoder's 8 s buffer/);
});
