import { describe, expect, it } from 'vitest';
import { aamiClassOf } from '../../src-main/domain/aami.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { beatsFromAnnotations, buildRecordBeats, classCounts, FEATURE_NAMES, labelDetections, MODEL_CLASSES } from '../../src-main/model/dataset/beats.js';
import { CAUSAL_WINDOW, causalDetectorLeads, liveDetectorPositions } from '../../src-main/model/dataset/causal.js';
import { toPhysical, type RecordingSource, type SampleWindow } from '../../src-main/domain/recording.js';
import { detectQrsLive } from '../../src-main/signal/detect-qrs-live.js';
import { chooseLead } from '../../src-main/model/dataset/lead.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { medianFilter, resampleLinear } from '../../src-main/model/dataset/preprocess.js';
import { rrFeatures, RR_FEATURE_COUNT } from '../../src-main/model/dataset/rr.js';
import { DEFAULT_WINDOW, windowChannels, windowLength } from '../../src-main/model/dataset/windows.js';
import { ModelError } from '../../src-main/model/errors.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

describeMitdb('beat dataset from MIT-BIH', () => {
  it('chooses MLII by name (second signal of 114), falls back to the first lead (102 has no MLII), honours --lead', async () => {
    for (const [rec, name, index] of [['114', 'MLII', 1], ['102', 'V5', 0], ['100', 'MLII', 0]] as const) {
      const src = await openRecording(mitdbRecord(rec));
      expect(chooseLead(src.info)).toEqual({ index, name });
      await src.close();
    }
    const src = await openRecording(mitdbRecord('100'));
    expect(chooseLead(src.info, 'v5')).toEqual({ index: 1, name: 'V5' });
    expect(() => chooseLead(src.info, 'V9')).toThrow(ModelError);
    expect(() => chooseLead(src.info, 'V9')).toThrow(/no lead named 'V9'.*MLII, V5/);
    await src.close();
  });

  it('labels every AAMI beat of the reference with its class, and is deterministic', async () => {
    const a = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW, cacheDir: false });
    const b = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW, cacheDir: false });
    const src = await openRecording(mitdbRecord('119'));
    const anns = await readAnnotations(src, 'atr');
    await src.close();
    const expected = MODEL_CLASSES.map((c) => anns.filter((x) => aamiClassOf(x.symbol) === c).length);
    expect(classCounts(a)).toEqual(expected);
    expect(a.n).toBe(expected.reduce((s, v) => s + v, 0));
    expect(a.length).toBe(windowLength(DEFAULT_WINDOW));
    expect(a.leads).toEqual(['MLII']);
    expect(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer))).toBe(true);
    expect(Buffer.from(a.features.buffer).equals(Buffer.from(b.features.buffer))).toBe(true);
    // the cache returns exactly what a fresh build returns
    const c1 = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW });
    const c2 = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW });
    expect(Buffer.from(c2.x.buffer, c2.x.byteOffset, c2.x.byteLength).equals(Buffer.from(a.x.buffer))).toBe(true);
    expect(Array.from(c1.labels)).toEqual(Array.from(a.labels));
    // the template-difference channel is small for normal beats and large for the PVCs of 119
    const L = a.length;
    const energy = (k: number): number => {
      let e = 0;
      let n = 0;
      for (let i = 0; i < a.n; i++) if (a.labels[i] === k) { for (let t = 0; t < L; t++) e += a.x[i * L + t] ** 2; n++; }
      return e / n / L;
    };
    expect(energy(MODEL_CLASSES.indexOf('V'))).toBeGreaterThan(5 * energy(MODEL_CLASSES.indexOf('N')));
  });

  it('RR prematurity separates the ventricular ectopy of 119 (bigeminy) from its normal beats', async () => {
    const s = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW });
    const pre = FEATURE_NAMES.indexOf('pre/local');
    const mean = (k: number): number => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < s.n; i++) if (s.labels[i] === k) { sum += s.features[i * FEATURE_NAMES.length + pre]; n++; }
      return sum / n;
    };
    expect(mean(MODEL_CLASSES.indexOf('V'))).toBeLessThan(0.85);
    expect(mean(MODEL_CLASSES.indexOf('N'))).toBeGreaterThan(1);
  });

  it('a recording with no beats is a ModelError', async () => {
    const src = await openRecording(mitdbRecord('100'));
    await expect(buildRecordBeats(src, { samples: new Int32Array(0) }, { window: DEFAULT_WINDOW })).resolves.toMatchObject({ n: 0 });
    const anns = (await readAnnotations(src, 'atr')).filter((a) => a.symbol === '+');
    expect(beatsFromAnnotations(anns).samples.length).toBe(0);
    await src.close();
  });

  it('two-lead windows: channel 0 is the one-lead input, channel 1 the second lead\'s own (V1 of 119, V5 of 114), features from the first lead', async () => {
    const two = { ...DEFAULT_WINDOW, leads: 2 as const };
    for (const [rec, second] of [['119', 'V1'], ['114', 'V5']] as const) {
      const src = await openRecording(mitdbRecord(rec));
      const pos = beatsFromAnnotations(await readAnnotations(src, 'atr'));
      const a = await buildRecordBeats(src, pos, { window: two, labelledOnly: true });
      const one = await buildRecordBeats(src, pos, { window: DEFAULT_WINDOW, labelledOnly: true });
      const other = await buildRecordBeats(src, pos, { window: DEFAULT_WINDOW, lead: second, labelledOnly: true });
      await src.close();
      expect(a.channels).toBe(2);
      expect(windowChannels(two)).toEqual(['beat-minus-template', 'beat-minus-template-second-lead']);
      expect(a.leads).toEqual([`MLII+${second}`]);
      expect(a.n).toBe(one.n);
      const L = a.length;
      let same0 = true, same1 = true;
      for (let k = 0; k < a.n * L; k++) {
        if (a.x[2 * k] !== one.x[k]) same0 = false;
        if (a.x[2 * k + 1] !== other.x[k]) same1 = false;
      }
      expect(same0).toBe(true);
      expect(same1).toBe(true);
      expect(Array.from(a.features)).toEqual(Array.from(one.features));
      expect(Array.from(a.labels)).toEqual(Array.from(one.labels));
    }
    // the cache keeps one- and two-lead sets apart
    const c1 = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW });
    const c2 = await loadLabelledRecord(mitdbRecord('119'), { window: two });
    expect([c1.channels, c2.channels]).toEqual([1, 2]);
  });

  it('beat channel (train --beat-channel): channel 0 is the usual input, channel 1 the beat over the template\'s spread, offline and causal (232)', async () => {
    const src = await openRecording(mitdbRecord('232'));
    const pos = beatsFromAnnotations(await readAnnotations(src, 'atr'));
    for (const base of [DEFAULT_WINDOW, CAUSAL_WINDOW]) {
      const w = { ...base, beat: true as const };
      const a = await buildRecordBeats(src, pos, { window: w, labelledOnly: true });
      const one = await buildRecordBeats(src, pos, { window: base, labelledOnly: true });
      expect(windowChannels(w)).toEqual(['beat-minus-template', 'beat']);
      expect([a.channels, a.n, a.length]).toEqual([2, one.n, one.length]);
      const L = a.length;
      let same0 = true;
      for (let k = 0; k < a.n * L; k++) if (a.x[2 * k] !== one.x[k]) same0 = false;
      expect(same0).toBe(true);
      expect(Array.from(a.features)).toEqual(Array.from(one.features));
      // The beat and the difference differ by the template only: (beat − mean)/σ − (beat − t)/σ is the same for
      // every beat wherever neither is clipped; on the offline window that is one fixed template for the record.
      if (!base.causal) {
        let maxSpread = 0;
        for (let j = 0; j < L; j++) {
          let lo = Infinity, hi = -Infinity;
          for (let i = 0; i < a.n; i++) {
            const b = a.x[(i * L + j) * 2 + 1], d = a.x[(i * L + j) * 2];
            if (Math.abs(b) >= 20 || Math.abs(d) >= 20) continue;
            lo = Math.min(lo, b - d); hi = Math.max(hi, b - d);
          }
          maxSpread = Math.max(maxSpread, hi - lo);
        }
        expect(maxSpread).toBeLessThan(1e-4);
      }
      // The beat channel is not the difference again: it carries the recording's own QRS.
      let energy = 0;
      for (let i = 0; i < a.n; i++) energy += a.x[(i * L + w.before) * 2 + 1] ** 2;
      expect(energy / a.n).toBeGreaterThan(1);
    }
    await expect(buildRecordBeats(src, pos, { window: { ...DEFAULT_WINDOW, leads: 2, beat: true } })).rejects.toThrow(/either two leads or the beat channel/);
    await src.close();
  });

  it('a two-lead model on a one-lead recording is a ModelError naming the file and its only lead', async () => {
    const src = await openRecording(mitdbRecord('100'));
    const oneLead = { ...src, info: { ...src.info, signals: [src.info.signals[0]] } };
    const pos = beatsFromAnnotations(await readAnnotations(src, 'atr'));
    const p = buildRecordBeats(oneLead, pos, { window: { ...DEFAULT_WINDOW, leads: 2 } });
    await expect(p).rejects.toThrow(ModelError);
    await expect(buildRecordBeats(oneLead, pos, { window: { ...DEFAULT_WINDOW, leads: 2 } })).rejects.toThrow(/100.*second ECG lead.*only MLII/);
    await expect(buildRecordBeats(src, pos, { window: { ...DEFAULT_WINDOW, leads: 2, causal: true } })).rejects.toThrow(/two-lead windows have no causal form/);
    await src.close();
  });
});

describeMitdb('training beats where the live detector finds them (causal models)', () => {
  it('read by windows give exactly the beats of one whole-record pass of the live detector (208, 7 s and 10 min windows)', async () => {
    const src = await openRecording(mitdbRecord('208'));
    const all = await src.read({});
    const whole = detectQrsLive(causalDetectorLeads(all.signals.map((x) => toPhysical(x)), 0), src.info.fs);
    const reads: number[] = [];
    const spy = { ...src, info: src.info, read: (w?: SampleWindow) => { reads.push((w?.to ?? src.info.length) - (w?.from ?? 0)); return src.read(w); } } as RecordingSource;
    for (const blocks of [7, 600]) {
      reads.length = 0;
      expect(Array.from(await liveDetectorPositions(spy, 0, blocks))).toEqual(Array.from(whole));
      expect(Math.max(...reads)).toBe(blocks * 360);
    }
    expect(whole.length).toBeGreaterThan(2900);
    await src.close();
  });

  it('are the live detector\'s positions, each labelled by the atr beat within 150 ms; false detections stay unlabelled', async () => {
    const src = await openRecording(mitdbRecord('119'));
    const anns = await readAnnotations(src, 'atr');
    const detected = await liveDetectorPositions(src, 0);
    const set = await loadLabelledRecord(mitdbRecord('119'), { window: CAUSAL_WINDOW, positions: 'live-detector', cacheDir: false });
    const atrSet = await loadLabelledRecord(mitdbRecord('119'), { window: CAUSAL_WINDOW, cacheDir: false });
    await src.close();
    const ref = anns.filter((a) => aamiClassOf(a.symbol) !== undefined && MODEL_CLASSES.includes(aamiClassOf(a.symbol)!));
    // every labelled beat is a detection, within 150 ms of an atr beat of its class
    const det = new Set(detected);
    let far = 0;
    for (let i = 0; i < set.n; i++) {
      expect(det.has(set.samples[i])).toBe(true);
      let best = ref[0];
      for (const a of ref) if (Math.abs(a.sample - set.samples[i]) < Math.abs(best.sample - set.samples[i])) best = a;
      if (Math.abs(best.sample - set.samples[i]) > 54 || MODEL_CLASSES[set.labels[i]] !== aamiClassOf(best.symbol)) far++;
    }
    expect(far).toBe(0);
    // 119's ventricular bigeminy survives: nearly all of its beats and PVCs are found and labelled
    expect(set.n).toBeGreaterThan(0.99 * atrSet.n);
    const counts = classCounts(set), atrCounts = classCounts(atrSet);
    expect(counts[MODEL_CLASSES.indexOf('V')]).toBeGreaterThan(0.98 * atrCounts[MODEL_CLASSES.indexOf('V')]);
    // not the atr positions: the detector's fiducials differ from the annotators' for most beats
    const atrPos = new Set(atrSet.samples);
    expect(Array.from(set.samples).filter((p) => !atrPos.has(p)).length).toBeGreaterThan(0.5 * set.n);
  });

  it('labelDetections: nearest unused reference beat within the tolerance, else none', () => {
    const anns = [{ sample: 100, symbol: 'N' }, { sample: 300, symbol: 'V' }, { sample: 320, symbol: 'A' }, { sample: 900, symbol: '+' }] as never;
    const r = labelDetections(Int32Array.from([90, 310, 315, 600, 905]), anns, 360);
    expect(r.classes).toEqual(['N', 'V', 'S', undefined, undefined]);
  });

  it('are refused for offline windows (those models are trained at the annotations)', async () => {
    await expect(loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW, positions: 'live-detector', cacheDir: false })).rejects.toThrow(/live detector are for causal windows/);
  });
});

describe('signal conditioning and RR features', () => {
  it('median filter equals a brute-force median', () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.3) + ((i * 7919) % 13) / 13);
    const y = medianFilter(x, 9);
    for (const i of [0, 3, 50, 120, 199]) {
      const w = Array.from(x.slice(Math.max(0, i - 4), Math.min(200, i + 5))).sort((a, b) => a - b);
      const med = w.length % 2 ? w[w.length >> 1] : (w[w.length / 2 - 1] + w[w.length / 2]) / 2;
      expect(y[i]).toBeCloseTo(med, 5);
    }
  });

  it('resampling keeps a slow sine', () => {
    const fs = 360;
    const x = Float32Array.from({ length: 3600 }, (_, i) => Math.sin((2 * Math.PI * 2 * i) / fs));
    const y = resampleLinear(x, fs, 180);
    expect(y.length).toBe(1800);
    for (const i of [100, 900, 1500]) expect(y[i]).toBeCloseTo(Math.sin((2 * Math.PI * 2 * i) / 180), 1);
  });

  it('a premature beat has pre/local < 1 and post/pre > 1', () => {
    const t = [0, 1, 2, 3, 3.6, 5, 6, 7, 8];
    const f = rrFeatures(t);
    const i = 4;
    expect(f[i * RR_FEATURE_COUNT]).toBeCloseTo(0.6, 5);
    expect(f[i * RR_FEATURE_COUNT + 4]).toBeLessThan(0.7);
    expect(f[i * RR_FEATURE_COUNT + 7]).toBeGreaterThan(2);
  });
});
