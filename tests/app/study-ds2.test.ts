/**
 * The app reproduces a model card: the 22 DS2 records opened, classified by the shipped `causal-student-int8` at
 * their reference beats (two jobs side by side), and pooled by getStudy give the card's DS2 confusion matrix, its
 * 95 % intervals (the same bootstrap: 2,000 draws over records, seed 1), its EC57 gross figures and the calibration
 * of its confidence, exactly. The card
 * was measured by `ecg-review classify --beats atr` + `evaluate`; this is the same number through the Study tab's call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DS2 } from '../../src-main/domain/mitdb.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { makeService, MODELS_DIR, waitJob } from './helpers.js';

const MODEL = 'causal-student-int8';

describeMitdb('the Study of DS2 reproduces the model card', () => {
  let s: ReviewService;
  afterAll(async () => { await s?.dispose(); });

  it(`${MODEL}: confusion, intervals and EC57 gross figures equal the card's`, async () => {
    s = makeService();
    const ids: string[] = [];
    for (const r of DS2) ids.push((await s.openRecording(mitdbRecord(r))).id);
    const halves = [ids.slice(0, 11), ids.slice(11)];
    const jobs = await Promise.all(halves.map(async (h) => waitJob(s, (await s.startClassification(h, MODEL, { beats: 'reference' })).jobId, 300_000)));
    for (const j of jobs) expect(j.state, j.error).toBe('done');
    const study = await s.getStudy({ runIds: jobs.flatMap((j) => j.runIds), reference: 'annotations' });
    const card = JSON.parse(readFileSync(join(MODELS_DIR, MODEL, 'model-card.json'), 'utf8')).ds2;
    const [m] = study.models;
    expect(m.recordings.map((r) => r.recording).sort()).toEqual([...DS2].sort());
    expect(m.gross.confusion).toEqual(card.confusion);
    expect(m.gross.beats).toBe(card.beats);
    expect(m.gross.accuracy).toBeCloseTo(card.accuracy, 9);
    expect(m.gross.macroF1NSV).toBeCloseTo(card.macroF1NSV, 9);
    expect(m.gross.intervals).toEqual(card.intervals.intervals);
    expect(m.ec57!.gross).toMatchObject(card.ec57Gross);
    // The calibration of its confidence, as the card states it (same beats, same probabilities).
    expect(m.calibration!.beats).toBe(card.calibration.beats);
    expect(m.calibration!.errors).toBe(card.calibration.errors);
    expect(m.calibration!.bins.map((b) => b.beats)).toEqual(card.calibration.bins.map((b: { beats: number }) => b.beats));
    expect(m.calibration!.ece).toBeCloseTo(card.calibration.ece, 9);
    expect(m.calibration!.brier).toBeCloseTo(card.calibration.brier, 9);
    expect(m.calibration!.triage).toEqual(card.calibration.triage);
    // and its intervals over the 22 recordings: the same resampling of the same records as the card's.
    expect(m.calibration!.intervals!.records).toBe(22);
    for (const k of ['ece', 'brier'] as const) {
      expect(m.calibration!.intervals![k]!.lo).toBeCloseTo(card.calibration.intervals[k].lo, 9);
      expect(m.calibration!.intervals![k]!.hi).toBeCloseTo(card.calibration.intervals[k].hi, 9);
    }
    // AF a Holter summary finds from its labels and the signal's P waves, against the 22 records' (AFIB/(AFL, as the
    // README's AF table states it: duration Se 95.3 % and +P 84.5 % from this model's labels, 97.1 % and 85.6 % from
    // the cardiologists' (from RR alone they were 48.2 / 76.9 and 58.4 / 83.7)
    expect(m.af!.recordings).toBe(22);
    expect(m.af!.pWaves).toBe(true);
    expect([m.af!.model.durationSe!, m.af!.model.durationPpv!, m.af!.reference.durationSe!, m.af!.reference.durationPpv!].map((v) => +v.toFixed(1))).toEqual([95.3, 84.5, 97.1, 85.6]);
    expect([m.af!.model.referenceEpisodesFound, m.af!.model.referenceEpisodes, m.af!.reference.referenceEpisodesFound]).toEqual([63, 72, 66]);
    // the S burden outside AF as each Holter summary states it: limits of agreement −6.63 to +8.35 points, against
    // −11.53 to +16.60 for the S burden counted beat by beat (README)
    const so = m.af!.sBurdenOutsideAf!;
    expect([so.bias, so.lower, so.upper].map((v) => +v.toFixed(2))).toEqual([0.86, -6.63, 8.35]);
    expect([m.burden.S!.lower, m.burden.S!.upper].map((v) => +v.toFixed(2))).toEqual([-11.53, 16.6]);
    const header = study.csv.split('\n')[0].split(',');
    const gross = study.csv.trim().split('\n').at(-1)!.split(',');
    expect(+gross[header.indexOf('AF_overlap_model_s')]).toBeCloseTo(m.af!.model.overlapSeconds, 0);
    // and the acceptance's yardstick, as the card states it: this model is short of de Chazal on N +P only
    expect(m.gross.perClass.N.ppv!).toBeLessThan(study.deChazal2004.N.ppv);
    expect(m.gross.perClass.S.ppv!).toBeGreaterThan(study.deChazal2004.S.ppv);
  }, 600_000);
});
