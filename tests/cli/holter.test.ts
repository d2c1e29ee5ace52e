/**
 * `ecg-review holter`: the Holter summary of a record's beat labels, from the reference annotator or from any
 * annotation file (what `classify --format wfdb` writes), as text and as JSON equal to the rhythm layer's result.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { aamiClassOf } from '../../src-main/domain/aami.js';
import { annotationCode } from '../../src-main/domain/annotation.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { writeWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { compareAfEpisodes, referenceAfEpisodes } from '../../src-main/evaluation/af-episodes.js';
import { atrialFibrillationEpisodes, beatsOfAnnotations, summarizeHolter } from '../../src-main/rhythm/index.js';
import { withAtrialActivity } from '../../src-main/services/atrial.js';
import { runCliCaptured } from '../helpers/cli.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const cli = runCliCaptured;

describeMitdb('ecg-review holter', () => {
  it('record 119 (ventricular bigeminy and trigeminy): text and JSON, the JSON equal to summarizeHolter on atr and the signal', async () => {
    const text = await cli('holter', mitdbRecord('119'));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Holter summary of 119 \(beat labels: atr\): 0:30:05 analysed, 1987 beats/);
    expect(text.stdout).toMatch(/Ventricular ectopy \(V\): 444 beats/);
    expect(text.stdout).toMatch(/bigeminy 37 episode\(s\)/);
    const json = await cli('holter', mitdbRecord('119'), '--json');
    const src = await openRecording(mitdbRecord('119'));
    const anns = await readAnnotations(src, 'atr');
    const expected = summarizeHolter(await withAtrialActivity(src, beatsOfAnnotations(anns, src.info.fs, src.info.length, '119')));
    await src.close();
    expect(expected.af.pWaves).toBe(true);
    // plus the AF found scored against atr's rhythm annotations: 119 has none, and none is found
    const afAgreement = { annotator: 'atr', referenceSeconds: 0, referenceEpisodes: 0, foundSeconds: 0, foundEpisodes: 0, overlapSeconds: 0, referenceEpisodesFound: 0, foundEpisodesTrue: 0, durationSe: null, durationPpv: null };
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify({ record: '119', labels: 'atr', ...expected, afAgreement })));
  });

  it('221 (AF): the AF found is scored against the rhythm annotations, as the AF tests score it; --rr-only leaves out the P waves', async () => {
    const o = await cli('holter', mitdbRecord('221'));
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/Atrial fibrillation \(from RR irregularity, with less of it needed where the signal shows no P waves\)/);
    expect(o.stdout).toMatch(/against atr's rhythm annotations \(\(AFIB\/\(AFL: 29\.3 min in 12 episode\(s\)\): duration Se 99\.1 %, \+P 97\.3 %; 12 of 12 reference episodes overlapped, 1 of 1 found in AF/);
    const rr = await cli('holter', mitdbRecord('221'), '--rr-only');
    expect(rr.stdout).toMatch(/Atrial fibrillation \(from RR irregularity alone: misses flutter and AF with a regular response\)/);
    expect(rr.stdout).toMatch(/duration Se 77\.1 %, \+P 98\.4 %; 10 of 12 reference episodes overlapped, 8 of 8 found in AF/);
    const j = JSON.parse((await cli('holter', mitdbRecord('221'), '--json')).stdout);
    const src = await openRecording(mitdbRecord('221'));
    const anns = await readAnnotations(src, 'atr');
    const c = compareAfEpisodes(referenceAfEpisodes(anns, 360, src.info.length), atrialFibrillationEpisodes(await withAtrialActivity(src, beatsOfAnnotations(anns, 360, src.info.length, '221'))));
    await src.close();
    expect(j.afAgreement.durationSe).toBeCloseTo((100 * c.overlapSeconds) / c.referenceSeconds, 9);
    expect(j.afAgreement.durationPpv).toBeCloseTo((100 * c.overlapSeconds) / c.detectedSeconds, 9);
    expect([j.afAgreement.referenceEpisodesFound, j.afAgreement.foundEpisodesTrue, j.afAgreement.foundEpisodes]).toEqual([c.referenceFound, c.detectedTrue, c.detectedEpisodes]);
  });

  it('reads a classifier\'s WFDB output (AAMI symbols), and --pause sets the pause threshold', async () => {
    const src = await openRecording(mitdbRecord('232'));
    // as classify writes them: the AAMI class letter of each beat (232's normal beats are right bundle branch block, R)
    const anns = (await readAnnotations(src, 'atr')).filter((a) => aamiClassOf(a.symbol)).map((a) => ({ ...a, symbol: aamiClassOf(a.symbol)!, code: annotationCode(aamiClassOf(a.symbol)!)! }));
    await src.close();
    const file = join(mkdtempSync(join(tmpdir(), 'holter-')), '232.cls');
    await writeWfdbAnnotationFile(file, anns);
    const a = JSON.parse((await cli('holter', mitdbRecord('232'), '--annotator', file, '--json')).stdout);
    expect(a.counts).toEqual({ N: 398, S: 1382, V: 0, F: 0, Q: 0 });
    const b = JSON.parse((await cli('holter', mitdbRecord('232'), '--annotator', file, '--pause', '4', '--json')).stdout);
    expect(b.pauses.threshold).toBe(4);
    expect(b.pauses.count).toBeLessThan(a.pauses.count);
    expect(b.pauses.longest).toEqual(a.pauses.longest);
  });

  it('--model labels the beats first: the shipped causal student on 119\'s detected beats finds its bigeminy', async () => {
    const o = await cli('holter', mitdbRecord('119'), '--model', 'causal-student-int8', '--json');
    expect(o.code, o.stderr).toBe(0);
    const s = JSON.parse(o.stdout);
    expect(s.labels).toMatch(/^model causal-student-int8 on live detector beats, lead MLII$/);
    // the cardiologists count 444 V beats and 37 bigeminy episodes; the model's labels must find most of them
    expect(s.counts.V).toBeGreaterThan(400);
    expect(s.ectopy.V.bigeminy.episodes).toBeGreaterThan(25);
    const both = await cli('holter', mitdbRecord('119'), '--model', 'causal-student-int8', '--annotator', 'atr');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/not both/);
  });

  it('--compare puts two summaries side by side: atr against itself differs in nothing', async () => {
    const o = await cli('holter', mitdbRecord('223'), '--compare', 'atr');
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/^V runs ≥ 3 +7 +7 +0$/m);
    const rows = o.stdout.split('\n').slice(3).filter(Boolean);
    expect(rows.length).toBeGreaterThan(25);
    for (const row of rows) expect(row, row).toMatch(/ (0|—)$/);
    const j = JSON.parse((await cli('holter', mitdbRecord('223'), '--compare', 'atr', '--json')).stdout);
    expect({ ...j.test, labels: '' }).toEqual({ ...j.reference, labels: '' });
  });

  it('bad input: one line naming it', async () => {
    const noBeats = await cli('holter', mitdbRecord('100'), '--annotator', join(tmpdir(), 'no-such.cls'));
    expect(noBeats.code).toBe(1);
    expect(noBeats.stderr).toMatch(/no-such\.cls/);
    const pause = await cli('holter', mitdbRecord('100'), '--pause', '0');
    expect(pause.code).toBe(1);
    expect(pause.stderr.trim().split('\n')).toHaveLength(1);
    expect(pause.stderr).toMatch(/100 \(atr\): pause threshold must be a positive number of seconds, got 0/);
  });
});
