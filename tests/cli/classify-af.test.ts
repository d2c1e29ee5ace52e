/**
 * AF in a classifier's output: `classify` writes the AF it finds from its labels and the signal's P waves (the Holter summary's rule) as
 * WFDB rhythm annotations and as JSON `afEpisodes`; `evaluate` scores a test's AF against the reference's
 * (AFIB/(AFL episodes over the compared period, as EC57's AF comparison (WFDB epicmp -a) does, and its beat
 * comparison ignores the rhythm annotations, as bxb does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { clipEpisodes, compareAfEpisodes, referenceAfEpisodes } from '../../src-main/evaluation/af-episodes.js';
import { readWfdbAnnotationFile, writeWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { afRhythmAnnotations, atrialFibrillationEpisodes, beatsOfAnnotations } from '../../src-main/rhythm/index.js';
import { openRecording } from '../../src-main/formats/index.js';
import { withAtrialActivity } from '../../src-main/services/atrial.js';
import { runCliCaptured as cli } from '../helpers/cli.js';
import { describeMitdb, MITDB_DIR, mitdbRecord } from '../helpers/data.js';

it('AF episodes as rhythm annotations: (N at the start, (AFIB where each begins, (N where it ends', () => {
  expect(afRhythmAnnotations([{ start: 10, end: 50.5 }], 360).map((a) => [a.sample, a.symbol, a.aux])).toEqual([[0, '+', '(N'], [3600, '+', '(AFIB'], [18180, '+', '(N']]);
  expect(afRhythmAnnotations([{ start: 0, end: 40 }], 250).map((a) => a.aux)).toEqual(['(AFIB', '(N']);
  expect(afRhythmAnnotations([], 360).map((a) => a.aux)).toEqual(['(N']); // looked, found none
});

describeMitdb('classify writes the AF it finds; evaluate scores it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'classify-af-'));

  it('202 and 100 (DS2; AF and none): the file, the JSON and evaluate agree with the rule run on the labels', async () => {
    for (const r of ['202', '100']) {
      for (const out of [`${r}.cls`, `${r}.json`]) {
        const c = await cli('classify', mitdbRecord(r), '--model', 'causal-student-int8', '--beats', 'atr', '--out', join(dir, out));
        expect(c.code, c.stderr).toBe(0);
      }
    }
    const cls = await readWfdbAnnotationFile(join(dir, '202.cls'));
    const rhythm = cls.filter((a) => a.symbol === '+');
    // the rule on the file's labels, with the signal's P waves as classify looked at them
    const src = await openRecording(mitdbRecord('202'));
    const beats = await withAtrialActivity(src, beatsOfAnnotations(cls, 360, 650000, '202'));
    await src.close();
    const found = atrialFibrillationEpisodes(beats);
    expect(found.length).toBeGreaterThan(0);
    expect(rhythm.map((a) => a.aux)).toEqual(['(N', ...found.flatMap(() => ['(AFIB', '(N'])]);
    // evaluate: the test's AF over the compared period (from minute 5), against atr's
    const e = await cli('evaluate', '--db', MITDB_DIR, '--test', join(dir, '{record}.cls'), '202', '100', '--json');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    const atr = await readWfdbAnnotationFile(`${mitdbRecord('202')}.atr`);
    const c = compareAfEpisodes(clipEpisodes(referenceAfEpisodes(atr, 360, 650000), 300, 650000 / 360), clipEpisodes(found, 300, 650000 / 360));
    const r202 = report.records.find((x: { record: string }) => x.record === '202');
    expect(r202.af.overlapSeconds).toBeCloseTo(c.overlapSeconds, 1);
    expect(r202.af.durationSe).toBeGreaterThan(60);
    expect(r202.af.foundEpisodesTrue).toBe(r202.af.foundEpisodes);
    // 100 has no AF and none is found: scored (it counts), with nothing on either side
    const r100 = report.records.find((x: { record: string }) => x.record === '100');
    expect([r100.af.referenceSeconds, r100.af.foundSeconds]).toEqual([0, 0]);
    expect(report.summary.af.referenceEpisodes).toBe(r202.af.referenceEpisodes);
    // the JSON output's afEpisodes (seconds) give the same AF scores as the file's rhythm annotations (samples)
    const j = JSON.parse((await cli('evaluate', '--db', MITDB_DIR, '--test', join(dir, '{record}.json'), '202', '100', '--json')).stdout);
    for (const k of ['referenceEpisodes', 'foundEpisodes', 'referenceEpisodesFound', 'foundEpisodesTrue']) expect(j.summary.af[k], k).toBe(report.summary.af[k]);
    for (const k of ['overlapSeconds', 'foundSeconds', 'durationSe', 'durationPpv']) expect(j.summary.af[k], k).toBeCloseTo(report.summary.af[k], 1);
    // the beat comparison ignores the rhythm annotations, as bxb does
    await writeWfdbAnnotationFile(join(dir, '202.beats'), cls.filter((a) => a.symbol !== '+'));
    const plain = JSON.parse((await cli('evaluate', '--db', MITDB_DIR, '--test', join(dir, '202.beats'), '202', '--json')).stdout);
    expect(plain.records[0].statistics).toEqual(r202.statistics);
    expect(plain.records[0].af).toBeUndefined(); // no rhythm annotations in the test: no AF comparison
  }, 120_000);
});
