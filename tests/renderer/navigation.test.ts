/**
 * Review's beat navigation and its low-confidence threshold, as pure functions: `nextLowConfidence` below the fixed
 * 60 % by default or at or below a given threshold, and the threshold a model card's DS2 review triage gives
 * (`card.ds2.calibration.triage`, its 10 % point), with the fixed 60 % for cards without one.
 */
import { describe, expect, it } from 'vitest';
import type { BeatTable } from '../../src-main/api/contract.js';
import { cardTriagePoint, reviewThreshold, reviewThresholdTitle } from '../../src-renderer/lib/calibration.js';
import { countLowConfidence, DEFAULT_LOW_CONFIDENCE, isLowConfidence, LOW_CONFIDENCE, nextLowConfidence } from '../../src-renderer/lib/navigation.js';
import { BEATS, CNN_CARD } from './fake-api.js';

// confidences 0.99 0.97 0.55 0.98 0.7 0.9 0.52 0.95; beat 3 unclassified here, with a confidence that would count.
const B: BeatTable = { ...BEATS, predicted: 'NNN-VSNV', confidence: BEATS.confidence.map((c, i) => (i === 3 ? 0 : c)) };

describe('low-confidence navigation', () => {
  it('nextLowConfidence: below 60 % by default, skipping unclassified beats, both ways', () => {
    expect(DEFAULT_LOW_CONFIDENCE).toEqual({ below: LOW_CONFIDENCE });
    expect(LOW_CONFIDENCE).toBe(0.6);
    expect([nextLowConfidence(B, -1), nextLowConfidence(B, 2), nextLowConfidence(B, 6)]).toEqual([2, 6, -1]);
    expect([nextLowConfidence(B, 7, -1), nextLowConfidence(B, 6, -1), nextLowConfidence(B, 2, -1)]).toEqual([6, 2, -1]);
    expect(countLowConfidence(B)).toBe(2);
    // the same without the dash: beat 3's confidence 0 counts
    expect(countLowConfidence({ ...B, predicted: 'NNNNVSNV' })).toBe(3);
  });

  it('nextLowConfidence with a threshold: strictly below `below`, at or below `atOrBelow`', () => {
    // at or below 0.7 takes beat 4 (exactly 0.7); below 0.7 does not
    expect([nextLowConfidence(B, 2, 1, { atOrBelow: 0.7 }), nextLowConfidence(B, 2, 1, { below: 0.7 })]).toEqual([4, 6]);
    expect([nextLowConfidence(B, -1, 1, { atOrBelow: 0.52 }), nextLowConfidence(B, -1, 1, { below: 0.52 })]).toEqual([6, -1]);
    expect(nextLowConfidence(B, 7, -1, { atOrBelow: 0.780034 })).toBe(6);
    expect(nextLowConfidence(B, 6, -1, { atOrBelow: 0.780034 })).toBe(4);
    expect(nextLowConfidence(B, -1, 1, { atOrBelow: 0.99 })).toBe(0);
    expect([isLowConfidence(0.6), isLowConfidence(0.5999), isLowConfidence(0.78, { atOrBelow: 0.78 }), isLowConfidence(0.7801, { atOrBelow: 0.78 })]).toEqual([false, true, true, false]);
    expect([countLowConfidence(B, { atOrBelow: 0.780034 }), countLowConfidence(B, { atOrBelow: 0.9 }), countLowConfidence(B, { below: 0.5 })]).toEqual([3, 4, 0]);
  });

  it("the threshold from a model card: its DS2 triage's 10 % point, else the fixed 60 % (older cards, user models, malformed ones)", () => {
    const t = reviewThreshold(CNN_CARD);
    expect(t.rule).toEqual({ atOrBelow: 0.780034065246582 });
    expect([t.value, t.short, t.phrase, t.point?.beats, t.point?.errorsFound]).toEqual([0.780034065246582, '≤ 78 %', 'at or below 78.0 %', 4971, 1330]);
    expect(reviewThresholdTitle(t)).toBe("Beats at or below 78.0 %: on DS2 the least confident 10 % of this model's beats, which held 50.6 % of its errors. Key C (Shift+C: back).");
    expect(reviewThresholdTitle(t, { low: 412, classified: 2955, adapted: false })).toBe("Beats at or below 78.0 %: on DS2 the least confident 10 % of this model's beats, which held 50.6 % of its errors. This run: 412 of its 2955 classified beats (13.9 %). Key C (Shift+C: back).");
    expect(cardTriagePoint(CNN_CARD, 0.05)?.confidenceBelow).toBe(0.6321644186973572);

    const fixed = reviewThreshold({});
    expect([fixed.rule, fixed.value, fixed.point, fixed.short, fixed.phrase]).toEqual([{ below: 0.6 }, 0.6, null, '< 60 %', 'below 60.0 %']);
    expect(reviewThresholdTitle(fixed, { low: 2, classified: 8, adapted: false })).toBe('Beats below 60.0 %: a fixed threshold (the model card gives no DS2 review triage). This run: 2 of its 8 classified beats (25.0 %). Key C (Shift+C: back).');

    const tri = CNN_CARD.ds2.calibration.triage;
    const withTriage = (triage: unknown): unknown => ({ ds2: { calibration: { triage } } });
    for (const card of [undefined, null, 'card', { ds2: { accuracy: 93 } }, { ds2: { calibration: null } }, withTriage('none'),
      withTriage(tri.filter((p) => p.share !== 0.1)), withTriage([{ ...tri[3], confidenceBelow: '0.78' }]), withTriage([{ ...tri[3], confidenceBelow: 1.5 }]),
      withTriage([{ ...tri[3], errorShare: undefined }]), withTriage([null, 3])]) {
      expect(cardTriagePoint(card), JSON.stringify(card)).toBeNull();
      expect(reviewThreshold(card).rule, JSON.stringify(card)).toEqual({ below: 0.6 });
    }
    // a model that made no error on DS2
    const none = reviewThreshold(withTriage([{ ...tri[3], errorsFound: 0, errorShare: null }]));
    expect(none.rule).toEqual({ atOrBelow: 0.780034065246582 });
    expect(reviewThresholdTitle(none)).toBe("Beats at or below 78.0 %: on DS2 the least confident 10 % of this model's beats, on which it made no error. Key C (Shift+C: back).");
  });
});
