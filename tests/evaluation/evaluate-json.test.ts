/**
 * `ecg-review evaluate` on classifier JSON output (`classify --format json`): the same bxb figures as the WFDB
 * output of the same classification, and the calibration of the labels' confidence that the model card's
 * measurement (evaluateModelOnRecords, in process) gives for the same model and records; unusable JSON is refused
 * with the file named.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readClassifierOutput } from '../../src-main/evaluation/classifier-output.js';
import { EvaluationError } from '../../src-main/evaluation/errors.js';
import { evaluateModelOnRecords } from '../../src-main/model/evaluate-records.js';
import { loadModel, RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { runCliCaptured as cli } from '../helpers/cli.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const RECORDS = ['100', '119'];
const MODEL = 'causal-student-int8';

describeMitdb('ecg-review evaluate on classify --format json output', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-eval-json-'));
    for (const r of RECORDS) {
      for (const format of ['json', 'wfdb']) {
        const c = await cli('classify', mitdbRecord(r), '--model', MODEL, '--beats', 'atr', '--format', format, '--out', join(dir, `${r}.${format === 'json' ? 'json' : 'cls'}`));
        expect(c.code, c.stderr).toBe(0);
      }
    }
  }, 120_000);
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it('scores the labels as the WFDB output of the same run, and adds the calibration the model card measures', async () => {
    const args = (test: string): string[] => ['evaluate', '--test', join(dir, test), ...RECORDS.map(mitdbRecord), '--whole', '--mapping', 'aami', '--json'];
    const j = await cli(...args('{record}.json'));
    const w = await cli(...args('{record}.cls'));
    expect(j.code, j.stderr).toBe(0);
    expect(w.code, w.stderr).toBe(0);
    const fromJson = JSON.parse(j.stdout).summary, fromWfdb = JSON.parse(w.stdout).summary;
    expect(fromJson.matrix).toEqual(fromWfdb.matrix);
    expect(fromWfdb.calibration).toBeUndefined();
    // The card's own measurement of the same model on the same records (probabilities unrounded there, to 5
    // decimals in the JSON file).
    const loaded = await loadModel(join(RESOURCES_MODELS_DIR, MODEL));
    const card = await evaluateModelOnRecords([loaded], RECORDS.map(mitdbRecord), join(dir, 'card'), { beats: 'atr' });
    loaded.model.dispose();
    const got = fromJson.calibration, want = card.calibration!;
    expect(got.beats).toBe(want.beats);
    expect(got.errors).toBe(want.errors);
    expect(got.accuracy).toBeCloseTo(want.accuracy, 12);
    expect(got.ece).toBeCloseTo(want.ece, 4);
    expect(got.brier).toBeCloseTo(want.brier, 4);
    expect(got.bins.map((b: { beats: number }) => b.beats)).toEqual(want.bins.map((b) => b.beats));
    // The text output says it in one line, with the triage.
    const t = await cli('evaluate', '--test', join(dir, '{record}.json'), ...RECORDS.map(mitdbRecord), '--whole', '--mapping', 'aami');
    expect(t.stdout).toMatch(new RegExp(`Calibration of the labels' confidence \\(classifier JSON output; ${want.beats} beats matched to an N, S, V or F reference beat, AAMI classes\\): ECE \\d+\\.\\d %`));
    expect(t.stdout).toMatch(/Review triage: checking the least confident beats first, 5 % \(/);
  }, 120_000);

  it('refuses JSON that is not classifier output, naming the file and the beat', async () => {
    const bad = async (name: string, text: string): Promise<Error> => {
      const p = join(dir, name);
      await writeFile(p, text);
      return readClassifierOutput(p).then(() => { throw new Error('accepted'); }, (e: Error) => e);
    };
    const e1 = await bad('a.json', '{"beats": [{"sample": 10, "class": "X"}]}');
    expect(e1).toBeInstanceOf(EvaluationError);
    expect(e1.message).toMatch(/a\.json.*beat 0 has class "X", not one of N S V F Q/);
    expect((await bad('b.json', '{"record": "100"}')).message).toMatch(/b\.json.*no "beats" array/);
    expect((await bad('c.json', 'not json')).message).toMatch(/c\.json.*not classifier JSON output/);
    expect((await bad('d.json', '{"beats": [{"sample": 10, "class": "N", "probabilities": {"N": 1.5}}]}')).message).toMatch(/beat 0 has probability 1.5 for N, outside \[0, 1\]/);
    expect((await bad('e.json', '{"beats": [{"sample": 10, "class": "N"}, {"sample": 5, "class": "N"}]}')).message).toMatch(/beat 1 \(sample 5\) comes before/);
  });
});
