/**
 * Review's beat navigation and its low-confidence threshold, as pure functions: `nextLowConfidence` below the fixed
 * 60 % by default or at or below a given threshold, and the threshold a model card's DS2 review triage gives
 * (`card.ds2.calibration.triage`, its 10 % point), with the fixed 60 % for cards without one; the "premature N" jump
 * on hand-built rhythms (beats shown as N whose RR before is under 0.85 × the median of the 8 before).
 */
import { describe, expect, it } from 'vitest';
import type { BeatTable } from '../../src-main/api/contract.js';
import { cardTriagePoint, reviewThreshold, reviewThresholdTitle } from '../../src-renderer/lib/calibration.js';
import { countLowConfidence, countPremature, DEFAULT_LOW_CONFIDENCE, isLowConfidence, isPrematureLabelled, LOW_CONFIDENCE, nextLowConfidence, nextPremature, PREMATURE_THRESHOLD, prematurities } from '../../src-renderer/lib/navigation.js';
import { rrOf } from '../../src-renderer/lib/calipers.js';
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

/** Beat positions at 360 Hz from RR intervals in samples, the first beat at sample 0. */
function beatsFrom(rrSamples: number[]): Int32Array {
  const out = new Int32Array(rrSamples.length + 1);
  rrSamples.forEach((rr, k) => (out[k + 1] = out[k] + rr));
  return out;
}

/** The label Review shows: the reviewer's correction (by beat index here), else the model's, else the reference. */
function shown(b: BeatTable, corrections: ReadonlyMap<number, string> = new Map()): (i: number) => string {
  return (i) => corrections.get(i) ?? (b.predicted[i] !== '-' ? b.predicted[i] : b.reference[i]);
}

describe('premature N navigation', () => {
  // 60 bpm (RR 1000 ms, 360 samples), with two beats 600 ms after the last (0.6 × the median), each followed by a
  // 1400 ms pause: beat 7, an APC the model called N (the annotator says S), and beat 15, an APC the model got right.
  const rhythm = [...Array(6).fill(360), 216, 504, ...Array(6).fill(360), 216, 504, ...Array(4).fill(360)];
  const samples = beatsFrom(rhythm);
  const n = samples.length; // 21
  const at = (label: string, ...idx: number[]): string => Array.from({ length: n }, (_, i) => (idx.includes(i) ? label : 'N')).join('');
  const B: BeatTable = {
    recordingId: 'r', runId: 'run', fs: 360, samples: Array.from(samples),
    reference: at('S', 7, 15), predicted: at('S', 15), confidence: Array(n).fill(0.9), symbols: at('A', 7, 15),
  };

  it("prematurities: rrOf's prematurity for every beat, NaN for the first three, computed once per beat table", () => {
    const p = prematurities(B);
    expect(p).toHaveLength(n);
    for (let i = 0; i < n; i++) expect(p[i], `beat ${i}`).toBe(rrOf(B.samples, B.fs, i).prematurity ?? NaN);
    expect([p[7], p[8], p[15], p[16], p[20]]).toEqual([0.6, 1.4, 0.6, 1.4, 1]);
    expect([...p.slice(0, 3)].every(Number.isNaN)).toBe(true);
    // memoised by the samples array: a table with other labels over the same beats reuses it
    const relabelled: BeatTable = { ...B, predicted: at('N') };
    expect(prematurities(relabelled)).toBe(p);
    expect(prematurities({ samples: Array.from(samples), fs: 360 })).not.toBe(p);
  });

  it('stops only at the early beat shown as N, both ways, and returns -1 past the last (no wrapping)', () => {
    const label = shown(B);
    expect(PREMATURE_THRESHOLD).toBe(0.85);
    expect([isPrematureLabelled(B, 7, label), isPrematureLabelled(B, 15, label), isPrematureLabelled(B, 8, label), isPrematureLabelled(B, 3, label)]).toEqual([true, false, false, false]);
    expect([nextPremature(B, -1, 1, label), nextPremature(B, 7, 1, label), nextPremature(B, 15, 1, label)]).toEqual([7, -1, -1]);
    expect([nextPremature(B, n, -1, label), nextPremature(B, 15, -1, label), nextPremature(B, 7, -1, label)]).toEqual([7, 7, -1]);
    expect(countPremature(B, label)).toBe(1);
    // Int32Array beat positions (the core's) give the same
    const timing = { samples, fs: 360 };
    expect([nextPremature(timing, -1, 1, label), nextPremature(timing, n, -1, label), countPremature(timing, label)]).toEqual([7, 7, 1]);
    // by the reference alone (no run): beat 7 is S there too, so nothing to visit
    expect(countPremature(B, shown({ ...B, predicted: '-'.repeat(n) }))).toBe(0);
  });

  it("follows the reviewer's corrections: relabelling the early N beat S takes it out; calling a regular beat N keeps it out", () => {
    const fixed = shown(B, new Map([[7, 'S']]));
    expect([countPremature(B, fixed), nextPremature(B, -1, 1, fixed), nextPremature(B, n, -1, fixed)]).toEqual([0, -1, -1]);
    // a reviewer who calls the model's correct S (beat 15) N brings it in
    const undone = shown(B, new Map([[7, 'S'], [15, 'N']]));
    expect([countPremature(B, undone), nextPremature(B, -1, 1, undone)]).toEqual([1, 15]);
  });

  it('the threshold is strict: exactly 0.85 × the median is not premature, a sample earlier is', () => {
    // eight RR of 1000 ms, then 850 ms (306 samples: exactly 0.85) or 847 ms (305 samples)
    const at85 = beatsFrom([...Array(8).fill(360), 306, 360]);
    const under = beatsFrom([...Array(8).fill(360), 305, 360]);
    const N = (): string => 'N';
    expect(prematurities({ samples: at85, fs: 360 })[9]).toBe(0.85);
    expect(prematurities({ samples: under, fs: 360 })[9]).toBeCloseTo(305 / 360, 12);
    expect([countPremature({ samples: at85, fs: 360 }, N), nextPremature({ samples: at85, fs: 360 }, -1, 1, N)]).toEqual([0, -1]);
    expect([countPremature({ samples: under, fs: 360 }, N), nextPremature({ samples: under, fs: 360 }, -1, 1, N)]).toEqual([1, 9]);
    // another threshold, passed explicitly
    expect(countPremature({ samples: at85, fs: 360 }, N, 0.9)).toBe(1);
    expect(isPrematureLabelled({ samples: under, fs: 360 }, 9, N, 0.8)).toBe(false);
  });
});
