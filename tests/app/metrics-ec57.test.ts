/**
 * The EC57 figures of getMetrics on MIT-BIH 208: what the core's bxb, sumstats and rxr ports (compareBeats,
 * summarizeRecords, compareRunByRun) give for the same annotations, exact counts for runs whose labels are the
 * reference's own (all of them, or with every 10th V beat labelled N), the reviewer's corrections applied to the
 * reference, and the first five minutes counted only from the start. Also the shipped CNN's runs of the shipped
 * sample 208 (on the reference beats, and on the detector's, where a correction can add a reference beat), and why
 * the figures are missing when they are.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AAMI_LABELS, type AamiLabel, type BeatTable, type Ec57Metrics, type Ec57RunTable } from '../../src-main/api/contract.js';
import type { Annotation } from '../../src-main/domain/annotation.js';
import { compareBeats, secondsToSamples } from '../../src-main/evaluation/ec57/compare.js';
import { beatsToAnnotations, isBxbBeatCode } from '../../src-main/evaluation/ec57/labels.js';
import { compareRunByRun, summarizeRunByRun, type RunByRunFigures } from '../../src-main/evaluation/ec57/runs.js';
import { grossBeatCounts, summarizeRecords } from '../../src-main/evaluation/ec57/stats.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { ec57Metrics } from '../../src-main/services/metrics.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { makeService, waitJob } from './helpers.js';

const FS = 360, LENGTH = 650_000;
const START = secondsToSamples(300, FS); // 108000: EC57's minute 5
const SAMPLE_208 = fileURLToPath(new URL('../../resources/samples/208', import.meta.url));

/** What the core gives for a run's beats and labels against reference annotations (as `evaluate --runs` calls it). */
function core(reference: readonly Annotation[], beats: Pick<BeatTable, 'samples' | 'predicted'>, startSeconds: number): Ec57Metrics {
  const test = beatsToAnnotations(beats.samples, [...beats.predicted].map((l) => AAMI_LABELS.indexOf(l as AamiLabel)));
  const o = { fs: FS, recordLength: LENGTH, startSeconds };
  const s = summarizeRecords([compareBeats(reference, test, o)]);
  const g = grossBeatCounts(s.counts);
  const r = summarizeRunByRun([compareRunByRun(reference, test, o)]);
  const f = (x: number | null): number | null => (x === null ? null : x / 100);
  const table = (x: RunByRunFigures): Ec57RunTable => ({
    couplets: { se: x.coupletSe, ppv: x.coupletPpv, tpSe: x.CTPs, fn: x.CFN, tpPpv: x.CTPp, fp: x.CFP, reference: x.CTPs + x.CFN },
    shortRuns: { se: x.shortRunSe, ppv: x.shortRunPpv, tpSe: x.STPs, fn: x.SFN, tpPpv: x.STPp, fp: x.SFP, reference: x.STPs + x.SFN },
    longRuns: { se: x.longRunSe, ppv: x.longRunPpv, tpSe: x.LTPs, fn: x.LFN, tpPpv: x.LTPp, fp: x.LFP, reference: x.LTPs + x.LFN },
  });
  return {
    from: startSeconds ? 'minute5' : 'start',
    startSeconds,
    veb: { se: f(s.gross.vebSensitivity), ppv: f(s.gross.vebPositivePredictivity), fpr: f(s.gross.vebFalsePositiveRate), tp: g.vebTP, fn: g.vebFN, fp: g.vebFP, tn: g.vebTN, reference: s.totalVeb },
    sveb: { se: f(s.gross.svebSensitivity), ppv: f(s.gross.svebPositivePredictivity), tp: g.svebTP, fn: g.svebFN, fp: g.svebFP, reference: s.totalSveb },
    runs: { ve: table(r.ve), sve: table(r.sve) },
  };
}

const RUN_KINDS = ['couplets', 'shortRuns', 'longRuns'] as const;

describeMitdb('EC57 figures of getMetrics on MIT-BIH 208', () => {
  // Runs whose labels are the reference's own: all of them, and with every 10th V beat labelled N.
  let oracle: ReviewService, vAsN: ReviewService;
  let oracleRun: string, vAsNRun: string;
  let atr: Annotation[];
  let beats: BeatTable;

  beforeAll(async () => {
    oracle = makeService({ workerEntry: new URL('./fixtures/reference-labels-worker.ts', import.meta.url) });
    vAsN = makeService({ workerEntry: new URL('./fixtures/reference-labels-worker.ts?vAsN=10', import.meta.url) });
    const run = async (s: ReviewService): Promise<string> => {
      const rec = await s.openRecording(mitdbRecord('208'));
      const job = await waitJob(s, (await s.startClassification([rec.id], 'rr-morphology-baseline')).jobId);
      expect(job.state, job.error).toBe('done');
      return job.runIds[0];
    };
    [oracleRun, vAsNRun] = await Promise.all([run(oracle), run(vAsN)]);
    beats = await oracle.listBeats((await oracle.listRuns())[0].recordingId, oracleRun);
    atr = await readWfdbAnnotationFile(`${mitdbRecord('208')}.atr`);
  });
  afterAll(async () => { await oracle?.dispose(); await vAsN?.dispose(); });

  const vBeats = (): Annotation[] => atr.filter((a) => a.symbol === 'V');

  it("a run with the reference's own labels: VEB and SVEB Se and +P 100 %, FPR 0, every reference run found and none extra", async () => {
    expect(beats.predicted).toBe(beats.reference);
    const m = await oracle.getMetrics({ runId: oracleRun, reference: 'annotations' });
    const e = m.ec57!;
    expect(m.ec57Unavailable).toBeNull();
    expect([e.from, e.startSeconds]).toEqual(['minute5', 300]);
    // 208's V-class beats are all 'V' (992, 824 of them from minute 5); its two S beats come after minute 5.
    expect(atr.filter((a) => ['E', 'r'].includes(a.symbol))).toHaveLength(0);
    const vAfter = vBeats().filter((a) => a.sample >= START).length;
    expect(vAfter).toBe(824);
    const others = atr.filter((a) => isBxbBeatCode(a.code) && a.symbol !== 'V' && a.sample >= START).length;
    expect(e.veb).toEqual({ se: 1, ppv: 1, fpr: 0, tp: vAfter, fn: 0, fp: 0, tn: others, reference: vAfter });
    expect(e.sveb).toEqual({ se: 1, ppv: 1, tp: 2, fn: 0, fp: 0, reference: 2 });
    // Its couplets and triplets (two PVCs and a fusion beat) are ventricular runs; 208 has no AF, so no SVE runs
    // but for its two S beats.
    expect(e.runs.ve.couplets.reference).toBeGreaterThan(300);
    expect(e.runs.ve.shortRuns.reference).toBeGreaterThan(0);
    for (const kind of ['ve', 'sve'] as const) {
      for (const k of RUN_KINDS) {
        const x = e.runs[kind][k];
        if (x.reference > 0) expect([kind, k, x.se, x.ppv]).toEqual([kind, k, 1, 1]);
        else expect([kind, k, x.se, x.fp]).toEqual([kind, k, null, 0]);
      }
    }
    expect(e).toEqual(core(atr, beats, 300));
  });

  it('a run with every 10th V beat labelled N: those are VEB false negatives, and the figures are the core\'s', async () => {
    const b = await vAsN.listBeats((await vAsN.listRuns())[0].recordingId, vAsNRun);
    const relabelled = vBeats().filter((_, k) => k % 10 === 0);
    expect(relabelled).toHaveLength(100);
    expect([...b.predicted].filter((l, i) => l === 'N' && b.reference[i] === 'V')).toHaveLength(100);
    const missed = relabelled.filter((a) => a.sample >= START).length;
    const vAfter = vBeats().filter((a) => a.sample >= START).length;
    const e = (await vAsN.getMetrics({ runId: vAsNRun, reference: 'annotations' })).ec57!;
    expect(e.veb).toMatchObject({ tp: vAfter - missed, fn: missed, fp: 0, reference: vAfter, ppv: 1, fpr: 0 });
    expect(e.veb.se).toBeCloseTo((vAfter - missed) / vAfter, 12);
    // A V labelled N breaks the couplet or run it was in, so some are missed; what is left of a broken run lies inside
    // the reference run, so every couplet the run reports is confirmed.
    expect(e.runs.ve.couplets.se!).toBeLessThan(1);
    expect(e.runs.ve.couplets.ppv).toBe(1);
    expect(e).toEqual(core(atr, b, 300));
    // From the start the first five minutes count too.
    const whole = (await vAsN.getMetrics({ runId: vAsNRun, reference: 'annotations', ec57From: 'start' })).ec57!;
    expect(whole.veb).toMatchObject({ tp: 992 - 100, fn: 100, reference: 992 });
    expect(whole).toEqual(core(atr, b, 0));
  });

  it("applies the reviewer's corrections to the reference, as the per-class figures do; before minute 5 they count only from the start", async () => {
    const vIdx = [...beats.reference].flatMap((l, i) => (l === 'V' ? [i] : []));
    const nIdx = [...beats.symbols].flatMap((l, i) => (l === 'N' && beats.samples[i] > START + 3600 ? [i] : []));
    const early = vIdx.filter((i) => beats.samples[i] < START - 3600).slice(0, 3);
    const late = vIdx.filter((i) => beats.samples[i] > START + 3600).slice(5, 10);
    const corrections = [...early.map((i) => ({ sample: beats.samples[i], label: 'N' as const })), ...late.map((i) => ({ sample: beats.samples[i], label: 'N' as const })), { sample: beats.samples[nIdx[40]], label: 'V' as const }];
    const m = await oracle.getMetrics({ runId: oracleRun, reference: 'corrected', corrections });
    expect(m.corrections).toBe(9);
    // Reference V beats the reviewer calls N are now the run's false positives; the N beat called V is a miss.
    expect(m.ec57!.veb).toMatchObject({ tp: 824 - 5, fp: 5, fn: 1, reference: 824 - 5 + 1 });
    expect(m.classes.find((c) => c.label === 'V')).toMatchObject({ tp: 992 - 8, fp: 8, fn: 1 });
    // The core on the annotator's file edited the same way.
    const edited = new Map(corrections.map((c) => [c.sample, c.label]));
    const corrected = atr.map((a) => (isBxbBeatCode(a.code) && edited.has(a.sample) ? { ...a, symbol: edited.get(a.sample)!, code: edited.get(a.sample) === 'V' ? 5 : 1 } : a));
    expect(m.ec57).toEqual(core(corrected, beats, 300));
    const whole = await oracle.getMetrics({ runId: oracleRun, reference: 'corrected', corrections, ec57From: 'start' });
    expect(whole.ec57!.veb).toMatchObject({ tp: 992 - 8, fp: 8, fn: 1, reference: 992 - 8 + 1 });
    expect(whole.ec57).toEqual(core(corrected, beats, 0));
    // The annotator alone ignores them.
    expect((await oracle.getMetrics({ runId: oracleRun, reference: 'annotations', corrections })).ec57).toEqual(core(atr, beats, 300));
  });

  it('from the start counts the beats of the first five minutes that minute 5 leaves out', async () => {
    const [m5, m0] = await Promise.all([
      oracle.getMetrics({ runId: oracleRun, reference: 'annotations', ec57From: 'minute5' }),
      oracle.getMetrics({ runId: oracleRun, reference: 'annotations', ec57From: 'start' }),
    ]);
    expect([m0.ec57!.from, m0.ec57!.startSeconds]).toEqual(['start', 0]);
    expect(m0.ec57!.veb.reference - m5.ec57!.veb.reference).toBe(vBeats().filter((a) => a.sample < START).length);
    expect(m0.ec57!.veb.reference).toBe(992);
    expect(m0.ec57!.veb.tn).toBeGreaterThan(m5.ec57!.veb.tn);
    expect(m0.ec57!.runs.ve.couplets.reference).toBeGreaterThan(m5.ec57!.runs.ve.couplets.reference);
    expect(m0.ec57).toEqual(core(atr, beats, 0));
    // The per-class figures do not depend on it.
    expect({ ...m0, ec57: null }).toEqual({ ...m5, ec57: null });
  });

  it('refuses an unknown start, naming it', async () => {
    await expect(oracle.getMetrics({ runId: oracleRun, reference: 'annotations', ec57From: 'minute3' as 'start' })).rejects.toThrow(/ec57From must be 'minute5', 'start' or 'learning', got "minute3"/);
  });
});

describe('EC57 figures of the shipped CNN on the shipped sample 208', () => {
  let s: ReviewService;
  afterAll(async () => { await s?.dispose(); });

  it("are the core's figures for the run's labels against 208.atr", async () => {
    s = makeService({ dataDir: undefined });
    const rec = await s.openRecording(SAMPLE_208);
    const job = await waitJob(s, (await s.startClassification([rec.id], 'cnn')).jobId);
    expect(job.state, job.error).toBe('done');
    const runId = job.runIds[0];
    const b = await s.listBeats(rec.id, runId);
    const atr = await readWfdbAnnotationFile(`${SAMPLE_208}.atr`);
    for (const from of ['minute5', 'start'] as const) {
      const m = await s.getMetrics({ runId, reference: 'annotations', ec57From: from });
      expect(m.ec57).toEqual(core(atr, b, from === 'start' ? 0 : 300));
    }
    // The app classifies 208's reference beats; a model that finds most PVCs of 208 finds most of its couplets.
    const e = (await s.getMetrics({ runId, reference: 'annotations' })).ec57!;
    expect(e.veb.se!).toBeGreaterThan(0.9);
    expect(e.runs.ve.couplets.se!).toBeGreaterThan(0.9);
  });

  it('on the QRS detector\'s beats, a correction of a beat the reference lacks adds that beat to the reference', async () => {
    const rec = await s.openRecording(SAMPLE_208);
    const job = await waitJob(s, (await s.startClassification([rec.id], 'cnn', { beats: 'detector' })).jobId);
    expect(job.state, job.error).toBe('done');
    const runId = job.runIds[0];
    const b = await s.listBeats(rec.id, runId);
    const extra = [...b.reference].findIndex((l, i) => l === '-' && b.samples[i] > START);
    expect(extra, 'a detected beat after minute 5 with no reference beat').toBeGreaterThan(0);
    const before = (await s.getMetrics({ runId, reference: 'corrected', corrections: [] })).ec57!;
    const label = 'V';
    const after = (await s.getMetrics({ runId, reference: 'corrected', corrections: [{ sample: b.samples[extra], label }] })).ec57!;
    const atr = await readWfdbAnnotationFile(`${SAMPLE_208}.atr`);
    const added = [...atr, { sample: b.samples[extra], symbol: label, code: 5, subtype: 0, chan: 0, num: 0, aux: '' }].sort((x, y) => x.sample - y.sample);
    expect(after).toEqual(core(added, b, 300));
    expect(before).toEqual(core(atr, b, 300));
    // The run's beat there is no longer an extra beat (bxb's O row) but a reference VEB: found if the model said V
    // (no longer a false positive), else missed (no longer a true negative).
    expect(after.veb.reference).toBe(before.veb.reference + 1);
    if (b.predicted[extra] === 'V') expect([after.veb.tp, after.veb.fp]).toEqual([before.veb.tp + 1, before.veb.fp - 1]);
    else expect([after.veb.fn, after.veb.tn]).toEqual([before.veb.fn + 1, before.veb.tn - 1]);
  });
});

describe('EC57 figures that cannot be computed', () => {
  const beat = (sample: number, symbol = 'N'): Annotation => ({ sample, symbol, code: symbol === 'V' ? 5 : 1, subtype: 0, chan: 0, num: 0, aux: '' });
  const ref = Array.from({ length: 20 }, (_, i) => beat(360 + i * 300, i % 5 ? 'N' : 'V'));

  it('a recording that ends before minute 5: none from minute 5, with the reason; all from the start', () => {
    const short = ec57Metrics(ref, ref, { fs: 360, length: 7000, from: 'minute5' });
    expect(short.ec57).toBeNull();
    expect(short.ec57Unavailable).toMatch(/\(19\.4 s\) ends before minute 5.*compare from the start/);
    const whole = ec57Metrics(ref, ref, { fs: 360, length: 7000, from: 'start' });
    expect(whole.ec57Unavailable).toBeNull();
    expect(whole.ec57!.veb).toEqual({ se: 1, ppv: 1, fpr: 0, tp: 4, fn: 0, fp: 0, tn: 16, reference: 4 });
    // No ventricular or supraventricular runs in the reference: Se undefined (shown as "—").
    expect(whole.ec57!.runs.ve.couplets).toEqual({ se: null, ppv: null, tpSe: 0, fn: 0, tpPpv: 0, fp: 0, reference: 0 });
    expect(whole.ec57!.sveb.se).toBeNull();
  });

  it('a recording without reference beats', () => {
    const rhythmOnly: Annotation[] = [{ sample: 0, symbol: '+', code: 28, subtype: 0, chan: 0, num: 0, aux: '(N' }];
    expect(ec57Metrics(rhythmOnly, ref, { fs: 360, length: 200_000, from: 'minute5' })).toEqual({ ec57: null, ec57Unavailable: 'the recording has no reference beat annotations to compare with' });
  });
});
