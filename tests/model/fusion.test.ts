import { beforeAll, expect, it } from 'vitest';
import { concatBeatSets, FEATURE_COUNT, MODEL_CLASSES, subsetBeats, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { RR_FEATURE_COUNT } from '../../src-main/model/dataset/rr.js';
import { DEFAULT_WINDOW } from '../../src-main/model/dataset/windows.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { mulberry32 } from '../../src-main/evaluation/random.js';
import { drawFusion, fuse, fusionSources } from '../../src-main/model/train/fusion.js';
import { trainModel } from '../../src-main/model/train/train.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const N = MODEL_CLASSES.indexOf('N');
const V = MODEL_CLASSES.indexOf('V');
let s: BeatSet;

describeMitdb('synthetic fusion beats (real beats of 119 and 208)', () => {
  beforeAll(async () => {
    await initEngine({ prefer: 'wasm' });
    const parts: BeatSet[] = [];
    for (const r of ['119', '208']) {
      const b = await loadLabelledRecord(mitdbRecord(r), { window: DEFAULT_WINDOW });
      parts.push(subsetBeats(b, Array.from({ length: 300 }, (_, i) => Math.floor((i * b.n) / 300))));
    }
    s = concatBeatSets(parts);
  });

  it('draws a V and an N beat of the same record, from every record with ventricular ectopy', () => {
    const all = Array.from({ length: s.n }, (_, i) => i);
    const src = fusionSources(s, all);
    expect(src).toHaveLength(2); // 119 (bigeminy) and 208 (frequent PVCs) both lend shapes
    const rnd = mulberry32(3);
    const seen = new Set<number>();
    for (let k = 0; k < 200; k++) {
      const d = drawFusion(src, rnd);
      expect(s.labels[d.v]).toBe(V);
      expect(s.labels[d.n]).toBe(N);
      expect(s.recordIndex[d.v]).toBe(s.recordIndex[d.n]);
      expect(d.alpha).toBeGreaterThanOrEqual(0.3);
      expect(d.alpha).toBeLessThanOrEqual(0.7);
      seen.add(s.recordIndex[d.v]);
    }
    expect(seen.size).toBe(2);
  });

  it('the fused window is α·V + (1−α)·N, with the sinus beat\'s RR features', () => {
    const src = fusionSources(s, Array.from({ length: s.n }, (_, i) => i));
    const d = drawFusion(src, mulberry32(9));
    const w = s.length * s.channels;
    const x = new Float32Array(w);
    const f = new Float32Array(FEATURE_COUNT);
    fuse(s, d, x, f);
    for (let j = 0; j < w; j++) expect(x[j]).toBeCloseTo(Math.max(-20, Math.min(20, d.alpha * s.x[d.v * w + j] + (1 - d.alpha) * s.x[d.n * w + j])), 5);
    for (let q = 0; q < RR_FEATURE_COUNT; q++) expect(f[q]).toBe(s.features[d.n * FEATURE_COUNT + q]);
    // the template correlation lies between the two beats' own
    const q = RR_FEATURE_COUNT;
    const [a, b] = [s.features[d.v * FEATURE_COUNT + q], s.features[d.n * FEATURE_COUNT + q]];
    expect(f[q]).toBeGreaterThanOrEqual(Math.min(a, b) - 1e-6);
    expect(f[q]).toBeLessThanOrEqual(Math.max(a, b) + 1e-6);
  });

  it('training with fusion synthesis is seeded (same seed → same weights) and differs from training without', async () => {
    const cfg = { arch: 'cnn' as const, epochs: 1, seed: 5, batchSize: 32, augment: false, patience: 0, balancedSampling: true, epochSize: 320, classWeightPower: 1 };
    const a = await trainModel(s, null, { ...cfg, fusionSynthesis: 1 });
    const b = await trainModel(s, null, { ...cfg, fusionSynthesis: 1 });
    const c = await trainModel(s, null, { ...cfg, fusionSynthesis: 0 });
    const w = (m: typeof a) => m.model.getWeights().map((t) => Array.from(t.dataSync()));
    expect(w(b)).toEqual(w(a));
    expect(w(c)).not.toEqual(w(a));
    expect(Number.isFinite(a.history[0].loss)).toBe(true);
    for (const m of [a, b, c]) m.model.dispose();
  });

  it('refuses fusion synthesis without class-balanced sampling', async () => {
    await expect(trainModel(s, null, { arch: 'cnn', epochs: 1, seed: 1, fusionSynthesis: 0.5, balancedSampling: false })).rejects.toThrow(/balanced sampling/);
  });
});
