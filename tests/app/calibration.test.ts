/**
 * The calibration figures of getMetrics and getStudy on MIT-BIH 208 classified by a shipped
 * model: they describe the confidence column the reviewer sees (recomputed here from listBeats alone), over the
 * same beats as the accuracy, follow the reviewer's corrections, and an adapted run counts only the beats after its
 * learning period, as its other figures do.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BeatTable, MetricsResult, RunSummary } from '../../src-main/api/contract.js';
import { escapeXml } from '../../src-main/services/ecg-svg.js';
import { calibrationText } from '../../src-main/evaluation/calibration.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { makeService, waitJob } from './helpers.js';
const MODEL = 'causal-student-int8';

/** Top-label ECE over 10 bins from the beat table's own columns (reference, label, confidence of the label). */
function eceFromTable(t: BeatTable, fromSample = 0): { beats: number; ece: number; meanConfidence: number } {
  const n = new Float64Array(10), conf = new Float64Array(10), hit = new Float64Array(10);
  let beats = 0, sum = 0;
  for (let i = 0; i < t.samples.length; i++) {
    if (t.samples[i] < fromSample || t.reference[i] === '-' || t.predicted[i] === '-') continue;
    const c = t.confidence[i], b = Math.min(9, Math.floor(c * 10));
    n[b]++; conf[b] += c; hit[b] += t.reference[i] === t.predicted[i] ? 1 : 0;
    beats++; sum += c;
  }
  let ece = 0;
  for (let b = 0; b < 10; b++) if (n[b]) ece += (n[b] / beats) * Math.abs(hit[b] / n[b] - conf[b] / n[b]);
  return { beats, ece, meanConfidence: sum / beats };
}

describeMitdb(`calibration of ${MODEL} on MIT-BIH 208`, () => {
  let api: ReviewService;
  let plain: RunSummary, adapted: RunSummary;
  let table: BeatTable;
  let metrics: MetricsResult;

  beforeAll(async () => {
    api = makeService();
    const rec = await api.openRecording(mitdbRecord('208'));
    const run = async (adapt?: { minutes: number; labels: { from: 'reference' } }): Promise<RunSummary> => {
      const j = await waitJob(api, (await api.startClassification([rec.id], MODEL, { beats: 'reference', adapt })).jobId, 120_000);
      expect(j.state).toBe('done');
      return (await api.listRuns(rec.id)).find((r) => r.id === j.runIds[0])!;
    };
    plain = await run();
    adapted = await run({ minutes: 5, labels: { from: 'reference' } });
    table = await api.listBeats(rec.id, plain.id);
    metrics = await api.getMetrics({ runId: plain.id, reference: 'annotations' });
  }, 180_000);
  afterAll(() => api?.dispose());

  it('describes the confidence the reviewer sees, over the beats the accuracy counts', () => {
    const c = metrics.calibration!;
    expect(c.beats).toBe(metrics.beats);
    expect(c.accuracy).toBeCloseTo(metrics.accuracy!, 12);
    expect(c.bins.reduce((a, b) => a + b.beats, 0)).toBe(c.beats);
    // listBeats rounds the confidence to 4 decimals; the service uses the stored probabilities.
    const mine = eceFromTable(table);
    expect(mine.beats).toBe(c.beats);
    expect(c.meanConfidence).toBeCloseTo(mine.meanConfidence, 4);
    expect(c.ece).toBeCloseTo(mine.ece, 3);
    expect(c.ece).toBeGreaterThan(0);
    expect(c.mce).toBeGreaterThanOrEqual(c.ece);
    expect(c.brier).toBeGreaterThan(0);
    expect(c.brier).toBeLessThan(2);
    // 208 has N, S, V and F beats: each gets a one-vs-rest figure.
    expect(c.classwise.map((x) => x.label)).toEqual(expect.arrayContaining(['N', 'S', 'V', 'F']));
    // Triage: the errors are the wrong labels among these beats, and checking the least confident beats first finds
    // more of them than checking as many beats at random would (on average, the same share).
    expect(c.errors).toBe(table.samples.reduce((a, _, i) => a + (table.reference[i] !== '-' && table.predicted[i] !== '-' && table.reference[i] !== table.predicted[i] ? 1 : 0), 0));
    for (const t of c.triage) expect(t.errorShare!).toBeGreaterThan(t.share);
    for (let k = 1; k < c.triage.length; k++) expect(c.triage[k].errorsFound).toBeGreaterThanOrEqual(c.triage[k - 1].errorsFound);
    expect(c.classwise.find((x) => x.label === 'F')!.beats).toBe(metrics.classes.find((x) => x.label === 'F')!.tp + metrics.classes.find((x) => x.label === 'F')!.fn);
  });

  it('follows the corrections: correcting the reference of wrong beats to the model label raises the accuracy by as many beats', async () => {
    const wrong: number[] = [];
    for (let i = 0; i < table.samples.length && wrong.length < 25; i++) if (table.reference[i] !== '-' && table.predicted[i] !== '-' && table.reference[i] !== table.predicted[i]) wrong.push(i);
    expect(wrong.length).toBe(25);
    const corrections = wrong.map((i) => ({ sample: table.samples[i], label: table.predicted[i] as 'N' }));
    const m = await api.getMetrics({ runId: plain.id, reference: 'corrected', corrections });
    expect(m.calibration!.beats).toBe(metrics.calibration!.beats);
    expect(m.calibration!.accuracy * m.calibration!.beats).toBeCloseTo(metrics.calibration!.accuracy * metrics.calibration!.beats + 25, 6);
  });

  it('counts an adapted run after its learning period only', async () => {
    const m = await api.getMetrics({ runId: adapted.id, reference: 'annotations' });
    const t = await api.listBeats(adapted.recordingId, adapted.id);
    const mine = eceFromTable(t, 300 * t.fs);
    expect(m.calibration!.beats).toBe(m.beats);
    expect(m.calibration!.beats).toBe(mine.beats);
    expect(m.calibration!.beats).toBeLessThan(metrics.calibration!.beats);
    expect(m.calibration!.ece).toBeCloseTo(mine.ece, 3);
  });

  it('is pooled per model in a study over the N, S, V and F reference beats, with the ECE and Brier in the CSV', async () => {
    const s = await api.getStudy({ runIds: [plain.id, adapted.id], reference: 'annotations', draws: 0 });
    const byArm = new Map(s.models.map((m) => [m.modelId === MODEL && !m.adapted ? 'plain' : 'adapted', m]));
    // The study counts de Chazal's way, the N, S, V and F reference beats (as its figures and the model cards do);
    // the Metrics tab every beat its accuracy counts, 208's two Q beats too.
    const plainCal = byArm.get('plain')!.calibration!;
    const q = metrics.classes.find((c) => c.label === 'Q')!;
    expect(q.tp + q.fn).toBe(2);
    expect(plainCal.beats).toBe(metrics.calibration!.beats - 2);
    expect(plainCal.beats).toBe(byArm.get('plain')!.gross.beats);
    expect(plainCal.errors).toBe(metrics.calibration!.errors - 2); // no model says Q
    expect(byArm.get('plain')!.recordings[0].calibration).toEqual({ ece: plainCal.ece, brier: plainCal.brier });
    const header = s.csv.split('\n')[0].split(',');
    expect(header.slice(header.indexOf('ece'), header.indexOf('ece') + 2)).toEqual(['ece', 'brier']);
    const gross = s.csv.split('\n').find((l) => l.startsWith(`${MODEL},`) && l.includes(',gross,'))!.split(',');
    expect(Number(gross[header.indexOf('ece')])).toBeCloseTo(100 * plainCal.ece, 3);
  });

  it('is stated in the run report (line and reliability diagram) and in the study report', async () => {
    const r = await api.exportReport({ runId: plain.id, corrections: [] });
    const line = escapeXml(calibrationText(metrics.calibration!));
    expect(line).toMatch(/^ECE \d+\.\d %, MCE \d+\.\d %, Brier 0\.\d{3}; mean confidence .* \((over|under)-confident\); one-vs-rest ECE N /);
    expect(r.html).toContain(`<dt>Calibration</dt><dd>${line}</dd>`);
    const t10 = metrics.calibration!.triage.find((t) => t.share === 0.1)!;
    expect(r.html).toContain(`10 % (${t10.beats} beats, confidence ≤ ${(100 * t10.confidenceBelow).toFixed(1)} %) finds ${(100 * t10.errorShare!).toFixed(1)} %`);
    expect(r.html).toContain(`Reliability of the model&#39;s label (${metrics.calibration!.beats} beats`);
    const s = await api.exportStudyReport({ runIds: [plain.id], reference: 'annotations', draws: 0 });
    expect(s.html).toContain(escapeXml(calibrationText(s.study.models[0].calibration!)));
  });
});
