/** The trainer's score adapter against a hand-computed case (it delegates the arithmetic to evaluation/metrics). */
import { expect, it } from 'vitest';
import { meanSd, scoreBeats } from '../../src-main/model/train/metrics.js';

it('scores beats as counted by hand: uncounted beats skipped, absent classes out of macro-F1', () => {
  const ref = [0, 0, 1, 1, 2, -1];
  const pred = [0, 1, 1, 1, 0, 2];
  // probabilities that rank every S beat above every other beat: S ROC-AUC = AP = 1
  const probs = Float32Array.from([0.9, 0.1, 0, 0, 0.4, 0.6, 0, 0, 0.2, 0.8, 0, 0, 0.3, 0.7, 0, 0, 0.5, 0.3, 0.2, 0, 0, 0, 1, 0]);
  const s = scoreBeats(['N', 'S', 'V', 'F'], ref, pred, probs);
  expect(s.confusion).toEqual([[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]);
  expect(s.accuracy).toBeCloseTo(60, 10);
  expect(s.perClass.N).toMatchObject({ se: 50, ppv: 50, support: 2 });
  expect(s.perClass.S.se).toBe(100);
  expect(s.perClass.S.ppv).toBeCloseTo(200 / 3, 10);
  expect(s.perClass.S.sp).toBeCloseTo(200 / 3, 10);
  expect(s.perClass.V.se).toBe(0);
  expect(s.perClass.V.ppv).toBeNaN();
  expect(s.perClass.V.f1).toBe(0);
  expect(s.perClass.F.f1).toBeNaN();
  expect(s.macroF1).toBeCloseTo((50 + 80 + 0) / 3, 10);
  expect(s.perClass.S.auc).toBe(1);
  expect(s.perClass.S.ap).toBe(1);
  expect(s.perClass.F.auc).toBeNaN();
  expect(meanSd([1, 3, NaN])).toEqual({ mean: 2, sd: Math.SQRT2 });
  expect(meanSd([4])).toEqual({ mean: 4, sd: 0 });
});
