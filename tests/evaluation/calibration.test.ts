import { describe, expect, it } from 'vitest';
import { calibrationDifferenceIntervals, calibrationOf, calibrationText, CalibrationPool } from '../../src-main/evaluation/calibration.js';
import { EvaluationError } from '../../src-main/evaluation/errors.js';

const labels = ['N', 'S'] as const;

describe('calibration', () => {
  it('computes ECE, MCE, Brier and the reliability bins by hand', () => {
    // Four beats, two classes. Top-label confidences 0.95, 0.95 (one right, one wrong), 0.65, 0.55 (both right).
    const c = calibrationOf({
      reference: [0, 1, 0, 1],
      predicted: [0, 0, 0, 1],
      probs: [0.95, 0.05, 0.95, 0.05, 0.65, 0.35, 0.45, 0.55],
      labels, bins: 10,
    })!;
    expect(c.beats).toBe(4);
    expect(c.accuracy).toBe(0.75);
    expect(c.meanConfidence).toBeCloseTo((0.95 + 0.95 + 0.65 + 0.55) / 4, 12);
    // Bin 9: conf 0.95, acc 0.5 → gap 0.45 (2 beats); bin 6: 0.65 vs 1 → 0.35; bin 5: 0.55 vs 1 → 0.45.
    expect(c.ece).toBeCloseTo((2 / 4) * 0.45 + (1 / 4) * 0.35 + (1 / 4) * 0.45, 12);
    expect(c.mce).toBeCloseTo(0.45, 12);
    expect(c.bins).toHaveLength(10);
    expect(c.bins[9]).toMatchObject({ lo: 0.9, hi: 1, beats: 2, accuracy: 0.5 });
    expect(c.bins[0]).toEqual({ lo: 0, hi: 0.1, beats: 0, confidence: null, accuracy: null });
    expect(c.bins.reduce((a, b) => a + b.beats, 0)).toBe(4);
    // Brier: (0.05² + 0.05²) + (0.95² + 0.95²) + (0.35² + 0.35²) + (0.45² + 0.45²), over 4.
    expect(c.brier).toBeCloseTo((2 * 0.0025 + 2 * 0.9025 + 2 * 0.1225 + 2 * 0.2025) / 4, 12);
    // Classwise, S one-vs-rest: p_S 0.05, 0.05 (bin 0: y 0, 1), 0.35 (bin 3: y 0), 0.55 (bin 5: y 1).
    const s = c.classwise.find((x) => x.label === 'S')!;
    expect(s.beats).toBe(2);
    expect(s.ece).toBeCloseTo((2 / 4) * Math.abs(0.5 - 0.05) + (1 / 4) * 0.35 + (1 / 4) * 0.45, 12);
    // Triage, least confident first: 0.55 (right), 0.65 (right), 0.95 (beat 0, wrong), 0.95 (beat 1, right).
    expect(c.errors).toBe(1);
    expect(c.triage.find((t) => t.share === 0.01)).toEqual({ share: 0.01, beats: 1, confidenceBelow: 0.55, errorsFound: 0, errorShare: 0 });
    expect(c.triage.find((t) => t.share === 0.5)).toEqual({ share: 0.5, beats: 2, confidenceBelow: 0.65, errorsFound: 0, errorShare: 0 });
  });

  it('finds the errors among the least confident beats first, and says so when there are none', () => {
    // 100 beats, confidence i/100 + 0.005; the 10 least confident are wrong.
    const n = 100;
    const reference = Array.from({ length: n }, (_, i) => (i < 10 ? 1 : 0));
    const probs = Array.from({ length: n }, (_, i) => [(i + 0.5) / n, 1 - (i + 0.5) / n]).flat();
    const c = calibrationOf({ reference, predicted: Array(n).fill(0), probs, labels })!;
    expect(c.errors).toBe(10);
    expect(c.triage.map((t) => [t.share, t.beats, t.errorsFound])).toEqual([[0.01, 1, 1], [0.02, 2, 2], [0.05, 5, 5], [0.1, 10, 10], [0.2, 20, 10], [0.5, 50, 10]]);
    expect(c.triage[3].errorShare).toBe(1);
    expect(c.triage[3].confidenceBelow).toBeCloseTo(0.095, 12);
    const perfect = calibrationOf({ reference: [0, 0], predicted: [0, 0], probs: [0.9, 0.1, 0.6, 0.4], labels })!;
    expect(perfect.errors).toBe(0);
    expect(perfect.triage[0]).toEqual({ share: 0.01, beats: 1, confidenceBelow: 0.6, errorsFound: 0, errorShare: null });
  });

  it('is zero for a perfectly calibrated confidence and puts a confidence of 1 in the last bin', () => {
    const c = calibrationOf({ reference: [0, 0, 1], predicted: [0, 0, 1], probs: [1, 0, 1, 0, 0, 1], labels })!;
    expect(c.ece).toBe(0);
    expect(c.brier).toBe(0);
    expect(c.bins[9].beats).toBe(3);
  });

  it('skips beats without a reference or a label, and gives null when none is left', () => {
    const c = calibrationOf({ reference: [0, -1, 1], predicted: [0, 0, -1], probs: [0.8, 0.2, 0.5, 0.5, 0.3, 0.7], labels })!;
    expect(c.beats).toBe(1);
    expect(calibrationOf({ reference: [-1], predicted: [0], probs: [1, 0], labels })).toBeNull();
  });

  it('gives ECE and Brier intervals over recordings: around the pooled value, a point when all recordings agree, none for one', () => {
    // Recording 0 is perfectly calibrated (confidence 1, all right); recording 1 is over-confident (0.9, half wrong).
    const reference = [0, 0, 0, 0, 0, 1, 0, 1], predicted = Array(8).fill(0);
    const probs = [1, 0, 1, 0, 1, 0, 1, 0, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1];
    const records = [0, 0, 0, 0, 1, 1, 1, 1];
    const c = calibrationOf({ reference, predicted, probs, labels, records, bootstrap: { draws: 400 } })!;
    expect(c.intervals).toMatchObject({ level: 0.95, records: 2 });
    // Draws hold recording 0 twice (ECE 0), once each (the pooled 0.2) or recording 1 twice (0.4).
    expect(c.ece).toBeCloseTo(0.2, 12);
    expect(c.intervals!.ece!.lo).toBeCloseTo(0, 12);
    expect(c.intervals!.ece!.hi).toBeCloseTo(0.4, 12);
    expect(c.intervals!.brier!.lo).toBeLessThanOrEqual(c.brier);
    expect(c.intervals!.brier!.hi).toBeGreaterThanOrEqual(c.brier);
    expect(calibrationText(c)).toMatch(/ECE 20\.0 % \(95 % CI 0\.0–40\.0 over 2 recordings\)/);
    // Two copies of one recording: every draw is the same beats, so the interval is the point.
    const same = calibrationOf({ reference: [...reference.slice(4), ...reference.slice(4)], predicted, probs: [...probs.slice(8), ...probs.slice(8)], labels, records })!;
    expect(same.intervals!.ece!.lo).toBeCloseTo(same.ece, 12);
    expect(same.intervals!.ece!.hi).toBeCloseTo(same.ece, 12);
    expect(calibrationOf({ reference, predicted, probs, labels, records: Array(8).fill(3) })!.intervals).toBeUndefined();
    expect(calibrationOf({ reference, predicted, probs, labels, records, bootstrap: { draws: 0 } })!.intervals).toBeUndefined();
    expect(() => calibrationOf({ reference, predicted, probs, labels, records: [0, 1], source: 'study' })).toThrow(/study: 8 reference labels but 2 recording ids/);
  });

  it('pairs two models on the same recordings: A − B at the pooled figures, an interval that holds only what the draws give', () => {
    // Model A is calibrated in both recordings; model B is calibrated in r1 and over-confident in r2 (0.9, half wrong).
    const a = new CalibrationPool(), b = new CalibrationPool();
    const one = (c: 'N' | 'S') => (k: string) => (k === c ? 1 : 0);
    const nine = (k: string) => (k === 'N' ? 0.9 : k === 'S' ? 0.1 : 0);
    for (const [rec, refs] of [['r1', ['N', 'N', 'N', 'N']], ['r2', ['N', 'S', 'N', 'S']]] as const) {
      for (const r of refs) {
        a.add(r, r, one(r), rec);
        if (rec === 'r1') b.add(r, r, one(r), rec); else b.add(r, 'N', nine, rec);
      }
    }
    const ua = a.units('A'), ub = b.units('B');
    expect([...ua.byRecord.keys()]).toEqual(['r1', 'r2']);
    const d = calibrationDifferenceIntervals(ua, ub, { draws: 400 });
    const fa = a.figures('A')!, fb = b.figures('B')!;
    expect(d.point.ece).toBeCloseTo(fa.ece - fb.ece, 12);
    expect(d.point.brier).toBeCloseTo(fa.brier - fb.brier, 12);
    expect(d.point.ece).toBeCloseTo(-0.2, 12);
    // Draws hold r1 twice (A − B = 0), each once (−0.2) or r2 twice (−0.4): the interval spans exactly those.
    expect(d.intervals.ece!.lo).toBeCloseTo(-0.4, 12);
    expect(d.intervals.ece!.hi).toBeCloseTo(0, 12);
    expect(d.method).toMatch(/^paired percentile bootstrap over recordings: 2 resampled/);
    // A model against itself differs by exactly 0 in every draw.
    const self = calibrationDifferenceIntervals(ub, ub, { draws: 50 });
    expect([self.point.ece, self.intervals.ece!.lo, self.intervals.ece!.hi, self.intervals.brier!.hi]).toEqual([0, 0, 0, 0]);
    const onlyR1 = { bins: 10, byRecord: new Map([['r1', ua.byRecord.get('r1')!]]) };
    expect(() => calibrationDifferenceIntervals(ua, onlyR1)).toThrow(/same recordings for both models; only one has r2/);
    expect(() => calibrationDifferenceIntervals(ua, { ...ub, bins: 5 })).toThrow(/same bins/);
  });

  it('names its input in errors: lengths that disagree, probabilities outside [0, 1], a bad bin count', () => {
    expect(() => calibrationOf({ reference: [0, 1], predicted: [0], probs: [1, 0, 1, 0], labels, source: 'run r1' })).toThrow(/run r1: 2 reference labels but 1 predicted/);
    expect(() => calibrationOf({ reference: [0], predicted: [0], probs: [1, 0, 0], labels, source: 'run r1' })).toThrow(EvaluationError);
    expect(() => calibrationOf({ reference: [0], predicted: [0], probs: [1.5, 0], labels, source: 'x' })).toThrow(/x: beat 0 has probability 1.5/);
    expect(() => calibrationOf({ reference: [0], predicted: [0], probs: [1, 0], labels, bins: 0 })).toThrow(/whole number of bins/);
  });
});
