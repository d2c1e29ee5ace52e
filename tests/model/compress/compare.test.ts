/**
 * `compare`: its accuracy figures are those of classify + evaluate for each model (same beats, same EC57
 * comparison), reproducible run to run, with McNemar between the models and an HTML report with the plot; the
 * lite runtime's single-beat latency as one more column, "—" with the reason for a model it does not run; the
 * calibration of each model's confidence on the same beats.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main.js';
import type { Comparison } from '../../../src-main/model/compress/compare.js';
import { formatComparisonText, tableRows } from '../../../src-main/model/compress/compare-report.js';
import { RESOURCES_MODELS_DIR } from '../../../src-main/model/io.js';
import { evaluateModelOnRecords } from '../../../src-main/model/evaluate-records.js';
import { loadModel } from '../../../src-main/model/io.js';
import { AAMI_CLASSES, aamiClassOf } from '../../../src-main/domain/aami.js';
import { calibrationOf } from '../../../src-main/evaluation/calibration.js';
import { openRecording, readAnnotations } from '../../../src-main/formats/index.js';
import { classifyRecording } from '../../../src-main/model/classify.js';
import { describeMitdb, MITDB_DIR, mitdbRecord } from '../../helpers/data.js';
import { capture, fixtureBeats, fixtureModelDir } from './fixture.js';


const RECORDS = ['100', '119'];

describeMitdb('ecg-review compare', () => {
  let dir: string, q8: string, work: string;
  let first: Comparison;

  beforeAll(async () => {
    ({ dir } = await fixtureModelDir(await fixtureBeats()));
    work = mkdtempSync(join(tmpdir(), 'ecg-compare-test-'));
    q8 = join(work, 'q8');
    expect(await runCli(['compress', '--model', dir, '--quantize', 'uint8', '--out', q8, '--eval', 'none'], capture())).toBe(0);
    const io = capture();
    const html = join(work, 'report.html');
    expect(await runCli(['compare', dir, q8, '--eval', RECORDS.join(','), '--data', MITDB_DIR, '--backends', 'wasm,lite', '--latency-runs', '3', '--batch-size', '32', '--json', '--html', html], io)).toBe(0);
    first = JSON.parse(io.stdout) as Comparison;
  });

  afterAll(() => {
    for (const d of [work, dirname(dir)]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('reports the figures classify + evaluate give for the same model and records', async () => {
    // The classifiers' own scoring: `classify --beats atr` in-process with their loader, annotation files, EC57.
    const loaded = await loadModel(dir);
    const want = await evaluateModelOnRecords([loaded], RECORDS.map(mitdbRecord), join(work, 'ann'));
    loaded.model.dispose();
    const got = first.models[0].evaluation!;
    expect(got.accuracy).toBe(want.accuracy);
    expect(got.macroF1).toBe(want.macroF1);
    expect(got.perClass).toEqual(want.perClass);
    expect(got.confusion).toEqual(want.confusion);
    expect(got.ec57Gross).toEqual(want.ec57Gross);
    expect(got.intervals).toEqual(want.intervals);
    expect(got.intervals!.records).toBe(RECORDS.length);
    const f = (['N', 'S', 'V'] as const).map((c) => want.perClass[c].f1!);
    expect(got.macroF1NSV).toBeCloseTo((f[0] + f[1] + f[2]) / 3, 12);
    // McNemar's beats are the same beats: the reference N/S/V/F beats of the records.
    expect(first.beats).toBe((['N', 'S', 'V', 'F'] as const).reduce((a, c) => a + want.perClass[c].support, 0));
    // Record 119 has hundreds of V beats, so the V figures are real.
    expect(got.perClass.V.support).toBeGreaterThan(300);
  });

  it("gives the calibration of the label's confidence that classify's probabilities give on the same beats", async () => {
    const loaded = await loadModel(dir);
    const reference: number[] = [], predicted: number[] = [], probs: number[] = [], records: number[] = [];
    for (const [k, r] of RECORDS.entries()) {
      const src = await openRecording(mitdbRecord(r));
      const atr = new Map((await readAnnotations(src, 'atr')).filter((a) => aamiClassOf(a.symbol)).map((a) => [a.sample, aamiClassOf(a.symbol)]));
      const c = await classifyRecording(src, [loaded], { beats: 'atr' });
      await src.close();
      for (let i = 0; i < c.samples.length; i++) {
        const t = atr.get(c.samples[i]);
        if (!t || t === 'Q') continue;
        reference.push(AAMI_CLASSES.indexOf(t));
        predicted.push(AAMI_CLASSES.indexOf(c.classes[c.predicted[i]]));
        probs.push(...AAMI_CLASSES.map((x) => (c.classes.includes(x) ? c.probabilities[i * c.classes.length + c.classes.indexOf(x)] : 0)));
        records.push(k);
      }
    }
    loaded.model.dispose();
    const want = calibrationOf({ reference, predicted, probs, labels: AAMI_CLASSES, records })!;
    const got = first.models[0].evaluation!.calibration!;
    expect(got.beats).toBe(first.beats);
    expect(got.ece).toBeCloseTo(want.ece, 12);
    expect(got.brier).toBeCloseTo(want.brier, 12);
    expect(got.bins.map((b) => b.beats)).toEqual(want.bins.map((b) => b.beats));
    // The float16/uint8 copy has its own probabilities, so its own calibration, on the same beats.
    expect(first.models[1].evaluation!.calibration!.beats).toBe(first.beats);
    const { head, rows } = tableRows(first);
    // With its interval over the two records (the same resampling of the same per-record sums).
    expect(got.intervals!.ece).toEqual(want.intervals!.ece);
    expect(rows[0][head.indexOf('ECE % (95 % CI)')]).toBe(`${(100 * got.ece).toFixed(2)} (${(100 * want.intervals!.ece!.lo).toFixed(1)}–${(100 * want.intervals!.ece!.hi).toFixed(1)})`);
    expect(rows[0][head.indexOf('Brier')]).toBe(got.brier.toFixed(4));
  });

  it('is reproducible (latencies aside) and tests the pair with McNemar on the same beats', async () => {
    const io = capture();
    expect(await runCli(['compare', dir, q8, '--eval', RECORDS.join(','), '--data', MITDB_DIR, '--backends', 'wasm,lite', '--latency-runs', '3', '--batch-size', '32', '--json'], io)).toBe(0);
    const again = JSON.parse(io.stdout) as Comparison;
    again.models.forEach((m, i) => {
      expect(m.evaluation).toEqual(first.models[i].evaluation);
      expect([m.parameters, m.nonZeroParameters, m.bytes, m.gzipBytes]).toEqual([first.models[i].parameters, first.models[i].nonZeroParameters, first.models[i].bytes, first.models[i].gzipBytes]);
    });
    expect(again.mcnemar).toEqual(first.mcnemar);
    const [a, b] = first.models;
    expect(b.quantization).toBe('uint8');
    expect(b.bytes).toBeLessThan(a.bytes / 2);
    for (const m of first.models) {
      expect(m.latency.map((l) => l.backend)).toEqual(['wasm']);
      expect(m.latency[0].singleMedian).toBeGreaterThan(0);
      expect(m.latency[0].singleP95).toBeGreaterThanOrEqual(m.latency[0].singleMedian);
    }
    expect(again.models.map((m) => m.lite?.refused)).toEqual([null, null]);
    expect(first.mcnemar).toHaveLength(1);
    // The paired differences: A − B of the same figures, with an interval from resampling the records for both at once.
    const d = first.mcnemar[0].differences;
    expect(d.point.macroF1NSV).toBeCloseTo(a.evaluation!.macroF1NSV! - b.evaluation!.macroF1NSV!, 9);
    expect(d.point.accuracy).toBeCloseTo(first.mcnemar[0].accuracyDifference!, 9);
    expect(d.intervals.macroF1NSV!.lo).toBeLessThanOrEqual(d.intervals.macroF1NSV!.hi);
    expect(d.method).toMatch(/^paired percentile bootstrap over records: 2 records/);
    // And A − B of the calibration, paired the same way: at the two models' own ECE and Brier.
    const cd = first.mcnemar[0].calibration;
    expect(cd.point.ece).toBeCloseTo(a.evaluation!.calibration!.ece - b.evaluation!.calibration!.ece, 12);
    expect(cd.point.brier).toBeCloseTo(a.evaluation!.calibration!.brier - b.evaluation!.calibration!.brier, 12);
    expect(cd.intervals.ece!.lo).toBeLessThanOrEqual(cd.point.ece!);
    expect(cd.intervals.ece!.hi).toBeGreaterThanOrEqual(cd.point.ece!);
    expect(cd.records).toBe(2);
    const t = first.mcnemar[0].result;
    // b − c is the difference in correct beats between the two models.
    expect((100 * (t.b - t.c)) / first.beats).toBeCloseTo(a.evaluation!.accuracy! - b.evaluation!.accuracy!, 10);
    expect(t.pValue).toBeGreaterThan(0);
    expect(t.pValue).toBeLessThanOrEqual(1);
  });

  it('times the lite runtime as one more column for a model it runs (the cnn and its uint8 copy)', () => {
    for (const m of first.models) {
      expect(m.lite).toBeDefined();
      expect(m.lite!.refused).toBeNull();
      expect(m.lite!.singleMedian).toBeGreaterThan(0);
      expect(m.lite!.singleP95).toBeGreaterThanOrEqual(m.lite!.singleMedian!);
    }
    const { head, rows } = tableRows(first);
    const col = head.indexOf('lite 1-beat ms (med/p95)');
    expect(col).toBe(head.indexOf('wasm batched ms/beat (med/p95)') + 1);
    for (const r of rows) {
      const [med, p95] = r[col].split('/').map(Number);
      expect(med).toBeGreaterThan(0);
      expect(p95).toBeGreaterThanOrEqual(med);
    }
    expect(formatComparisonText(first)).toContain('lite 1-beat ms (med/p95)');
    expect(formatComparisonText(first)).not.toContain('does not run');
  });

  it('shows "—" with the reason, not an error, for a model the lite runtime refuses (attention)', async () => {
    const attention = join(RESOURCES_MODELS_DIR, 'attention');
    const io = capture();
    expect(await runCli(['compare', dir, attention, '--eval', 'none', '--backends', 'lite', '--latency-runs', '3', '--json'], io)).toBe(0);
    const c = JSON.parse(io.stdout) as Comparison;
    const [cnn, att] = c.models;
    expect(cnn.lite!.singleMedian).toBeGreaterThan(0);
    expect(att.lite!.singleMedian).toBeNull();
    expect(att.lite!.singleP95).toBeNull();
    expect(att.lite!.refused).toMatch(/layer '\w+' is a EcgAttentionPooling1D, which the lite runtime does not support/);
    const { head, rows } = tableRows(c);
    const col = head.indexOf('lite 1-beat ms (med/p95)');
    expect(col).toBeGreaterThan(0);
    expect(rows[1][col]).toBe('—');
    expect(Number(rows[0][col].split('/')[0])).toBeGreaterThan(0);
    const text = formatComparisonText(c);
    expect(text).toContain(`  ${att.name}: ${att.lite!.refused}`);
    // Without lite among the backends there is no lite field or column (the output is as before).
    const none = capture();
    expect(await runCli(['compare', dir, '--eval', 'none', '--backends', 'wasm', '--latency-runs', '3', '--batch-size', '8', '--json'], none)).toBe(0);
    const plain = JSON.parse(none.stdout) as Comparison;
    expect(Object.keys(plain.models[0])).not.toContain('lite');
    expect(formatComparisonText(plain)).not.toContain('lite');
  });

  it('writes an HTML report with the table, an inline SVG accuracy-vs-size plot and the McNemar table', () => {
    const html = readFileSync(join(work, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toMatch(/<circle[^>]*><title>cnn: \d+ bytes/);
    expect(html).toContain('McNemar');
    expect(html).toContain('ecg-review compare');
    expect(html).toContain('<th>lite 1-beat ms (med/p95)</th>');
    expect(html).toContain('<th>Δ ECE (95 % CI)</th>');
    const ece = first.mcnemar[0].calibration;
    const cell = (v: number) => (100 * v).toFixed(2);
    expect(html).toContain(`<td>${ece.point.ece! >= 0 ? '+' : ''}${cell(ece.point.ece!)} (${cell(ece.intervals.ece!.lo)} to ${cell(ece.intervals.ece!.hi)})</td>`);
    expect(formatComparisonText(first)).toMatch(/ECE [+-]\d+\.\d\d \(-?\d+\.\d\d to -?\d+\.\d\d\) points, Brier [+-]\d\.\d{4} /);
  });

  it('says which argument is not a model directory', async () => {
    const io = capture();
    expect(await runCli(['compare', dir, work, '--eval', 'none'], io)).toBe(1);
    expect(io.stderr).toContain(`${work}: is not a model directory (no model.json)`);
  });
});
