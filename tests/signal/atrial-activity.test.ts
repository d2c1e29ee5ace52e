/**
 * QRS-locked atrial activity (signal/atrial-activity.ts) on MIT-BIH: sinus beats share a P wave, AF beats do not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceAfEpisodes } from '../../src-main/evaluation/af-episodes.js';
import { beatsOfAnnotations } from '../../src-main/rhythm/index.js';
import { atrialActivity, atrialActivityOfLead, keepLarger, LiveAtrialActivity } from '../../src-main/signal/index.js';
import { resample } from '../../src-main/signal/resample.js';
import { describeMitdb } from '../helpers/data.js';
import { loadRecord, type LoadedRecord } from './records.js';

const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median score of the record's beats inside and outside its reference AF. */
function split(rec: LoadedRecord, score: Float32Array, samples: ArrayLike<number>): { af: number; other: number } {
  const eps = referenceAfEpisodes(rec.atr, rec.fs, rec.length);
  const inAf = (s: number): boolean => eps.some((e) => s / rec.fs >= e.start && s / rec.fs < e.end);
  const af: number[] = [], other: number[] = [];
  for (let i = 0; i < samples.length; i++) if (!Number.isNaN(score[i])) (inAf(samples[i]) ? af : other).push(score[i]);
  return { af: af.length ? median(af) : NaN, other: other.length ? median(other) : NaN };
}

describeMitdb('atrial activity on MIT-BIH', () => {
  const recs: Record<string, LoadedRecord> = {};
  beforeAll(async () => { for (const r of ['100', '201', '210']) recs[r] = await loadRecord(r); });
  const scoreOf = (r: string, leads = recs[r].leads, fs = recs[r].fs, scale = 1) => {
    const b = beatsOfAnnotations(recs[r].atr, recs[r].fs, recs[r].length, r);
    const samples = Int32Array.from(b.samples, (s) => Math.round((s * fs) / recs[r].fs));
    return { b, samples, score: atrialActivity(leads.map((l) => (scale === 1 ? l : l.map((v) => v * scale))), fs, samples, b.labels) };
  };

  it('201: its AF beats score far below its sinus beats (medians < 0.2 and > 2)', () => {
    const { samples, score } = scoreOf('201');
    const m = split(recs['201'], score, samples);
    expect(m.af).toBeLessThan(0.2); // measured 0.075
    expect(m.other).toBeGreaterThan(2); // measured 6.3
  });

  it('100 (sinus rhythm throughout): 99 % of its beats score above 1; 210 (AF throughout): its median is below 0.2', () => {
    const s100 = Array.from(scoreOf('100').score).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    expect(s100.length).toBeGreaterThan(2200);
    expect(s100[Math.floor(0.01 * s100.length)]).toBeGreaterThan(1); // measured 6.1
    const { samples, score } = scoreOf('210');
    expect(split(recs['210'], score, samples).af).toBeLessThan(0.2); // measured 0.085
  });

  it('is a ratio: the leads\' gain does not change it; at 250 Hz it separates the same way', () => {
    const a = scoreOf('201').score, b = scoreOf('201', undefined, undefined, 37).score;
    for (let i = 0; i < a.length; i += 97) if (!Number.isNaN(a[i])) expect(b[i]).toBeCloseTo(a[i], 3);
    const at250 = recs['201'].leads.map((l) => Float32Array.from(resample(l, 360, 250)));
    const { samples, score } = scoreOf('201', at250, 250);
    const m = split(recs['201'], score, Int32Array.from(samples, (s) => Math.round((s * 360) / 250)));
    expect(m.af).toBeLessThan(0.2);
    expect(m.other).toBeGreaterThan(2);
  });

  it('the leads are combined beat by beat by the larger score; NaN where a window has too few N beats', () => {
    const { b } = scoreOf('100');
    const one = [0, 1].map((k) => atrialActivity([recs['100'].leads[k]], 360, b.samples, b.labels));
    const both = atrialActivity(recs['100'].leads, 360, b.samples, b.labels);
    expect(Array.from(both)).toEqual(Array.from(keepLarger(Float32Array.from(one[0]), one[1])));
    // every beat called V: nothing to average
    expect(Array.from(atrialActivity(recs['100'].leads, 360, b.samples, 'V'.repeat(b.samples.length))).every(Number.isNaN)).toBe(true);
  });

  it('read window by window (a minute and a few seconds at a time), a lead gives the scores it gives held whole', async () => {
    const { b } = scoreOf('201');
    const lead = recs['201'].leads[1];
    const reads: number[] = [];
    const byWindow = await atrialActivityOfLead(async (from, to) => { reads.push(to - from); return lead.subarray(from, to); }, lead.length, 360, b.samples, b.labels);
    expect(Array.from(byWindow)).toEqual(Array.from(atrialActivity([lead], 360, b.samples, b.labels)));
    expect(Math.max(...reads)).toBeLessThanOrEqual(66 * 360);
  });

  /** The live score of each beat: the leads in 10-ms packets, each beat given once 30 ms after its R peak has arrived. */
  const live = (r: string): { samples: Int32Array; score: Float32Array } => {
    const rec = recs[r];
    const b = beatsOfAnnotations(rec.atr, rec.fs, rec.length, r);
    const l = new LiveAtrialActivity(rec.fs, rec.leads.length);
    const score = new Float32Array(b.samples.length);
    let k = 0;
    for (let from = 0; from < rec.length; from += 36) {
      const to = Math.min(rec.length, from + 36);
      l.push(rec.leads.map((x) => x.subarray(from, to)));
      for (; k < b.samples.length && b.samples[k] + 11 <= to; k++) score[k] = l.beat(b.samples[k], b.labels[k]);
    }
    return { samples: Int32Array.from(b.samples), score };
  };

  it('live, as a monitor gets it (the window ending at the newest beat): the same separation as offline', () => {
    const s100 = Array.from(live('100').score).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    expect(s100[Math.floor(0.01 * s100.length)]).toBeGreaterThan(1); // measured 11.7; offline 6.1
    for (const r of ['201', '210']) {
      const { samples, score } = live(r);
      expect(split(recs[r], score, samples).af, r).toBeLessThan(0.2); // measured 0.070 and 0.094; offline 0.075, 0.085
    }
    expect(split(recs['201'], live('201').score, live('201').samples).other).toBeGreaterThan(2); // measured 8.2
  });
});

describe('atrial activity: bad input', () => {
  const lead = new Float32Array(10_000);
  const samples = Int32Array.from([1000, 2000, 3000]);
  it('names what is wrong', () => {
    expect(() => atrialActivity([lead], 0, samples, 'NNN')).toThrow(/sampling rate/);
    expect(() => atrialActivity([lead], 360, samples, 'NN')).toThrow(/3 beat times but 2 labels/);
    expect(() => atrialActivity([], 360, samples, 'NNN')).toThrow(/no leads/);
    expect(() => atrialActivity([lead], 360, samples, 'NNN', { from: 0.05, to: 0.1 })).toThrow(/PR segment/);
    expect(() => atrialActivity([lead], 360, samples, 'NNN', { windowBeats: 4 })).toThrow(/window/);
    expect(() => new LiveAtrialActivity(360, 0)).toThrow(/whole number ≥ 1 of leads, got 0/);
    expect(() => new LiveAtrialActivity(360, 2).push([lead])).toThrow(/1 leads given, 2 expected/);
  });
});
