/**
 * getStudy on three DS2 records (100, 213: fusion beats, 232: supraventricular beats) classified by two shipped
 * models at the reference beats: the figures equal what `ecg-review evaluate` prints for the same labels written as
 * WFDB files (whole records under the AAMI mapping with --ci; EC57 gross and average from minute 5), per recording
 * and pooled; the paired differences are the gross figures' differences; the reviewer's corrections move exactly
 * the beats they relabel; and the errors name what is wrong.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BeatTable, CorrectionInput, RunSummary, StudyResult } from '../../src-main/api/contract.js';
import { annotationCode } from '../../src-main/domain/annotation.js';
import { encodeWfdbAnnotations } from '../../src-main/formats/wfdb/index.js';
import type { ReviewService } from '../../src-main/services/review-service.js';
import { findChromium, renderPdfWithChromium } from '../../src-main/server/pdf.js';
import { runCliCaptured } from '../helpers/cli.js';
import { describeMitdb, MITDB_DIR, mitdbRecord } from '../helpers/data.js';
import { makeService, waitJob } from './helpers.js';

const RECORDS = ['100', '213', '232'];
const MODELS = ['causal-student-int8', 'cnn'];
const DRAWS = 300;

interface CliFigures {
  perClass: Record<'N' | 'S' | 'V' | 'F', { se: number | null; ppv: number | null }>;
  accuracy: number | null;
  macroF1NSV: number | null;
  intervals: { intervals: Record<string, { lo: number; hi: number } | null> };
}

describeMitdb('getStudy: runs of several recordings pooled per model', () => {
  let s: ReviewService;
  let dir: string;
  const runs = new Map<string, RunSummary>(); // `${model}/${record}` → run
  const recordingOf = new Map<string, string>(); // record → recording id
  let study: StudyResult;

  /** `evaluate --json` over the three records for one model's labels (written as WFDB files by exportCorrections). */
  async function cli(model: string, ...flags: string[]): Promise<{ records: { record: string; summaryCounts?: unknown; matrix: { counts: number[][] }; statistics: Record<string, number | null> }[]; summary: { gross: Record<string, number | null>; average: Record<string, number | null>; classFigures?: CliFigures } }> {
    const r = await runCliCaptured('evaluate', '--db', MITDB_DIR, '--test', join(dir, model, '{record}.test'), ...RECORDS, '--json', ...flags);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  }

  beforeAll(async () => {
    s = makeService();
    dir = await mkdtemp(join(tmpdir(), 'study-'));
    for (const rec of RECORDS) recordingOf.set(rec, (await s.openRecording(mitdbRecord(rec))).id);
    for (const model of MODELS) {
      const job = await waitJob(s, (await s.startClassification([...recordingOf.values()], model, { beats: 'reference' })).jobId, 180_000);
      expect(job.state, job.error).toBe('done');
      for (const runId of job.runIds) {
        const run = (await s.listRuns()).find((r) => r.id === runId)!;
        const rec = RECORDS.find((x) => recordingOf.get(x) === run.recordingId)!;
        runs.set(`${model}/${rec}`, run);
        // the model's labels as a WFDB annotation file, each beat with its AAMI class's MIT symbol (classify --format wfdb)
        const beats = await s.listBeats(run.recordingId, runId);
        const anns = beats.samples.map((sample, i) => ({ sample, symbol: beats.predicted[i], code: annotationCode(beats.predicted[i])!, subtype: 0, chan: 0, num: 0, aux: '' }));
        await mkdir(join(dir, model), { recursive: true });
        await writeFile(join(dir, model, `${rec}.test`), encodeWfdbAnnotations(anns, `${rec}.test`));
      }
    }
    study = await s.getStudy({ runIds: [...runs.values()].map((r) => r.id), reference: 'annotations', draws: DRAWS });
  }, 300_000);
  afterAll(async () => { await s?.dispose(); if (dir) await rm(dir, { recursive: true, force: true }); });

  it('pools each model over its three recordings, in the order the runs were given', () => {
    expect(study.models.map((m) => m.modelId)).toEqual(MODELS);
    for (const m of study.models) {
      expect(m.adapted).toBe(false);
      expect(m.recordings.map((r) => r.recording).sort()).toEqual(RECORDS);
      expect(m.gross.beats).toBe(m.recordings.reduce((a, r) => a + r.figures.beats, 0));
      // 100 + 213 + 232: 2,273 + 3,251 + 1,780 reference beats, fewer Q (not a figure class)
      expect(m.gross.beats).toBeGreaterThan(7_200);
      expect(m.gross.perClass.F.support).toBeGreaterThan(350); // 213's fusion beats
      expect(m.gross.perClass.S.support).toBeGreaterThan(1_380); // 232's APCs
    }
    expect(study.deChazal2004.N).toEqual({ se: 86.9, ppv: 99.2 });
  });

  it('gross figures and their intervals equal `evaluate --whole --mapping aami --ci` of the same labels', async () => {
    for (const m of study.models) {
      const c = (await cli(m.modelId, '--whole', '--mapping', 'aami', '--ci', '--ci-draws', String(DRAWS))).summary.classFigures!;
      for (const k of ['N', 'S', 'V', 'F'] as const) {
        expect(m.gross.perClass[k].se).toBeCloseTo(c.perClass[k].se!, 9);
        expect(m.gross.perClass[k].ppv).toBeCloseTo(c.perClass[k].ppv!, 9);
      }
      expect(m.gross.accuracy).toBeCloseTo(c.accuracy!, 9);
      expect(m.gross.macroF1NSV).toBeCloseTo(c.macroF1NSV!, 9);
      expect(m.gross.intervals).toEqual(c.intervals.intervals);
      const iv = m.gross.intervals!['N.ppv']!;
      expect(iv.lo).toBeLessThanOrEqual(m.gross.perClass.N.ppv!);
      expect(iv.hi).toBeGreaterThanOrEqual(m.gross.perClass.N.ppv!);
    }
  });

  it("each recording's row equals that record's own line of evaluate (AAMI, whole record)", async () => {
    for (const m of study.models) {
      const out = await cli(m.modelId, '--whole', '--mapping', 'aami');
      for (const row of m.recordings) {
        const rec = out.records.find((r) => r.record === row.recording)!;
        const counts = rec.matrix.counts; // rows N S V F Q O X, columns n s v f q o x
        const tp = (k: number): number => counts[k][k];
        const support = (k: number): number => [0, 1, 2, 3, 4].reduce((a, j) => a + counts[k][j], 0);
        const called = (k: number): number => [0, 1, 2, 3, 4].reduce((a, i) => a + counts[i][k], 0);
        ['N', 'S', 'V', 'F'].forEach((c, k) => {
          const f = row.figures.perClass[c as 'N'];
          expect(f.support).toBe(support(k));
          expect(f.se).toBe(support(k) ? (100 * tp(k)) / support(k) : null);
          expect(f.ppv).toBe(called(k) ? (100 * tp(k)) / called(k) : null);
        });
        expect(row.figures.confusion).toEqual(counts.slice(0, 4).map((r) => r.slice(0, 5)));
      }
    }
  });

  it('EC57 figures from minute 5 equal the gross and average lines of evaluate (bxb mapping, as sumstats prints them)', async () => {
    for (const m of study.models) {
      const out = await cli(m.modelId);
      expect(m.ec57!.recordings).toBe(3);
      expect(m.ec57!.gross).toEqual({ qrsSe: out.summary.gross.qrsSensitivity, qrsPpv: out.summary.gross.qrsPositivePredictivity, vebSe: out.summary.gross.vebSensitivity, vebPpv: out.summary.gross.vebPositivePredictivity, vebFpr: out.summary.gross.vebFalsePositiveRate, svebSe: out.summary.gross.svebSensitivity, svebPpv: out.summary.gross.svebPositivePredictivity });
      expect(m.ec57!.average).toEqual({ qrsSe: out.summary.average.qrsSensitivity, qrsPpv: out.summary.average.qrsPositivePredictivity, vebSe: out.summary.average.vebSensitivity, vebPpv: out.summary.average.vebPositivePredictivity, vebFpr: out.summary.average.vebFalsePositiveRate, svebSe: out.summary.average.svebSensitivity, svebPpv: out.summary.average.svebPositivePredictivity });
      for (const row of m.recordings) {
        const st = out.records.find((r) => r.record === row.recording)!.statistics;
        expect(row.ec57!.vebSe).toBe(st.vebSensitivity);
        expect(row.ec57!.svebPpv).toBe(st.svebPositivePredictivity);
      }
    }
  });

  it("runs on the QRS detector's beats: EC57's QRS Se and +P too, equal to evaluate's, and the report says where the beats came from", async () => {
    const ids = [recordingOf.get('100')!, recordingOf.get('213')!];
    const job = await waitJob(s, (await s.startClassification(ids, 'causal-student-int8', { beats: 'detector' })).jobId, 180_000);
    expect(job.state, job.error).toBe('done');
    for (const runId of job.runIds) {
      const run = (await s.listRuns()).find((r) => r.id === runId)!;
      const rec = RECORDS.find((x) => recordingOf.get(x) === run.recordingId)!;
      const beats = await s.listBeats(run.recordingId, runId);
      const anns = beats.samples.map((sample, i) => ({ sample, symbol: beats.predicted[i], code: annotationCode(beats.predicted[i])!, subtype: 0, chan: 0, num: 0, aux: '' }));
      await mkdir(join(dir, 'detector'), { recursive: true });
      await writeFile(join(dir, 'detector', `${rec}.test`), encodeWfdbAnnotations(anns, `${rec}.test`));
    }
    const st = await s.getStudy({ runIds: job.runIds, reference: 'annotations', draws: 0 });
    const r = await runCliCaptured('evaluate', '--db', MITDB_DIR, '--test', join(dir, 'detector', '{record}.test'), '100', '213', '--json');
    const out = JSON.parse(r.stdout) as { summary: { gross: Record<string, number | null> } };
    const e = st.models[0].ec57!.gross;
    expect(e.qrsSe).toBe(out.summary.gross.qrsSensitivity);
    expect(e.qrsPpv).toBe(out.summary.gross.qrsPositivePredictivity);
    expect(e.qrsSe!).toBeGreaterThan(99);
    expect(e.qrsSe!).toBeLessThan(100); // the detector misses a few of 100's and 213's beats
    expect((await s.exportStudyReport({ runIds: job.runIds, reference: 'annotations', draws: 0 })).html).toMatch(/at the QRS detector's \(detection errors count against the classifier/);
  });

  it('a model and its patient-specific form are two groups: the adapted one scored after each learning period, and the pair between them', async () => {
    const ids = [recordingOf.get('213')!, recordingOf.get('232')!];
    const job = await waitJob(s, (await s.startClassification(ids, 'causal-student-int8', { beats: 'reference', adapt: { minutes: 5, labels: { from: 'reference' } } })).jobId, 180_000);
    expect(job.state, job.error).toBe('done');
    const plainIds = ['213', '232'].map((r) => runs.get(`causal-student-int8/${r}`)!.id);
    const st = await s.getStudy({ runIds: [...plainIds, ...job.runIds], reference: 'annotations', draws: 200 });
    expect(st.models.map((m) => [m.arm, m.modelId, m.adapted])).toEqual([['causal-student-int8', 'causal-student-int8', false], ['causal-student-int8, adapted 5 min', 'causal-student-int8', true]]);
    const [plainM, adaptedM] = st.models;
    for (const row of adaptedM.recordings) {
      expect(row.scoredFromSeconds).toBe(300);
      const plainRow = plainM.recordings.find((r) => r.recording === row.recording)!;
      expect(row.figures.beats).toBeLessThan(plainRow.figures.beats); // the first 5 minutes are not scored
    }
    // 232's APCs: the adapted model finds more of them after its learning period
    expect(adaptedM.recordings.find((r) => r.recording === '232')!.figures.perClass.S.se!).toBeGreaterThan(plainM.recordings.find((r) => r.recording === '232')!.figures.perClass.S.se!);
    expect(st.pairs.map((p) => [p.a, p.b])).toEqual([['causal-student-int8', 'causal-student-int8, adapted 5 min']]);
    // The pair compares the same beats: the plain model is scored from minute 5 too, as `evaluate --from-minute 5` scores its labels.
    const [pair] = st.pairs;
    expect(pair.alignedFrom.sort((x, y) => x.recording.localeCompare(y.recording))).toEqual([{ recording: '213', seconds: 300 }, { recording: '232', seconds: 300 }]);
    const r = await runCliCaptured('evaluate', '--db', MITDB_DIR, '--test', join(dir, 'causal-student-int8', '{record}.test'), '213', '232', '--from-minute', '5', '--mapping', 'aami', '--json', '--ci', '--ci-draws', '100');
    expect(r.code, r.stderr).toBe(0);
    const plainFrom5 = (JSON.parse(r.stdout) as { summary: { classFigures: CliFigures } }).summary.classFigures;
    expect(pair.point.accuracy).toBeCloseTo(plainFrom5.accuracy! - adaptedM.gross.accuracy!, 9);
    expect(pair.point['S.se']).toBeCloseTo(plainFrom5.perClass.S.se! - adaptedM.gross.perClass.S.se!, 9);
    expect(pair.point.accuracy).not.toBeCloseTo(plainM.gross.accuracy! - adaptedM.gross.accuracy!, 3); // not the arms' own rows
    expect(st.csv).toMatch(/^"causal-student-int8, adapted 5 min",232,recording,yes,300,/m);
    // Their calibration is paired on the same beats too: the adapted arm's are its own (from minute 5), the plain arm's
    // are rescored from minute 5, so the difference is not that of the arms' own rows.
    const cal = pair.calibration!;
    expect(cal.intervals!.ece!.lo).toBeLessThanOrEqual(cal.point.ece! + 1e-9);
    expect(cal.intervals!.ece!.hi).toBeGreaterThanOrEqual(cal.point.ece! - 1e-9);
    expect(cal.point.ece).not.toBeCloseTo(100 * (plainM.calibration!.ece - adaptedM.calibration!.ece), 3);
    expect(st.pairs.every((p) => p.a !== p.b)).toBe(true);
  });

  it('the pair A − B is the difference of the two gross figures, with a paired interval around it', () => {
    expect(study.pairs).toHaveLength(1);
    const [p] = study.pairs;
    const [a, b] = study.models;
    expect([p.a, p.b]).toEqual(MODELS);
    expect(p.recordings.sort()).toEqual(RECORDS);
    expect(p.point.accuracy).toBeCloseTo(a.gross.accuracy! - b.gross.accuracy!, 9);
    expect(p.point['N.ppv']).toBeCloseTo(a.gross.perClass.N.ppv! - b.gross.perClass.N.ppv!, 9);
    expect(p.point.macroF1NSV).toBeCloseTo(a.gross.macroF1NSV! - b.gross.macroF1NSV!, 9);
    for (const [k, iv] of Object.entries(p.intervals!)) {
      if (!iv) continue;
      expect(iv.lo, k).toBeLessThanOrEqual(p.point[k]! + 1e-9);
      expect(iv.hi, k).toBeGreaterThanOrEqual(p.point[k]! - 1e-9);
    }
    expect(study.method).toMatch(/bootstrap over recordings.*300 draws/);
    // The calibration's A − B: the two arms' own ECE (points) and Brier, over the same beats, with a paired interval.
    const c = p.calibration!;
    expect(c.point.ece).toBeCloseTo(100 * (a.calibration!.ece - b.calibration!.ece), 9);
    expect(c.point.brier).toBeCloseTo(a.calibration!.brier - b.calibration!.brier, 9);
    expect(c.intervals!.ece!.lo).toBeLessThanOrEqual(c.point.ece! + 1e-9);
    expect(c.intervals!.ece!.hi).toBeGreaterThanOrEqual(c.point.ece! - 1e-9);
    expect(c.intervals!.brier!.lo).toBeLessThanOrEqual(c.point.brier! + 1e-12);
    expect(c.intervals!.brier!.hi).toBeGreaterThanOrEqual(c.point.brier! - 1e-12);
  });

  it("the reviewer's corrections: relabelling 12 of 213's misclassified beats to the model's label adds exactly 12 hits", async () => {
    const run = runs.get('cnn/213')!;
    const beats: BeatTable = await s.listBeats(run.recordingId, run.id);
    const wrong: CorrectionInput[] = [];
    for (let i = 0; i < beats.samples.length && wrong.length < 12; i++) {
      if (beats.reference[i] !== '-' && beats.reference[i] !== 'Q' && beats.predicted[i] !== beats.reference[i]) wrong.push({ sample: beats.samples[i], label: beats.predicted[i] as CorrectionInput['label'] });
    }
    expect(wrong).toHaveLength(12);
    const ids = [...runs.values()].map((r) => r.id);
    const corrected = await s.getStudy({ runIds: ids, reference: 'corrected', corrections: { [run.id]: wrong }, draws: 0 });
    const before = study.models[1].recordings.find((r) => r.recording === '213')!;
    const after = corrected.models[1].recordings.find((r) => r.recording === '213')!;
    const hits = (f: typeof before.figures): number => f.confusion.reduce((a, row, k) => a + row[k], 0);
    expect(after.corrections).toBe(12);
    expect(after.figures.beats).toBe(before.figures.beats);
    expect(hits(after.figures)).toBe(hits(before.figures) + 12);
    // the other model's run of 213 was not corrected: the reference it is scored against is the annotator's
    expect(corrected.models[0].recordings.find((r) => r.recording === '213')!.figures).toEqual(study.models[0].recordings.find((r) => r.recording === '213')!.figures);
    expect(corrected.method).toBeNull();
    expect(corrected.models[1].gross.intervals).toBeNull();
    // without draws a pair is the point difference alone, of the same gross figures
    const [pair] = corrected.pairs;
    expect(pair.intervals).toBeNull();
    expect(pair.point.accuracy).toBeCloseTo(corrected.models[0].gross.accuracy! - corrected.models[1].gross.accuracy!, 9);
    expect(pair.point['V.ppv']).toBeCloseTo(corrected.models[0].gross.perClass.V.ppv! - corrected.models[1].gross.perClass.V.ppv!, 9);
  });

  it("ectopy burden: each recording's V and S share by the reference and by the model, counted from its beats; Bland–Altman over the three", async () => {
    for (const m of study.models) {
      const diffs: Record<'V' | 'S', number[]> = { V: [], S: [] };
      for (const r of m.recordings) {
        const beats = await s.listBeats(r.recordingId, r.runId);
        const reference = [...beats.reference], predicted = [...beats.predicted];
        const scored = reference.flatMap((c, i) => ('NSVF'.includes(c) ? [i] : []));
        for (const c of ['V', 'S'] as const) {
          const ref = (100 * scored.filter((i) => reference[i] === c).length) / scored.length;
          const model = (100 * scored.filter((i) => predicted[i] === c).length) / scored.length;
          expect(r.burden![c].reference).toBeCloseTo(ref, 9);
          expect(r.burden![c].model).toBeCloseTo(model, 9);
          diffs[c].push(model - ref);
        }
      }
      // 232's APCs are 78 % of its beats; 100 has none (one A beat), so the S burdens span a wide range.
      expect(m.recordings.find((r) => r.recording === '232')!.burden!.S.reference).toBeGreaterThan(75);
      for (const c of ['V', 'S'] as const) {
        const d = diffs[c], bias = d.reduce((a, b) => a + b, 0) / d.length;
        const sd = Math.sqrt(d.reduce((a, b) => a + (b - bias) ** 2, 0) / (d.length - 1));
        const a = m.burden[c]!;
        expect(a.recordings).toBe(3);
        expect(a.bias).toBeCloseTo(bias, 9);
        expect(a.lower).toBeCloseTo(bias - 1.96 * sd, 9);
        expect(a.upper).toBeCloseTo(bias + 1.96 * sd, 9);
        const k = d.reduce((best, x, i) => (Math.abs(x) > Math.abs(d[best]) ? i : best), 0);
        expect(a.largest).toEqual({ recording: m.recordings[k].recording, difference: d[k] });
      }
    }
  });

  it('the CSV holds a row per recording and a gross row per model with its interval bounds', () => {
    const lines = study.csv.trim().split('\n');
    const header = lines[0].split(',');
    expect(lines).toHaveLength(1 + MODELS.length * (RECORDS.length + 1));
    const gross = lines.find((l) => l.startsWith('cnn,3 recordings,gross'))!.split(',');
    const at = (k: string): number => Number(gross[header.indexOf(k)]);
    const cnn = study.models[1].gross;
    expect(at('N.ppv')).toBeCloseTo(cnn.perClass.N.ppv!, 3);
    expect(at('N.ppv_lo')).toBeCloseTo(cnn.intervals!['N.ppv']!.lo, 3);
    expect(at('accuracy')).toBeCloseTo(cnn.accuracy!, 3);
    expect(at('beats')).toBe(cnn.beats);
    // and the burdens: each recording's as its row says, the gross row's over all the beats pooled
    const row232 = lines.find((l) => l.startsWith('cnn,232,recording'))!.split(',');
    expect(Number(row232[header.indexOf('S_burden_reference')])).toBeCloseTo(study.models[1].recordings.find((r) => r.recording === '232')!.burden!.S.reference, 3);
    expect(Number(gross[header.indexOf('V_burden_model')])).toBeCloseTo((100 * cnn.confusion.reduce((a, row) => a + row[2], 0)) / cnn.beats, 3);
  });

  it('the report: a methods paragraph, each model with its figures beside de Chazal 2004, per-recording rows, the differences; no scripts; the same CSV', async () => {
    const ids = [...runs.values()].map((r) => r.id);
    const r = await s.exportStudyReport({ runIds: ids, reference: 'annotations', draws: DRAWS });
    expect(r.csv).toBe(study.csv);
    expect(r.pdfBase64).toBeNull();
    expect(r.pdfError).toMatch(/no PDF renderer/);
    const html = r.html;
    expect(html).not.toMatch(/<script/i);
    expect(html).toMatch(/Beat classification study — 3 recordings, 2 models/);
    expect(html).toMatch(/at the reference annotations \(the classifier judged alone/);
    expect(html).toMatch(/percentile bootstrap over recordings.*300 draws/);
    for (const m of study.models) {
      const g = m.gross;
      // the gross N row: support, Se and +P with their intervals under them
      const iv = g.intervals!;
      expect(html).toContain(`<tr><th>N</th><td>${g.perClass.N.support}</td><td>${g.perClass.N.se!.toFixed(1)}<br><small>${iv['N.se']!.lo.toFixed(1)}–${iv['N.se']!.hi.toFixed(1)}</small></td><td>${g.perClass.N.ppv!.toFixed(1)}<br><small>${iv['N.ppv']!.lo.toFixed(1)}–${iv['N.ppv']!.hi.toFixed(1)}</small>`);
      for (const row of m.recordings) expect(html).toContain(`<tr><th>${row.recording}</th><td>${row.figures.beats}</td><td>${row.figures.perClass.N.se!.toFixed(1)}</td>`);
      // the burden agreement line, with the recording that differs most
      const v = m.burden.V!;
      expect(html).toContain(`V bias ${v.bias >= 0 ? '+' : '−'}${Math.abs(v.bias).toFixed(2)} points (95 % limits of agreement`);
      expect(html).toContain(`largest difference ${v.largest.recording}`);
    }
    expect(html).toMatch(/as Bland and Altman ask/);
    expect(html).toContain('<td>86.9 / 99.2</td>');
    const p = study.pairs[0];
    expect(html).toMatch(/Differences between models/);
    expect(html).toContain(`${p.point.accuracy! >= 0 ? '+' : ''}${p.point.accuracy!.toFixed(1)}<br><small>${p.intervals!.accuracy!.lo.toFixed(1)}–${p.intervals!.accuracy!.hi.toFixed(1)}</small>`);
    const ce = p.calibration!;
    expect(html).toContain(`${ce.point.ece! >= 0 ? '+' : ''}${ce.point.ece!.toFixed(2)}<br><small>${ce.intervals!.ece!.lo.toFixed(2)}–${ce.intervals!.ece!.hi.toFixed(2)}</small>`);
    // The LaTeX has the calibration differences as a table of their own, each over its interval.
    const tex = (v: number, d: number) => (Number(v.toFixed(d)) === 0 ? (0).toFixed(d) : `${v > 0 ? '+' : '$-$'}${Math.abs(v).toFixed(d)}`);
    const row = r.latex.split('\n').find((l) => l.startsWith(`${p.a} $-$ ${p.b} & 3 & \\shortstack{${tex(ce.point.ece!, 2)}`));
    expect(row).toBe(`${p.a} $-$ ${p.b} & 3 & \\shortstack{${tex(ce.point.ece!, 2)}\\\\\\scriptsize ${tex(ce.intervals!.ece!.lo, 2)}--${tex(ce.intervals!.ece!.hi, 2)}} & \\shortstack{${tex(ce.point.brier!, 4)}\\\\\\scriptsize ${tex(ce.intervals!.brier!.lo, 4)}--${tex(ce.intervals!.brier!.hi, 4)}} \\\\`);
    expect(r.latex).toContain('Lower is better, so a negative difference favours A.');
  });

  it.runIf(findChromium() !== null || process.env.CI)('the report prints to PDF with the system Chromium (browser mode and the CLI do this)', async () => {
    const pdfService = makeService({ renderPdf: renderPdfWithChromium });
    try {
      const rec = await pdfService.openRecording(mitdbRecord('100'));
      const job = await waitJob(pdfService, (await pdfService.startClassification([rec.id], 'causal-student-int8', { beats: 'reference' })).jobId);
      const r = await pdfService.exportStudyReport({ runIds: job.runIds, reference: 'annotations' });
      expect(r.pdfError).toBeNull();
      const pdf = Buffer.from(r.pdfBase64!, 'base64');
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      // cover page and one model page (one model, one recording: no intervals, no differences)
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(2);
      expect(r.html).toMatch(/No intervals were computed/);
    } finally {
      await pdfService.dispose();
    }
  });

  it('says what is wrong: no runs, two runs of one model on one recording, an unknown run, a bad reference or draws', async () => {
    await expect(s.getStudy({ runIds: [], reference: 'annotations' })).rejects.toThrow(/one or more runs/);
    const one = runs.get('cnn/100')!;
    const job = await waitJob(s, (await s.startClassification([one.recordingId], 'cnn', { beats: 'reference' })).jobId);
    await expect(s.getStudy({ runIds: [one.id, job.runIds[0]], reference: 'annotations' })).rejects.toThrow(new RegExp(`${one.id} and ${job.runIds[0]} are both cnn on 100; a study takes one run per recording in each group`));
    await expect(s.getStudy({ runIds: ['nope'], reference: 'annotations' })).rejects.toThrow(/no run nope/);
    await expect(s.getStudy({ runIds: [one.id], reference: 'mine' as never })).rejects.toThrow(/reference must be/);
    await expect(s.getStudy({ runIds: [one.id], reference: 'annotations', draws: -1 })).rejects.toThrow(/draws must be/);
  });
});
