import { describe, expect, it } from 'vitest';
import {
  aggregateFolds, chiSquare1Sf, classificationReport, classMetrics, confusionMatrix, macroF1, mcnemar,
  mcnemarFromCounts, meanSd, oneVsRestCurves, prCurve, rocCurve,
} from '../../src-main/evaluation/metrics.js';

describe('confusion matrix and per-class metrics', () => {
  // truth 0 0 1 1 2 2 2, predicted 0 1 1 1 2 0 2 → rows [1 1 0] [0 2 0] [1 0 2]
  const m = confusionMatrix(Int8Array.from([0, 0, 1, 1, 2, 2, 2]), Int8Array.from([0, 1, 1, 1, 2, 0, 2]), 3);

  it('counts rows = truth, columns = prediction', () => {
    expect(Array.from(m.counts)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 2]);
  });

  it('computes sensitivity, specificity, precision and F1 per class', () => {
    expect(classMetrics(m, 0)).toEqual({ support: 2, predicted: 2, tp: 1, fp: 1, fn: 1, tn: 4, sensitivity: 0.5, specificity: 0.8, precision: 0.5, f1: 0.5 });
    const c1 = classMetrics(m, 1);
    expect([c1.tp, c1.fp, c1.fn, c1.tn]).toEqual([2, 1, 0, 4]);
    expect(c1.sensitivity).toBe(1);
    expect(c1.precision).toBeCloseTo(2 / 3, 12);
    expect(c1.f1).toBeCloseTo(0.8, 12);
    const c2 = classMetrics(m, 2);
    expect(c2.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(c2.specificity).toBe(1);
    expect(c2.f1).toBeCloseTo(0.8, 12);
  });

  it('computes accuracy and macro-F1 over present classes or a chosen subset', () => {
    const r = classificationReport(m);
    expect(r.total).toBe(7);
    expect(r.accuracy).toBeCloseTo(5 / 7, 12);
    expect(r.macroF1).toBeCloseTo(0.7, 12);
    expect(macroF1(m, [0, 1])).toBeCloseTo(0.65, 12);
    // A 5-class matrix with absent classes: macro-F1 over present classes ignores them.
    const m5 = confusionMatrix([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 5);
    expect(classificationReport(m5).macroF1).toBeCloseTo(0.7, 12);
    expect(classMetrics(m5, 4).sensitivity).toBeNull();
    expect(classMetrics(m5, 4).f1).toBeNull();
  });

  it('rejects mismatched lengths and labels outside the classes', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 true labels but 1 predictions/);
    expect(() => confusionMatrix([0, 5], [0, 1], 5)).toThrow(/true label 5 at index 1/);
  });
});

describe('ROC and PR curves', () => {
  const positive = [1, 1, 0, 1, 0, 0];
  const scores = [0.9, 0.8, 0.8, 0.5, 0.3, 0.3];

  it('groups tied scores into one step; AUC equals Mann–Whitney with ties counted ½', () => {
    const roc = rocCurve(positive, scores);
    expect(Array.from(roc.thresholds)).toEqual([0.9, 0.8, 0.5, 0.3]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 1 / 3, 1 / 3, 1]);
    expect(Array.from(roc.tpr)).toEqual([0, 1 / 3, 2 / 3, 1, 1]);
    // Pairs (pos, neg): 3 + 2.5 + 2 = 7.5 of 9.
    expect(roc.auc).toBeCloseTo(7.5 / 9, 12);
  });

  it('gives 0.5 for constant scores, 1 for perfect ones, null without negatives', () => {
    expect(rocCurve([1, 0, 1, 0], [0.2, 0.2, 0.2, 0.2]).auc).toBeCloseTo(0.5, 12);
    expect(rocCurve([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2]).auc).toBe(1);
    expect(rocCurve([1, 1], [0.9, 0.1]).auc).toBeNull();
  });

  it('average precision is Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds', () => {
    const pr = prCurve(positive, scores);
    expect(Array.from(pr.precision)).toEqual([1, 2 / 3, 3 / 4, 1 / 2]);
    expect(Array.from(pr.recall)).toEqual([1 / 3, 2 / 3, 1, 1]);
    expect(pr.averagePrecision).toBeCloseTo(1 / 3 + 2 / 9 + 1 / 4, 12);
    expect(prCurve([0, 0], [0.3, 0.4]).averagePrecision).toBeNull();
  });

  it('builds one-vs-rest curves from an n×k probability matrix', () => {
    const truth = [0, 1, 2, 0];
    const p = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.5, 0.4, 0.1]);
    const curves = oneVsRestCurves(truth, p, 3);
    expect(curves.map((c) => c.roc.auc)).toEqual([1, 1, 1]);
    expect(() => oneVsRestCurves(truth, p, 4)).toThrow(/expected 4×4/);
  });
});

describe("McNemar's test", () => {
  it('uses the exact binomial test for few discordant beats', () => {
    // b = 1, c = 5: p = 2·(C(6,0)+C(6,1))/2⁶ = 14/64.
    const truth = new Int8Array(10);
    const a = Int8Array.from([0, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const b = Int8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = mcnemar(truth, a, b);
    expect([r.b, r.c, r.method]).toEqual([1, 5, 'exact']);
    expect(r.pValue).toBeCloseTo(14 / 64, 12);
    expect(mcnemarFromCounts(0, 0).pValue).toBe(1);
    expect(mcnemarFromCounts(3, 3).pValue).toBe(1);
  });

  it('uses χ² with continuity correction for many discordant beats', () => {
    const r = mcnemarFromCounts(30, 10);
    expect(r.method).toBe('chi-square');
    expect(r.statistic).toBeCloseTo(361 / 40, 12);
    expect(r.pValue).toBeCloseTo(0.002663119259138554, 6);
    expect(chiSquare1Sf(3.841458820694124)).toBeCloseTo(0.05, 6);
  });
});

describe('fold aggregation', () => {
  it('gives mean and sample sd, skipping undefined folds', () => {
    const s = meanSd([1, 2, null, 3, 4, NaN]);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanSd([7]).sd).toBeNull();
    const agg = aggregateFolds([{ se: 0.9, ppv: 0.8 }, { se: 0.7, ppv: null }]);
    expect(agg.se.mean).toBeCloseTo(0.8, 12);
    expect(agg.ppv).toEqual({ n: 1, mean: 0.8, sd: null });
  });
});
