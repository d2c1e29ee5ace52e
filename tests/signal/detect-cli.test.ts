/** `ecg-review detect`: in-process through runCli for the output formats, once as a child process for WFDB. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { detectQrs } from '../../src-main/signal/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { describeMitdb, mitdbRecord, REPO_ROOT } from '../helpers/data.js';
import { loadRecord } from './records.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCliCaptured(...args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

describeMitdb('ecg-review detect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-detect-'));
  let expected: Int32Array;
  beforeAll(async () => {
    const rec = await loadRecord('100');
    expected = detectQrs(rec.leads, rec.fs);
  });

  it('writes a WFDB annotation file of N beats that reads back as annotator qrs, equal to detectQrs on the whole record', async () => {
    const out = join(dir, '100.qrs');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'src-main/cli/bin.mjs'), 'detect', mitdbRecord('100'), '--format', 'wfdb', '--out', out]);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${expected.length} beats written to ${out}`);
    const anns = await readWfdbAnnotationFile(out);
    expect(anns.map((a) => a.sample)).toEqual(Array.from(expected));
    expect(new Set(anns.map((a) => a.symbol))).toEqual(new Set(['N']));
    // the evaluation command finds it by annotator name beside a copy of the record
    const r = await cli('evaluate', '--test', out, '--whole', mitdbRecord('100'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Gross\s+(99\.\d\d|100\.00)\s+(99\.\d\d|100\.00)/);
  });

  it('prints CSV (sample,time,symbol) to stdout by default, JSON with --json', async () => {
    const csv = await cli('detect', mitdbRecord('100'));
    expect(csv.code).toBe(0);
    const lines = csv.out.trim().split('\n');
    expect(lines[0]).toBe('sample,time,symbol');
    expect(lines.length - 1).toBe(expected.length);
    const [s, t, sym] = lines[1].split(',');
    expect(Number(s)).toBe(expected[0]);
    expect(Number(t)).toBeCloseTo(expected[0] / 360, 5);
    expect(sym).toBe('N');

    const json = await cli('detect', mitdbRecord('100'), '--json');
    const parsed = JSON.parse(json.out) as { record: string; fs: number; beats: { sample: number; time: number }[] };
    expect(parsed.record).toBe('100');
    expect(parsed.fs).toBe(360);
    expect(parsed.beats.map((b) => b.sample)).toEqual(Array.from(expected));
  });

  it('writes CSV/JSON files by extension, uses the leads asked for', async () => {
    const csvOut = join(dir, 'beats.csv');
    expect((await cli('detect', mitdbRecord('100'), '--out', csvOut)).code).toBe(0);
    expect(readFileSync(csvOut, 'utf8').split('\n')[0]).toBe('sample,time,symbol');
    const jsonOut = join(dir, 'beats.json');
    expect((await cli('detect', mitdbRecord('100'), '--out', jsonOut, '--leads', '0')).code).toBe(0);
    const one = (JSON.parse(readFileSync(jsonOut, 'utf8')) as { beats: unknown[] }).beats.length;
    expect(Math.abs(one - expected.length)).toBeLessThan(10);
  });

  it('fails with one clear line on bad arguments and inputs', async () => {
    const cases: [string[], RegExp][] = [
      [['detect'], /exactly one <record>/],
      [['detect', mitdbRecord('100'), '--format', 'xml'], /--format must be wfdb, csv or json/],
      [['detect', mitdbRecord('100'), '--format', 'wfdb'], /give --out/],
      [['detect', mitdbRecord('100'), '--leads', '7'], /lead 7 does not exist/],
      [['detect', join(dir, 'nothing-here')], /no such file/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('detects beats in a CSV recording too', async () => {
    const rec = await loadRecord('100');
    const n = 360 * 60;
    const rows = ['time,MLII,V5'];
    for (let i = 0; i < n; i++) rows.push(`${(i / 360).toFixed(6)},${rec.leads[0][i].toFixed(3)},${rec.leads[1][i].toFixed(3)}`);
    const csvRec = join(dir, 'rec100.csv');
    writeFileSync(csvRec, `${rows.join('\n')}\n`);
    const r = await cli('detect', csvRec, '--json');
    expect(r.code).toBe(0);
    const beats = (JSON.parse(r.out) as { beats: { sample: number }[] }).beats.map((b) => b.sample);
    const ref = Array.from(expected).filter((s) => s < n - 200);
    expect(beats.slice(0, ref.length).every((s, i) => Math.abs(s - ref[i]) <= 2)).toBe(true);
  });
});
