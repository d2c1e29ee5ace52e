/**
 * The `info`, `dump` and `annotations` commands: the real CLI as a child process (`node src-main/cli/bin.mjs`)
 * for a few records and every kind of failure, and in-process through `runCli` for all 48 MIT-BIH records.
 * Outputs are compared with the reader, whose samples the header checksums validate (tests/formats/wfdb).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import type { Annotation } from '../../src-main/domain/annotation.js';
import { toPhysical, type Recording } from '../../src-main/domain/recording.js';
import type { CliIo } from '../../src-main/cli/command.js';
import { runCli } from '../../src-main/cli/main.js';
import { openWfdbRecord, readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { describeMitdb, MITDB_RECORDS, mitdbRecord, REPO_ROOT } from '../helpers/data.js';
import { firstDifference, tempDir } from '../formats/wfdb/helpers.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'src-main/cli/bin.mjs');

interface Outcome { code: number; stdout: string; stderr: string }

/** The real CLI in a child process. */
async function cli(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ECG_REVIEW_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The CLI in this process, output captured. */
async function cliInProcess(...args: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: async (t) => { out.push(t); }, err: (t) => { err.push(`${t}\n`); }, progress: () => {} };
  const code = await runCli(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A failure: non-zero exit, exactly one line on stderr naming the problem, no stack trace, nothing on stdout. */
function expectOneLineFailure(o: Outcome, problem: RegExp): void {
  expect(o.code, o.stderr).not.toBe(0);
  expect(o.stdout).toBe('');
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  expect(lines, o.stderr).toHaveLength(1);
  expect(o.stderr.endsWith('\n')).toBe(true);
  expect(lines[0]).toMatch(/^ecg-review /);
  expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+|internal error/);
  expect(lines[0]).toMatch(problem);
}

interface DumpJson { fs: number; from: number; to: number; signals: { name: string; units: string; samples: (number | null)[] }[] }
interface AnnotationsJson { annotations: { sample: number; time: number; symbol: string; subtype: number; chan: number; num: number; aux: string }[] }

function expectDumpMatches(json: DumpJson, rec: Recording): void {
  expect(Object.keys(json)).toEqual(['fs', 'from', 'to', 'signals']);
  expect(json.fs).toBe(rec.info.fs);
  expect(json.from).toBe(rec.from);
  expect(json.to).toBe(rec.to);
  expect(json.signals.map((s) => [s.name, s.units])).toEqual(rec.signals.map((s) => [s.name, s.units]));
  json.signals.forEach((s, k) => expect(firstDifference(s.samples as number[], rec.signals[k].samples), `signal ${k}`).toBe(-1));
}

function expectAnnotationsMatch(json: AnnotationsJson, anns: Annotation[], fs: number): void {
  expect(json.annotations.length).toBe(anns.length);
  const expected = anns.map((a) => ({ sample: a.sample, time: Math.round((a.sample / fs) * 1e6) / 1e6, symbol: a.symbol, subtype: a.subtype, chan: a.chan, num: a.num, aux: a.aux }));
  const firstBad = json.annotations.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(expected[i]));
  if (firstBad >= 0) expect(json.annotations[firstBad]).toEqual(expected[firstBad]);
}

describeMitdb('ecg-review info / dump / annotations', () => {
  const dir = tempDir('cli');
  const r100 = mitdbRecord('100');
  let full100: Recording;
  beforeAll(async () => {
    full100 = await (await openWfdbRecord(r100)).read();
  });

  it('info (child process): human text and --json', async () => {
    const human = await cli('info', r100);
    expect(human.code).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toMatch(/^Record: +100 /m);
    expect(human.stdout).toMatch(/^Sampling: +360 Hz$/m);
    expect(human.stdout).toMatch(/^Length: +650000 samples \(0:30:05\.556\)$/m);
    expect(human.stdout).toMatch(/0: MLII .*gain 200 adu\/mV, baseline 1024, 11-bit, format 212/);
    expect(() => JSON.parse(human.stdout)).toThrow();
    const json = await cli('info', `${r100}.hea`, '--json');
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout);
    expect(info).toMatchObject({ record: '100', format: 'wfdb', fs: 360, length: 650000 });
    expect(info.signals.map((s: { name: string; checksum: number; initialValue: number }) => [s.name, s.checksum, s.initialValue])).toEqual([['MLII', -22131, 995], ['V5', 20052, 1011]]);
  });

  it('dump --json (child process) of the whole of record 100 equals the reader, to exclusive', async () => {
    const o = await cli('dump', r100, '--json');
    expect(o.code).toBe(0);
    expect(o.stderr).toBe('');
    expect(o.stdout.startsWith('{"fs":360,"from":0,"to":650000,"signals":[{"name":"MLII","units":"mV","samples":[995,995,')).toBe(true);
    expectDumpMatches(JSON.parse(o.stdout), full100);
  });

  it('dump --physical --channels --from --to (child process)', async () => {
    const o = await cli('dump', r100, '--json', '--physical', '--channels', '1,0', '--from', '1001', '--to', '1361');
    expect(o.code).toBe(0);
    const json = JSON.parse(o.stdout) as DumpJson;
    expect([json.from, json.to, json.signals.map((s) => s.name)]).toEqual([1001, 1361, ['V5', 'MLII']]);
    [1, 0].forEach((c, k) => {
      const phys = toPhysical({ ...full100.signals[c], samples: full100.signals[c].samples.subarray(1001, 1361) });
      expect(json.signals[k].samples).toHaveLength(360);
      json.signals[k].samples.forEach((v, i) => expect(v).toBeCloseTo(phys[i], 5));
      // Physical = (digital − baseline) / gain, so these are exact multiples of 1/200 mV.
      json.signals[k].samples.forEach((v, i) => expect(Math.round(v! * 200) + 1024).toBe(full100.signals[c].samples[1001 + i]));
    });
    const human = await cli('dump', r100, '--from', '10', '--to', '13', '--channels', '1');
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(`sample\tV5 (adu)\n10\t${full100.signals[1].samples[10]}\n11\t${full100.signals[1].samples[11]}\n12\t${full100.signals[1].samples[12]}\n`);
  });

  it('annotations --json and human text (child process), record 208', async () => {
    const anns = await readWfdbAnnotationFile(`${mitdbRecord('208')}.atr`);
    const o = await cli('annotations', mitdbRecord('208'), '--json');
    expect(o.code).toBe(0);
    const json = JSON.parse(o.stdout) as AnnotationsJson;
    expectAnnotationsMatch(json, anns, 360);
    expect(json.annotations.filter((a) => a.symbol === 'V')).toHaveLength(992);
    const first100 = JSON.parse((await cli('annotations', r100, '--json')).stdout) as AnnotationsJson;
    expect(first100.annotations[0]).toEqual({ sample: 18, time: 0.05, symbol: '+', subtype: 0, chan: 0, num: 0, aux: '(N' });
    const human = await cli('annotations', mitdbRecord('208'));
    expect(human.code).toBe(0);
    expect(human.stdout.trimEnd().split('\n')).toHaveLength(anns.length + 1);
  });

  it('failures: non-zero exit, one line on stderr, nothing on stdout', async () => {
    // Record 100 copied into the temp dir, then broken in different ways.
    const make = (name: string, edit: (rec: string) => void): string => {
      const d = join(dir, name);
      mkdirSync(d);
      for (const ext of ['hea', 'dat', 'atr']) copyFileSync(`${r100}.${ext}`, join(d, `100.${ext}`));
      edit(join(d, '100'));
      return join(d, '100');
    };
    const truncated = make('trunc', (r) => truncateSync(`${r}.dat`, 1_000_000));
    const badField = make('badfield', (r) => writeFileSync(`${r}.hea`, readFileSync(`${r}.hea`, 'latin1').replace(' 200 11 1024 995', ' 200 eleven 1024 995')));
    const missingField = make('missing', (r) => writeFileSync(`${r}.hea`, readFileSync(`${r}.hea`, 'latin1').replace('100 2 360 650000', '100')));
    const huge = make('huge', (r) => writeFileSync(`${r}.hea`, readFileSync(`${r}.hea`, 'latin1').replace('100 2 360 650000', '100 2 360 5000000000')));
    const emptyHea = make('emptyhea', (r) => writeFileSync(`${r}.hea`, ''));
    const emptyFile = join(dir, 'empty.csv');
    writeFileSync(emptyFile, '');
    const cases: [string[], RegExp][] = [
      [['info', truncated], /trunc\/100\.dat: signal file is shorter than the header says: it holds 333333 samples/],
      [['dump', truncated, '--json'], /trunc\/100\.dat: signal file is shorter/],
      [['info', badField], /badfield\/100\.hea: line 2: ADC resolution must be an integer, found 'eleven'/],
      [['info', missingField], /missing\/100\.hea: line 1: record line lacks the number of signals/],
      [['dump', huge], /huge\/100\.hea: declares 5000000000 samples per signal/],
      [['info', emptyHea], /emptyhea\/100\.hea: header file is empty/],
      [['info', emptyFile], /empty\.csv: file is empty/],
      [['info', dir], /is a directory/],
      [['info', join(dir, 'no-such-record')], /no-such-record: no such file/],
    ];
    // Child processes for the broken inputs (the whole process must behave), started together.
    const outcomes = await Promise.all(cases.map(([args]) => cli(...args)));
    outcomes.forEach((o, i) => expectOneLineFailure(o, cases[i][1]));
    // Usage errors go through the same path; in process to keep the suite quick.
    const usage: [string[], RegExp][] = [
      [['annotations', r100, '--annotator', 'qrs'], /mitdb\/100\.qrs: annotation file does not exist/],
      [['dump', r100, '--to', '650001'], /window \[0, 650001\) is outside 100's samples 0..650000/],
      [['dump', r100, '--channels', '0,7'], /channel 7 does not exist/],
      [['dump', r100, '--from', 'x'], /--from must be an integer, got 'x'/],
      [['dump', r100, '--bogus'], /unknown option --bogus for 'dump'/],
      [['info'], /info takes exactly one <record>/],
      [['nonsense'], /unknown command 'nonsense'/],
    ];
    for (const [args, problem] of usage) expectOneLineFailure(await cliInProcess(...args), problem);
    expectOneLineFailure(await cli('dump', r100, '--from', '5', '--to', '2'), /window \[5, 2\) is outside/);
  });

  it('--help exits 0 with usage on stdout', async () => {
    const o = await cli('dump', '--help');
    expect(o.code).toBe(0);
    expect(o.stdout).toMatch(/^usage: ecg-review dump/);
  });

  it('all 48 records in process: info, dump and annotations agree with the reader', async () => {
    for (const name of MITDB_RECORDS) {
      const path = mitdbRecord(name);
      const src = await openWfdbRecord(path);
      const info = await cliInProcess('info', path, '--json');
      expect(info.code).toBe(0);
      expect(JSON.parse(info.stdout)).toMatchObject({ record: name, fs: 360, length: 650000, signals: src.info.signals.map((s) => ({ name: s.name, gain: s.gain, baseline: s.baseline })) });
      const dump = await cliInProcess('dump', path, '--json');
      expect(dump.code, dump.stderr).toBe(0);
      expect(dump.stderr).toBe('');
      expectDumpMatches(JSON.parse(dump.stdout), await src.read());
      const anns = await cliInProcess('annotations', path, '--json');
      expect(anns.code).toBe(0);
      expectAnnotationsMatch(JSON.parse(anns.stdout), await readWfdbAnnotationFile(`${path}.atr`), 360);
    }
  });

  it('in process, a failure is one line on the error stream and exit 1', async () => {
    const o = await cliInProcess('dump', join(dir, 'nothing-here'));
    expect(o.code).toBe(1);
    expectOneLineFailure(o, /nothing-here: no such file/);
  });
});
