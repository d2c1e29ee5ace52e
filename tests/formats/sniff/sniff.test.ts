import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEdf } from '../../../src-main/formats/edf/index.js';
import { detectFormat, FormatError, openRecording } from '../../../src-main/formats/index.js';
import { writeIshne } from '../../../src-main/formats/ishne/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';
import { buildEdf } from '../edf/build.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-sniff-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function put(name: string, bytes: Uint8Array | string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, bytes);
  return p;
}

async function refused(p: string, pattern: RegExp): Promise<void> {
  const e = await detectFormat(p).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(FormatError);
  expect((e as Error).message).toContain(p);
  expect((e as Error).message).toMatch(pattern);
}

const ecg = [{ label: 'ECG', samplesPerRecord: 10 }];

describe('format sniffing by content', () => {
  it('EDF and EDF+ whatever the extension; lenient EDF+ reserved field', async () => {
    expect(await detectFormat(await put('a.edf', buildEdf({ signals: ecg, records: 1 })))).toBe('edf');
    expect(await detectFormat(await put('a.dat', buildEdf({ signals: ecg, records: 1 })))).toBe('edf');
    expect(await detectFormat(await put('b.edf', buildEdf({ signals: ecg, records: 1, reserved: 'EDF+C' })))).toBe('edf+');
    expect(await detectFormat(await put('c', buildEdf({ signals: ecg, records: 1, reserved: 'edf+c' })))).toBe('edf+');
  });

  it('CSV by extension or by delimited text', async () => {
    expect(await detectFormat(await put('x.csv', 'A\n1\n'))).toBe('csv');
    expect(await detectFormat(await put('x.txt', 'time;A\n0;1\n'))).toBe('csv');
    expect(await detectFormat(await put('noext', 'time,A\n0,1\n'))).toBe('csv');
  });

  it('refusals: BDF, ISHNE annotation file, binary junk, .edf without an EDF header, binary .csv, empty, directory, missing', async () => {
    const bdf = new Uint8Array(256);
    bdf.set([0xff, ...new TextEncoder().encode('BIOSEMI')]);
    await refused(await put('x.bdf', bdf), /BDF/);
    await refused(await put('ann.ecg', 'ANN  1.0' + '\0'.repeat(100)), /ISHNE annotation file/);
    await refused(await put('junk.bin', new Uint8Array([1, 2, 3, 0, 5])), /not recognised/);
    await refused(await put('fake.edf', 'hello, world'), /no EDF header/);
    await refused(await put('bin.csv', new Uint8Array([65, 44, 0, 1])), /binary/);
    await refused(await put('empty.edf', ''), /empty/);
    await mkdir(join(dir, 'folder'));
    await refused(join(dir, 'folder'), /directory/);
    await refused(join(dir, 'nothing-here'), /no such file/);
  });

  it('.ecg that is neither ISHNE nor a WFDB annotation file', async () => {
    await refused(await put('text.ecg', 'just some text'), /neither an ISHNE/);
  });
});

describeMitdb('sniffing MIT-BIH derived files', () => {
  it('a WFDB record by name or .hea; ISHNE .ecg; WFDB annotations named .ecg, beside a header or alone', async () => {
    expect(await detectFormat(mitdbRecord('100'))).toBe('wfdb');
    expect(await detectFormat(`${mitdbRecord('100')}.hea`)).toBe('wfdb');
    const src = await openRecording(mitdbRecord('100'));
    const w = await src.read({ from: 0, to: 3600 });
    const ishne = join(dir, '100.ecg');
    await writeIshne(ishne, w);
    expect(await detectFormat(ishne)).toBe('ishne');
    expect((await openRecording(ishne)).info.format).toBe('ishne');

    // `.ecg` is also a common WFDB annotator name: alone, it is recognised by content…
    const alone = join(dir, 'rec.ecg');
    await copyFile(`${mitdbRecord('100')}.atr`, alone);
    await refused(alone, /WFDB annotation file \(MIT format\)/);
    // …and beside its record's header, the message points at the record.
    const recDir = join(dir, 'wfdb');
    await mkdir(recDir);
    await copyFile(`${mitdbRecord('100')}.hea`, join(recDir, '100.hea'));
    await copyFile(`${mitdbRecord('100')}.atr`, join(recDir, '100.ecg'));
    await refused(join(recDir, '100.ecg'), /annotation file of record .*100/);

    const edf = join(dir, 'rec100.edf');
    await writeEdf(edf, w, []);
    expect(await detectFormat(edf)).toBe('edf+');
  });
});
