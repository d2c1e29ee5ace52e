/**
 * Properties of the bxb port on random beat trains where the right answer is unambiguous: beats at least three
 * match windows apart, test beats shifted by less than half a window, deleted, relabelled, or extra beats
 * inserted half-way between two reference beats. The expected matrix is built beat by beat.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotationCode, type Annotation } from '../../src-main/domain/annotation.js';
import { compareBeats, summarizeRecords } from '../../src-main/evaluation/ec57/index.js';
import { evaluateClassifier } from '../../src-main/evaluation/metrics.js';

const SYMBOLS = ['N', 'S', 'V', 'F', 'Q'];
const ann = (sample: number, symbol: string): Annotation => ({ sample, symbol, code: annotationCode(symbol)!, subtype: 0, chan: 0, num: 0, aux: '' });

const beatArb = fc.record({
  gap: fc.integer({ min: 3, max: 12 }), // × window
  ref: fc.integer({ min: 0, max: 4 }),
  test: fc.integer({ min: 0, max: 4 }),
  shift: fc.double({ min: -0.49, max: 0.49, noNaN: true }), // × window
  deleted: fc.boolean(),
  extraAfter: fc.boolean(),
});

describe('bxb port on random beat trains', () => {
  it('pairs every surviving beat with its original, counts deletions as o and extras as O', () => {
    fc.assert(
      fc.property(fc.array(beatArb, { minLength: 1, maxLength: 60 }), fc.constantFrom(128, 250, 360, 500, 1000), (beats, fs) => {
        const dt = Math.trunc(0.15 * fs + 0.5);
        const ref: Annotation[] = [], test: Annotation[] = [];
        const expected = new Int32Array(49);
        let t = 2 * dt;
        beats.forEach((b, i) => {
          t += b.gap * dt;
          ref.push(ann(t, SYMBOLS[b.ref]));
          if (b.deleted) expected[b.ref * 7 + 5]++;
          else {
            test.push(ann(t + Math.round(b.shift * dt), SYMBOLS[b.test]));
            expected[b.ref * 7 + b.test]++;
          }
          const next = beats[i + 1];
          if (b.extraAfter && next) {
            test.push(ann(t + Math.floor((next.gap * dt) / 2), SYMBOLS[b.test]));
            expected[5 * 7 + b.test]++;
          }
        });
        const c = compareBeats(ref, test, { fs, startSeconds: 0, recordLength: t + 10 * dt });
        expect(Array.from(c.counts)).toEqual(Array.from(expected));
        // Swapping reference and test transposes the matrix (missed ↔ extra) in these unambiguous cases.
        const back = compareBeats(test, ref, { fs, startSeconds: 0, recordLength: t + 10 * dt });
        for (let r = 0; r < 6; r++) for (let k = 0; k < 6; k++) expect(back.counts[k * 7 + r]).toBe(c.counts[r * 7 + k]);
      }),
      { numRuns: 200, seed: 57 },
    );
  });

  it('gross statistics of one record equal its own statistics, and ec57 agrees with the plain confusion matrix on paired beats', () => {
    fc.assert(
      fc.property(fc.array(beatArb, { minLength: 5, maxLength: 40 }), (beats) => {
        const fs = 360, dt = 54;
        const ref: Annotation[] = [], test: Annotation[] = [];
        const truth: number[] = [], pred: number[] = [];
        let t = 2 * dt;
        for (const b of beats) {
          t += b.gap * dt;
          ref.push(ann(t, SYMBOLS[b.ref]));
          test.push(ann(t, SYMBOLS[b.test]));
          truth.push(b.ref);
          pred.push(b.test);
        }
        const c = compareBeats(ref, test, { fs, startSeconds: 0 });
        const m = evaluateClassifier(truth, pred).matrix;
        for (let r = 0; r < 5; r++) for (let k = 0; k < 5; k++) expect(c.counts[r * 7 + k]).toBe(m.counts[r * 5 + k]);
        const s = summarizeRecords([c]);
        expect(s.gross.qrsSensitivity).toBe(100);
        // 100·(a/b) vs (100·a)/b: equal up to rounding, exactly as in sumstats.
        if (s.gross.vebSensitivity === null) expect(s.average.vebSensitivity).toBeNull();
        else expect(s.average.vebSensitivity).toBeCloseTo(s.gross.vebSensitivity, 10);
      }),
      { numRuns: 100, seed: 4 },
    );
  });
});
