import { describe, expect, it } from 'vitest';
import { MITDB_PACED_RECORDS } from '../../src-main/domain/mitdb.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import {
  alternationEpisodes, beatsOfAnnotations, ectopicSalvos, lombSpectrum, nnIntervals, RhythmError, summarizeHolter, DEFAULT_HOLTER_SETTINGS, type LabelledBeats,
} from '../../src-main/rhythm/index.js';
import { describeMitdb, mitdbRecord, MITDB_RECORDS } from '../helpers/data.js';

/** Beats at the given RR intervals (s) from t = 1 s, at 250 Hz, labelled by `labels` (one letter per beat). */
function beatsAt(rr: number[], labels: string, fs = 250): LabelledBeats {
  const samples = [fs];
  for (const r of rr) samples.push(samples[samples.length - 1] + Math.round(r * fs));
  expect(labels.length).toBe(samples.length);
  return { fs, samples: Int32Array.from(samples), labels, source: 'synthetic' };
}

describe('Holter summary on synthetic rhythms with known answers', () => {
  it('a steady 75 bpm sinus rhythm has no variability, no ectopy and no pauses', () => {
    const n = 751; // 10 minutes at 0.8 s
    const s = summarizeHolter(beatsAt(new Array(n - 1).fill(0.8), 'N'.repeat(n)));
    expect(s.heartRate.mean).toBeCloseTo(75, 6);
    expect(s.heartRate.min!.bpm).toBeCloseTo(75, 6);
    expect(s.heartRate.max!.bpm).toBeCloseTo(75, 6);
    expect(s.hrv).toMatchObject({ nnCount: n - 1, nnExcluded: 0, pnn50: 0, triangularIndex: 1 }); // one histogram bin holds all
    expect(s.hrv.sdnn).toBeCloseTo(0, 9);
    expect(s.hrv.rmssd).toBeCloseTo(0, 9);
    expect(s.hrv.meanNN).toBeCloseTo(800, 9);
    expect(s.hrv.sdann).toBeCloseTo(0, 9); // two full 5-minute segments
    expect(s.ectopy.V.total + s.ectopy.S.total + s.pauses.count).toBe(0);
  });

  it('alternating 800/900 ms intervals give RMSSD 100 ms, pNN50 100 % and SDNN the sample SD', () => {
    const rr = Array.from({ length: 400 }, (_, i) => (i % 2 ? 0.9 : 0.8));
    const s = summarizeHolter(beatsAt(rr, 'N'.repeat(401)));
    expect(s.hrv.rmssd).toBeCloseTo(100, 6);
    expect(s.hrv.pnn50).toBe(100);
    expect(s.hrv.meanNN).toBeCloseTo(850, 6);
    expect(s.hrv.sdnn).toBeCloseTo(50 * Math.sqrt(400 / 399), 6);
  });

  it('frequency domain: a 0.25 Hz (respiratory) modulation lands in HF, a 0.1 Hz one in LF, with the variance as power', () => {
    const modulated = (hz: number, amp: number): LabelledBeats => {
      const rr: number[] = [];
      for (let t = 0; t < 600; ) { const v = 0.8 + (amp / 1000) * Math.sin(2 * Math.PI * hz * t); rr.push(v); t += v; }
      return beatsAt(rr, 'N'.repeat(rr.length + 1));
    };
    const hf = summarizeHolter(modulated(0.25, 40)).hrv.frequency!;
    expect(hf.segments).toBe(2);
    expect(hf.hf).toBeGreaterThan(0.9 * 800); // variance of 40 sin(): 800 ms²
    expect(hf.hf).toBeLessThan(1.05 * 800);
    expect(hf.lf + hf.vlf).toBeLessThan(0.05 * hf.hf);
    expect(hf.hfNu!).toBeGreaterThan(95);
    const lf = summarizeHolter(modulated(0.1, 30)).hrv.frequency!;
    expect(lf.lf).toBeGreaterThan(0.9 * 450);
    expect(lf.lf).toBeLessThan(1.05 * 450);
    expect(lf.lfHf!).toBeGreaterThan(20);
  });

  it('the rotated Lomb–Scargle periodogram equals Lomb\'s formula evaluated directly', () => {
    const t: number[] = [], x: number[] = [];
    for (let k = 0, tk = 0; k < 300; k++) { tk += 0.6 + 0.4 * Math.abs(Math.sin(k * 12.9898)); t.push(tk); x.push(800 + 50 * Math.sin(k * 78.233)); }
    const { f, psd } = lombSpectrum(t, x);
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const direct = (fr: number): number => {
      const w = 2 * Math.PI * fr;
      const tau = Math.atan2(t.reduce((a, ti) => a + Math.sin(2 * w * ti), 0), t.reduce((a, ti) => a + Math.cos(2 * w * ti), 0)) / (2 * w);
      let yc = 0, ys = 0, cc = 0, ss = 0;
      t.forEach((ti, i) => { const c = Math.cos(w * (ti - tau)), s = Math.sin(w * (ti - tau)); yc += (x[i] - mean) * c; ys += (x[i] - mean) * s; cc += c * c; ss += s * s; });
      return yc * yc / cc + ys * ys / ss;
    };
    // the spectrum is scaled to the variance: compare shapes through the ratio at two frequencies, and each point
    const scale = psd[10] / direct(f[10]);
    for (const j of [0, 10, 59, 150, f.length - 1]) expect(psd[j] / scale).toBeCloseTo(direct(f[j]), 6);
  });

  it('NN intervals never touch an ectopic beat, and the range and outlier filters drop missed beats', () => {
    // N N V N N [missed beat: 1.6 s] N N ... ; V's neighbours give no NN interval
    const rr = [0.8, 0.5, 1.1, 0.8, 1.6, ...new Array(40).fill(0.8), 2.4, 0.8];
    const b = beatsAt(rr, `NNVNN${'N'.repeat(41)}NN`);
    const nn = nnIntervals(b, DEFAULT_HOLTER_SETTINGS);
    const ends = Array.from(nn.endBeat);
    expect(ends).not.toContain(2); // N→V
    expect(ends).not.toContain(3); // V→N
    const dropped = Array.from(nn.seconds).filter((_, k) => !nn.kept[k]).map((v) => Math.round(v * 10) / 10).sort();
    expect(dropped).toEqual([1.6, 2.4]); // 1.6 s: > 20 % from its neighbours' mean; 2.4 s: outside 0.4–2.0 s
  });

  it('counts isolated beats, couplets, runs, bigeminy and trigeminy from the labels', () => {
    //            bigeminy ×3   couplet   run of 4   trigeminy ×3      S run of 3
    const labels = 'NVNVNVN' + 'NVVN' + 'NVVVVN' + 'NNVNNVNNVN' + 'NSSSNN';
    const b = beatsAt(new Array(labels.length - 1).fill(0.6), labels);
    const v = summarizeHolter(b).ectopy.V;
    expect(v.total).toBe(3 + 2 + 4 + 3);
    expect([v.isolated, v.couplets, v.runs, v.beatsInRuns]).toEqual([6, 1, 1, 4]);
    expect(v.longestRun).toMatchObject({ beats: 4, firstBeat: 12 });
    expect(v.longestRun!.rate).toBeCloseTo(100, 6);
    expect(v.tachycardiaRuns).toBe(1);
    expect(v.bigeminy).toMatchObject({ episodes: 1, cycles: 3 });
    expect(v.trigeminy).toMatchObject({ episodes: 1, cycles: 3 });
    expect(ectopicSalvos(b, 'S').map((x) => x.beats)).toEqual([3]);
    // two cycles are not an episode at the default of three
    expect(alternationEpisodes(beatsAt([0.6, 0.6, 0.6, 0.6], 'NVNVN'), 'V', 1, 3)).toEqual([]);
    // a fusion beat ends a run
    expect(ectopicSalvos(beatsAt([0.6, 0.6, 0.6, 0.6], 'VVFVV'), 'V').map((x) => x.beats)).toEqual([2, 2]);
  });

  it('finds pauses at the threshold and tabulates hour by hour', () => {
    const rr = [...new Array(4000).fill(0.9), 3.0, ...new Array(1000).fill(0.9), 2.0];
    const b = { ...beatsAt(rr, 'N'.repeat(rr.length + 1)), length: 250 * 3600 * 2 };
    const s = summarizeHolter(b);
    expect(s.pauses.count).toBe(2);
    expect(s.pauses.longest!.seconds).toBeCloseTo(3.0, 6);
    expect(summarizeHolter(b, { pauseSeconds: 2.5 }).pauses.count).toBe(1);
    expect(s.hourly.map((h) => h.hour)).toEqual([0, 1]);
    expect(s.hourly.reduce((a, h) => a + h.beats, 0)).toBe(s.beats);
    expect(s.hourly[0].pauses + s.hourly[1].pauses).toBe(2);
  });

  it('rejects beats out of order, labels that do not match, and settings out of range, naming the input', () => {
    expect(() => summarizeHolter({ fs: 250, samples: [10, 5], labels: 'NN', source: 'x.cls' })).toThrow(/x\.cls.*beat 2 \(sample 5\) does not come after beat 1/);
    expect(() => summarizeHolter({ fs: 250, samples: [10, 20], labels: 'N', source: 'x.cls' })).toThrow(/x\.cls.*2 beat times but 1 labels/);
    expect(() => summarizeHolter({ fs: 0, samples: [], labels: '', source: 'x.cls' })).toThrow(RhythmError);
    expect(() => summarizeHolter({ fs: 250, samples: [10, 20], labels: 'NN', length: 15, source: 'x.cls' })).toThrow(/ends before the last beat/);
    expect(() => summarizeHolter(beatsAt([0.8], 'NN'), { pauseSeconds: 0 })).toThrow(/pause threshold/);
    expect(() => summarizeHolter(beatsAt([0.8], 'NN'), { minNN: 2, maxNN: 1 })).toThrow(/NN range/);
    expect(() => summarizeHolter(beatsAt([0.8], 'NN'), { minCycles: 1 })).toThrow(/cycles/);
  });
});

/** The cardiologists' rhythm episodes of a record: `(VT`, `(B`, … from each `+` annotation to the next. */
async function atrOf(record: string): Promise<{ beats: LabelledBeats; episodes: Map<string, [number, number][]> }> {
  const src = await openRecording(mitdbRecord(record));
  try {
    const anns = await readAnnotations(src, 'atr');
    const rhythm = anns.filter((a) => a.symbol === '+');
    const episodes = new Map<string, [number, number][]>();
    rhythm.forEach((a, k) => {
      const name = a.aux.replace(/\0/g, '');
      if (!episodes.has(name)) episodes.set(name, []);
      episodes.get(name)!.push([a.sample / src.info.fs, (k + 1 < rhythm.length ? rhythm[k + 1].sample : src.info.length) / src.info.fs]);
    });
    return { beats: beatsOfAnnotations(anns, src.info.fs, src.info.length, `${record}.atr`), episodes };
  } finally {
    await src.close();
  }
}

const overlaps = (a: { start: number; end: number }, [s, e]: [number, number]): boolean => a.start <= e && a.end >= s;

describeMitdb('Holter summary of MIT-BIH reference labels against the cardiologists\' rhythm annotations', () => {
  // Paced records are left out: their bigeminy alternates paced (Q) and ventricular beats.
  const records = MITDB_RECORDS.filter((r) => !(MITDB_PACED_RECORDS as readonly string[]).includes(r));

  it('finds the ventricular runs, bigeminy, trigeminy and supraventricular runs the cardiologists marked', async () => {
    const tally: Record<string, { marked: number; found: number }> = {};
    let ourVRuns = 0, ourVRunsInVt = 0;
    const svtaInAf: string[] = [];
    for (const r of records) {
      const { beats, episodes } = await atrOf(r);
      const s = summarizeHolter(beats);
      const ours: Record<string, { start: number; end: number }[]> = {
        '(VT': s.ectopy.V.runList, '(B': s.ectopy.V.bigeminy.list, '(T': s.ectopy.V.trigeminy.list, '(SVTA': s.ectopy.S.runList,
      };
      for (const [rhythm, found] of Object.entries(ours)) {
        const marked = episodes.get(rhythm) ?? [];
        const t = (tally[rhythm] ??= { marked: 0, found: 0 });
        t.marked += marked.length;
        t.found += marked.filter((ep) => found.some((x) => overlaps(x, ep))).length;
      }
      // an (SVTA the S runs leave out lies inside AF the summary found: its S beats count as conducted AF there
      const svta = episodes.get('(SVTA') ?? [];
      svtaInAf.push(...svta.filter((ep) => !s.ectopy.S.runList.some((x) => overlaps(x, ep)) && s.af.list.some((a) => a.start <= ep[0] && a.end >= ep[1])).map(() => r));
      ourVRuns += s.ectopy.V.runs;
      // a slow run is an idioventricular rhythm, which the cardiologists marked as (IVR
      const ventricular = ['(VT', '(IVR', '(VFL'].flatMap((k) => episodes.get(k) ?? []);
      ourVRunsInVt += s.ectopy.V.runList.filter((x) => ventricular.some((ep) => overlaps(x, ep))).length;
    }
    // measured: (VT 58 of 60, (B 211 of 212, (T 79 of 83, (SVTA 23 of 26 as S runs and the other 3 inside AF found
    // around them (201's before its last AF, two among 222's flutter and AF); 62 of our 63 V runs lie in (VT, (IVR or (VFL
    expect(tally['(VT'].marked).toBeGreaterThan(50);
    for (const [rhythm, t] of Object.entries(tally)) {
      const inAf = rhythm === '(SVTA' ? svtaInAf.length : 0;
      expect((t.found + inAf) / t.marked, rhythm).toBeGreaterThanOrEqual(0.94);
    }
    expect(svtaInAf).toEqual(['201', '222', '222']);
    expect(ourVRunsInVt / ourVRuns).toBeGreaterThanOrEqual(0.95);
  });

  it('record 232: the long pauses of its sick sinus (up to 6 s in the database directory), and counts that add up', async () => {
    const { beats } = await atrOf('232');
    const s = summarizeHolter(beats);
    expect(s.pauses.longest!.seconds).toBeGreaterThan(5.5);
    expect(s.pauses.longest!.seconds).toBeLessThan(6.5);
    expect(s.pauses.count).toBeGreaterThan(50);
    expect(s.counts).toEqual({ N: 397 + 1, S: 1382, V: 0, F: 0, Q: 0 });
    expect(s.hourly[0].counts).toEqual(s.counts);
    expect(s.heartRate.min!.bpm).toBeLessThan(60); // sinus bradycardia
  });

  it('HRV: NN intervals are exactly the N–N neighbours in a clean sinus record, and atrial fibrillation varies more', async () => {
    const { beats } = await atrOf('100');
    const direct: number[] = [];
    for (let i = 1; i < beats.samples.length; i++) if (beats.labels[i] === 'N' && beats.labels[i - 1] === 'N') direct.push((beats.samples[i] - beats.samples[i - 1]) / beats.fs * 1000);
    const s = summarizeHolter(beats);
    expect(s.hrv.nnCount + s.hrv.nnExcluded).toBe(direct.length);
    const mean = direct.reduce((a, v) => a + v, 0) / direct.length;
    expect(s.hrv.meanNN).toBeCloseTo(mean, 6);
    expect(s.hrv.nnExcluded).toBe(0);
    expect(s.hrv.sdnn).toBeCloseTo(Math.sqrt(direct.reduce((a, v) => a + (v - mean) ** 2, 0) / (direct.length - 1)), 6);
    // 203 is in atrial fibrillation or flutter for most of its length; 100 is sinus rhythm
    const af = summarizeHolter((await atrOf('203')).beats);
    expect(af.hrv.rmssd!).toBeGreaterThan(3 * s.hrv.rmssd!);
    expect(af.hrv.pnn50!).toBeGreaterThan(5 * s.hrv.pnn50!);
  });
});
