/**
 * `ecg-review report` on the shipped sample 208: the HTML report names the recording and the model, the CSV has a
 * row per beat of the run, and missing arguments are refused by name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../helpers/cli.js';

const SAMPLE_208 = fileURLToPath(new URL('../../resources/samples/208', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecg-review-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes the HTML report and the per-beat CSV of a classification of 208', async () => {
  const html = join(dir, '208.html'), csv = join(dir, '208.csv');
  const r = await cli('report', SAMPLE_208, '--out', html, '--csv', csv, '--model', 'causal-student-int8');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual([html, csv]);
  const text = readFileSync(html, 'utf8');
  expect(text).toMatch(/<h1>ECG Review report — 208<\/h1>/);
  expect(text).toMatch(/causal-student-int8/);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  expect(rows[0]).toMatch(/^sample,time_s,reference_symbol,reference,predicted,/);
  // 208's reference holds 2,955 beats (the run is on the reference positions, as the app classifies by default)
  expect(rows.length - 1).toBe(2955);
}, 120_000);

it('refuses a missing --out or record', async () => {
  expect((await cli('report', SAMPLE_208)).stderr).toMatch(/--out <file\.html> is required/);
  expect((await cli('report', '--out', join(dir, 'x.html'))).stderr).toMatch(/report takes exactly one <record>/);
});
