/**
 * Parallel segments give the same beats as one pass: classifying MIT-BIH 208 in three segments (each with its
 * lead-in) and merging finds the same beats at the same places with the same labels, with labels that agree on
 * ≥ 95 % of the beats (the baseline's template state is path-dependent).
 */
import { expect, it } from 'vitest';
import { classifyRecording } from '../../src-main/services/classify-recording.js';
import { BASELINE_MODEL_ID } from '../../src-main/services/domain-adapters.js';
import { matchBeats } from '../../src-main/services/metrics.js';
import { mergeSegments } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { MODELS_DIR } from './helpers.js';

describeMitdb('segmented classification', () => {
  it('matches the single pass on 208', async () => {
    const base = { path: mitdbRecord('208'), modelId: BASELINE_MODEL_ID, modelsDir: MODELS_DIR };
    const whole = await classifyRecording(base, () => {});
    const cuts = [0, 216_667, 433_333, 650_000];
    const parts = await Promise.all(cuts.slice(0, -1).map((from, j) => classifyRecording({ ...base, keepFrom: from, keepTo: cuts[j + 1] }, () => {})));
    const merged = mergeSegments(parts, 360);
    expect(Math.abs(merged.samples.length - whole.samples.length)).toBeLessThanOrEqual(2);
    for (let i = 1; i < merged.samples.length; i++) expect(merged.samples[i]).toBeGreaterThan(merged.samples[i - 1]);
    const m = matchBeats(merged.samples, whole.samples, 5);
    let same = 0, sameLabel = 0;
    m.forEach((j, i) => { if (j >= 0) { same++; if (merged.predicted[i] === whole.predicted[j]) sameLabel++; } });
    expect(same).toBeGreaterThanOrEqual(whole.samples.length - 4);
    // The baseline's running normal template has a long memory, so after a seam it can follow another path for a
    // while on a record as mixed as 208 (bigeminy, fusion): labels agree on ≥ 95 % of the beats, not all.
    expect(sameLabel / same).toBeGreaterThan(0.95);
  });
});
