import { describe, expect, it } from 'vitest';
import { blandAltman } from '../../src-main/evaluation/agreement.js';
import { EvaluationError } from '../../src-main/evaluation/errors.js';

describe('Bland–Altman agreement', () => {
  it('gives the bias, the SD of the differences and bias ± 1.96 SD, by hand', () => {
    // Differences 1, −1, 3, 1: mean 1, squared deviations 0 + 4 + 4 + 0 over n − 1 = 3.
    const a = blandAltman([10, 20, 30, 40], [11, 19, 33, 41])!;
    expect(a.n).toBe(4);
    expect(a.bias).toBe(1);
    expect(a.sd).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(a.lower).toBeCloseTo(1 - 1.96 * Math.sqrt(8 / 3), 12);
    expect(a.upper).toBeCloseTo(1 + 1.96 * Math.sqrt(8 / 3), 12);
    expect(a.largest).toEqual({ index: 2, difference: 3 });
  });

  it('a constant offset is a bias with no spread, which a correlation would hide', () => {
    const a = blandAltman([1, 5, 9], [3, 7, 11])!;
    expect([a.bias, a.sd, a.lower, a.upper]).toEqual([2, 0, 2, 2]);
  });

  it('needs two subjects, equal lengths and finite values, and says which input is wrong', () => {
    expect(blandAltman([1], [2])).toBeNull();
    expect(() => blandAltman([1, 2], [1], 'V burden')).toThrow(/V burden: 2 reference values but 1 test values/);
    expect(() => blandAltman([1, NaN], [1, 2], 'S burden')).toThrow(EvaluationError);
  });
});
