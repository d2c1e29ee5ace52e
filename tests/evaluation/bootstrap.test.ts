import { describe, expect, it } from 'vitest';
import { recordBootstrap } from '../../src-main/evaluation/bootstrap.js';
import { figureDifferenceIntervals, figureIntervals, figuresFromCounts } from '../../src-main/evaluation/class-figures.js';

/** A bxb 7×7 matrix (rows N S V F Q O X) from a few cells. */
function bxb(cells: [number, number, number][]): Int32Array {
  const m = new Int32Array(49);
  for (const [r, c, v] of cells) m[r * 7 + c] = v;
  return m;
}

describe('record bootstrap', () => {
  const ratio = (s: Float64Array): { r: number | null } => ({ r: s[1] > 0 ? s[0] / s[1] : null });

  it('spans both records when one scores 0 and the other 1, and is the point itself for one record', () => {
    const two = recordBootstrap([[0, 10], [10, 10]], ratio);
    expect(two.intervals.r).toEqual({ lo: 0, hi: 1 });
    const one = recordBootstrap([[3, 10]], ratio, { draws: 50 });
    expect(one.intervals.r).toEqual({ lo: 0.3, hi: 0.3 });
  });

  it('is reproducible from its seed, and the seed matters', () => {
    const units = Array.from({ length: 12 }, (_, i) => [i % 5, 5 + (i % 3)]);
    expect(recordBootstrap(units, ratio, { seed: 7 })).toEqual(recordBootstrap(units, ratio, { seed: 7 }));
    expect(recordBootstrap(units, ratio, { seed: 7 }).intervals).not.toEqual(recordBootstrap(units, ratio, { seed: 8 }).intervals);
  });

  it('leaves undefined draws out, and gives no interval when most draws are undefined', () => {
    // 1 record of 20 has the class: about (19/20)^20 = 36 % of draws miss it and are left out.
    const units = Array.from({ length: 20 }, (_, i) => (i === 0 ? [2, 4] : [0, 0]));
    expect(recordBootstrap(units, ratio).intervals.r).toEqual({ lo: 0.5, hi: 0.5 });
    // Defined only when every drawn record is the first: 1 draw in 2^10.
    const rare = (s: Float64Array): { r: number | null } => ({ r: s[0] === 10 ? 1 : null });
    expect(recordBootstrap(Array.from({ length: 10 }, (_, i) => [i === 0 ? 1 : 0]), rare).intervals.r).toBeNull();
  });

  it('refuses bad options with the value named', () => {
    expect(() => recordBootstrap([], ratio)).toThrow(/at least one record/);
    expect(() => recordBootstrap([[1, 2]], ratio, { draws: 0 })).toThrow(/draws must be a positive integer, got 0/);
    expect(() => recordBootstrap([[1, 2]], ratio, { level: 1 })).toThrow(/level must be in \(0, 1\), got 1/);
    expect(() => recordBootstrap([[1, 2], [1]], ratio)).toThrow(/differ in length \(1 vs 2\)/);
  });
});

describe('class figures and their intervals', () => {
  it('reads Se, +P and accuracy from the N S V F rows and n s v f q columns', () => {
    // 90 N right, 10 N called S; 5 S right, 5 S called N; 1 V missed (column o: not a figure).
    const f = figuresFromCounts(bxb([[0, 0, 90], [0, 1, 10], [1, 1, 5], [1, 0, 5], [2, 5, 1]]));
    expect(f.perClass.N).toMatchObject({ se: 90, support: 100 });
    expect(f.perClass.N.ppv).toBeCloseTo((100 * 90) / 95, 10);
    expect(f.perClass.S).toMatchObject({ se: 50, support: 10 });
    expect(f.perClass.S.ppv).toBeCloseTo((100 * 5) / 15, 10);
    expect(f.perClass.V).toMatchObject({ se: null, ppv: null, support: 0 });
    expect(f.accuracy).toBeCloseTo((100 * 95) / 110, 10);
  });

  it('names the method and keeps every interval within the records\' own range', () => {
    const recs = [bxb([[0, 0, 100]]), bxb([[0, 0, 80], [1, 0, 20], [1, 1, 10]]), bxb([[0, 0, 50], [2, 0, 5], [2, 2, 45]])];
    const iv = figureIntervals(recs);
    expect(iv.method).toBe('percentile bootstrap over records: 3 records resampled with replacement, 2000 draws, seed 1');
    const nPpv = iv.intervals['N.ppv']!;
    expect(nPpv.lo).toBeGreaterThanOrEqual(80);
    expect(nPpv.hi).toBe(100);
  });
});

describe('paired differences between two classifiers on the same records', () => {
  const rec = (nRight: number, nWrong: number, vRight: number) => bxb([[0, 0, nRight], [0, 2, nWrong], [2, 2, vRight], [2, 0, 10 - vRight]]);
  it('are exactly zero for the same model, and above zero on every draw when A is better on every record', () => {
    const a = [rec(95, 5, 9), rec(90, 10, 8), rec(80, 20, 7)];
    const same = figureDifferenceIntervals(a, a);
    expect(same.point.accuracy).toBe(0);
    expect(same.point.macroF1NSV).toBeNull(); // no S beat in these records: F1 of S undefined
    expect(same.intervals.accuracy).toEqual({ lo: 0, hi: 0 });
    const worse = [rec(90, 10, 7), rec(85, 15, 6), rec(70, 30, 5)];
    const d = figureDifferenceIntervals(a, worse);
    expect(d.point.accuracy).toBeGreaterThan(0);
    expect(d.intervals.accuracy!.lo).toBeGreaterThan(0);
    expect(d.intervals['V.se']!.lo).toBeGreaterThan(0);
    expect(() => figureDifferenceIntervals(a, worse.slice(1))).toThrow(/same records for both models \(3 vs 2\)/);
  });
});
