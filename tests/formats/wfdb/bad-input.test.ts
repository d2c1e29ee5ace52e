/**
 * Broken WFDB input gives a FormatError that names the file and says what is wrong — never another error
 * type, never a partial recording. Each case starts from a copy of MIT-BIH record 100 in a temp directory.
 */
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FormatError } from '../../../src-main/formats/errors.js';
import { openRecording } from '../../../src-main/formats/index.js';
import { openWfdbRecord, readWfdbAnnotationFile } from '../../../src-main/formats/wfdb/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';
import { tempDir } from './helpers.js';

/** Copy record 100 into `dir/name` (header text optionally edited) and return the record path. */
function copy100(dir: string, name: string, editHeader?: (text: string) => string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const ext of ['dat', 'atr']) copyFileSync(`${mitdbRecord('100')}.${ext}`, join(d, `100.${ext}`));
  const hea = readFileSync(`${mitdbRecord('100')}.hea`, 'latin1');
  writeFileSync(join(d, '100.hea'), editHeader ? editHeader(hea) : hea, 'latin1');
  return join(d, '100');
}

/** Opening and reading the record fails with a FormatError whose message names `file` and matches `problem`. */
async function expectFormatError(run: () => Promise<unknown>, file: string, problem: RegExp): Promise<FormatError> {
  let err: unknown;
  try {
    await run();
  } catch (e) {
    err = e;
  }
  expect(err, 'an error was thrown').toBeInstanceOf(FormatError);
  const fe = err as FormatError;
  expect(fe.message).toContain(file);
  expect(fe.message).toMatch(problem);
  expect(fe.message).not.toContain('\n');
  return fe;
}

const openAndRead = (path: string) => async (): Promise<unknown> => (await openWfdbRecord(path)).read();

describeMitdb('WFDB bad input', () => {
  const dir = tempDir('wfdb-bad');

  it('a truncated .dat (one byte short) is shorter than the header says', async () => {
    const rec = copy100(dir, 'truncated');
    truncateSync(`${rec}.dat`, 1_950_000 - 1);
    await expectFormatError(openAndRead(rec), `${rec}.dat`, /shorter than the header says: it holds 649999 samples per signal, .*declares 650000/);
  });

  it('a .dat cut to half is shorter than the header says', async () => {
    const rec = copy100(dir, 'half');
    truncateSync(`${rec}.dat`, 975_000);
    await expectFormatError(openAndRead(rec), `${rec}.dat`, /holds 325000 samples per signal/);
  });

  it('a header declaring more samples than the file holds', async () => {
    const rec = copy100(dir, 'longer', (t) => t.replace('100 2 360 650000', '100 2 360 650001'));
    await expectFormatError(openAndRead(rec), `${rec}.dat`, /shorter than the header says.*650001/);
  });

  it('an empty .dat', async () => {
    const rec = copy100(dir, 'emptydat');
    writeFileSync(`${rec}.dat`, '');
    await expectFormatError(openAndRead(rec), `${rec}.dat`, /holds 0 samples per signal/);
  });

  it('an empty header', async () => {
    const rec = copy100(dir, 'emptyhea', () => '');
    await expectFormatError(openAndRead(rec), `${rec}.hea`, /header file is empty/);
  });

  it('a header of comments only', async () => {
    const rec = copy100(dir, 'comments', () => '# nothing here\r\n# at all\r\n');
    await expectFormatError(openAndRead(rec), `${rec}.hea`, /no record line/);
  });

  it('a record line without the number of signals', async () => {
    const rec = copy100(dir, 'nonsig', (t) => t.replace('100 2 360 650000', '100'));
    await expectFormatError(openAndRead(rec), `${rec}.hea`, /line 1: record line lacks the number of signals/);
  });

  it('a non-numeric number of signals, sampling frequency, sample count', async () => {
    for (const [from, to, msg] of [
      ['100 2 360', '100 two 360', /line 1: number of signals must be an integer, found 'two'/],
      ['100 2 360', '100 2 fast', /line 1: sampling frequency must be a number, found 'fast'/],
      ['360 650000', '360 650k', /line 1: number of samples must be an integer, found '650k'/],
      ['100 2 360', '100 2 -360', /sampling frequency must be positive/],
      ['100 2 360', '100 3 360', /declares 3 signals but the header has 2 signal lines/],
    ] as const) {
      const rec = copy100(dir, `num-${to.replace(/\W/g, '_')}`, (t) => t.replace(from, to));
      await expectFormatError(openAndRead(rec), `${rec}.hea`, msg);
    }
  });

  it('a signal line without its format, or with a bad gain, ADC field or format', async () => {
    const lines = (t: string): string[] => t.split('\r\n');
    for (const [edit, msg] of [
      [(l: string[]) => { l[1] = '100.dat'; }, /line 2: signal line lacks the storage format/],
      [(l: string[]) => { l[1] = l[1].replace(' 200 ', ' abc '); }, /line 2: ADC gain must be a number, found 'abc'/],
      [(l: string[]) => { l[2] = l[2].replace(' 11 1024 ', ' 11 zero '); }, /line 3: ADC zero must be an integer, found 'zero'/],
      [(l: string[]) => { l[1] = l[1].replace(' 212 ', ' 999 '); }, /line 2: signal format 999 is not supported/],
      [(l: string[]) => { l[1] = l[1].replace(' 212 ', ' 212x ').replace('212x', '212y'); }, /line 2: cannot read storage format '212y'/],
      [(l: string[]) => { l[1] = l[1].replace(' -22131 ', ' 1.5 '); }, /line 2: checksum must be an integer, found '1.5'/],
    ] as const) {
      const rec = copy100(dir, `sig-${String(msg).replace(/\W/g, '').slice(0, 30)}`, (t) => { const l = lines(t); edit(l); return l.join('\r\n'); });
      await expectFormatError(openAndRead(rec), `${rec}.hea`, msg);
    }
  });

  it('a declared length of 5,000,000,000 samples (about 10 GB) is refused before anything is allocated', async () => {
    const rec = copy100(dir, 'huge', (t) => t.replace('100 2 360 650000', '100 2 360 5000000000'));
    await expectFormatError(openAndRead(rec), `${rec}.hea`, /declares 5000000000 samples per signal, more than the 1000000000/);
  });

  it('a missing signal file, a signal file that is a directory', async () => {
    const rec = copy100(dir, 'nodat', (t) => t.replaceAll('100.dat', 'gone.dat'));
    await expectFormatError(openAndRead(rec), join(dir, 'nodat', 'gone.dat'), /signal file of record 100 does not exist/);
    const rec2 = copy100(dir, 'dirdat', (t) => t.replaceAll('100.dat', 'sub'));
    mkdirSync(join(dir, 'dirdat', 'sub'));
    await expectFormatError(openAndRead(rec2), join(dir, 'dirdat', 'sub'), /is a directory, not a signal file/);
  });

  it('a nonexistent record, a directory given as the record, a directory named like a header', async () => {
    await expectFormatError(openAndRead(join(dir, 'nothing', '100')), join(dir, 'nothing', '100.hea'), /no such file/);
    await expectFormatError(() => openRecording(join(dir, 'nothing', '100')), join(dir, 'nothing', '100'), /no such file/);
    mkdirSync(join(dir, 'adir'));
    await expectFormatError(() => openRecording(join(dir, 'adir')), join(dir, 'adir'), /is a directory/);
    mkdirSync(join(dir, 'hdir', 'x.hea'), { recursive: true });
    await expectFormatError(openAndRead(join(dir, 'hdir', 'x')), join(dir, 'hdir', 'x.hea'), /is a directory, not a WFDB header/);
  });

  it('a header that is binary data', async () => {
    const rec = copy100(dir, 'binary');
    writeFileSync(`${rec}.hea`, readFileSync(`${rec}.dat`).subarray(0, 4096));
    await expectFormatError(openAndRead(rec), `${rec}.hea`, /binary data, not a WFDB header/);
    const fe = await expectFormatError(openAndRead(rec), `${rec}.hea`, /byte 0x/);
    expect(fe.message.length).toBeLessThan(300);
  });

  it('annotation files: truncated mid-word, cut inside an AUX string, empty, missing, a directory', async () => {
    const rec = copy100(dir, 'atr');
    const atr = `${rec}.atr`;
    truncateSync(atr, 4557);
    await expectFormatError(() => readWfdbAnnotationFile(atr), atr, /odd length \(4557 bytes\)/);
    // 100.atr starts: '+' at 18 (2 bytes), AUX word with 3 bytes of text '(N\0' (+1 pad)... cut at byte 5.
    truncateSync(atr, 6);
    await expectFormatError(() => readWfdbAnnotationFile(atr), atr, /AUX text of 3 bytes at byte 2 runs past the end of the file/);
    writeFileSync(atr, '');
    await expectFormatError(() => readWfdbAnnotationFile(atr), atr, /annotation file is empty/);
    await expectFormatError(() => readWfdbAnnotationFile(`${rec}.qrs`), `${rec}.qrs`, /annotation file does not exist/);
    await expectFormatError(() => readWfdbAnnotationFile(dir), dir, /is a directory/);
  });

  it('a window outside the record or a channel it lacks', async () => {
    const src = await openWfdbRecord(mitdbRecord('100'));
    await expectFormatError(() => src.read({ from: 10, to: 650001 }), mitdbRecord('100'), /window \[10, 650001\) is outside the record's 0..650000/);
    await expectFormatError(() => src.read({ from: 5, to: 4 }), mitdbRecord('100'), /window \[5, 4\)/);
    await expectFormatError(() => src.read({ channels: [2] }), mitdbRecord('100'), /channel 2 does not exist \(the record has 2 signals\)/);
  });
});
