/**
 * The WFDB reader against the whole MIT-BIH Arrhythmia Database: the files are the published ones (SHA-256),
 * every sample of every signal is checked through the header's 16-bit checksum and initial value, and every
 * reference annotation file survives decode → encode → decode, re-encoding to the original bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  decodeWfdbAnnotations, decodeWfdbAnnotationsWithLayout, encodeWfdbAnnotations, openWfdbRecord, readWfdbAnnotationFile,
  readWfdbHeaderFile,
} from '../../../src-main/formats/wfdb/index.js';
import { describeMitdb, MITDB_DIR, MITDB_RECORDS, mitdbRecord } from '../../helpers/data.js';
import { expectSameAnnotations } from './helpers.js';

/** WFDB's checksum, computed here independently of the reader: sum of samples modulo 2^16, signed. */
function checksum(s: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < s.length; i++) c = (c + s[i]) & 0xffff;
  return c >= 0x8000 ? c - 0x10000 : c;
}

function countBy(symbols: string[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const s of symbols) c[s] = (c[s] ?? 0) + 1;
  return c;
}

describeMitdb('MIT-BIH Arrhythmia Database, all 48 records', () => {
  it('the data files are the published ones (SHA256SUMS.txt)', () => {
    const listed = new Map<string, string>();
    for (const line of readFileSync(join(MITDB_DIR, 'SHA256SUMS.txt'), 'utf8').split('\n')) {
      const m = /^([0-9a-f]{64}) [ *]?(.+)$/.exec(line.trim());
      if (m) listed.set(m[2], m[1]);
    }
    // Every record file must be listed, and every listed file must match.
    for (const name of MITDB_RECORDS) for (const ext of ['hea', 'dat', 'atr']) expect(listed.has(`${name}.${ext}`), `${name}.${ext} listed`).toBe(true);
    for (const [name, sum] of listed) {
      const actual = createHash('sha256').update(readFileSync(join(MITDB_DIR, name))).digest('hex');
      expect(actual, name).toBe(sum);
    }
  });

  it('every signal of every record matches its header checksum and initial value', async () => {
    let samples = 0;
    for (const name of MITDB_RECORDS) {
      const src = await openWfdbRecord(mitdbRecord(name));
      const header = await readWfdbHeaderFile(mitdbRecord(name));
      expect(src.info.fs).toBe(360);
      expect(src.info.length).toBe(650000);
      expect(header.signals.map((s) => s.format.code)).toEqual([212, 212]);
      const rec = await src.read();
      expect(rec.signals.length).toBe(2);
      rec.signals.forEach((s, k) => {
        expect(s.samples.length).toBe(650000);
        expect(s.name).toBe(header.signals[k].description);
        expect(checksum(s.samples), `${name} signal ${k} checksum`).toBe(header.signals[k].checksum);
        expect(s.samples[0], `${name} signal ${k} initial value`).toBe(header.signals[k].initialValue);
        samples += s.samples.length;
      });
    }
    expect(samples).toBe(48 * 2 * 650000);
  });

  it('overlapping reads (all 48 records and random windows at once) give the same samples', async () => {
    const sources = await Promise.all(MITDB_RECORDS.map((n) => openWfdbRecord(mitdbRecord(n))));
    const fulls = await Promise.all(sources.map((s) => s.read()));
    fulls.forEach((rec, i) => rec.signals.forEach((s, k) => expect(checksum(s.samples), `${MITDB_RECORDS[i]} signal ${k}`).toBe(s.checksum)));
    const windows = sources.map((_, i) => ({ from: (i * 12_347) % 640_000, to: (i * 12_347) % 640_000 + 1 + i * 97 }));
    const parts = await Promise.all(sources.map((s, i) => s.read(windows[i])));
    parts.forEach((rec, i) => rec.signals.forEach((s, k) => {
      const expected = fulls[i].signals[k].samples.subarray(windows[i].from, windows[i].to);
      expect(s.samples.length).toBe(expected.length);
      expect(s.samples.every((v, j) => v === expected[j]), `${MITDB_RECORDS[i]} signal ${k} window`).toBe(true);
    }));
  });

  it('record 100: 2274 annotations, 2239 N, 33 A, 1 V, 1 +', async () => {
    const anns = await readWfdbAnnotationFile(`${mitdbRecord('100')}.atr`);
    expect(anns.length).toBe(2274);
    expect(countBy(anns.map((a) => a.symbol))).toEqual({ N: 2239, A: 33, V: 1, '+': 1 });
    expect(anns[0]).toMatchObject({ sample: 18, symbol: '+', aux: '(N' });
  });

  it('record 208: 992 V and 373 F', async () => {
    const c = countBy((await readWfdbAnnotationFile(`${mitdbRecord('208')}.atr`)).map((a) => a.symbol));
    expect(c.V).toBe(992);
    expect(c.F).toBe(373);
  });

  it('every .atr decodes, re-encodes to the original bytes, and round-trips through the standard encoding', () => {
    let total = 0;
    for (const name of MITDB_RECORDS) {
      const file = `${mitdbRecord(name)}.atr`;
      const original = new Uint8Array(readFileSync(file));
      const { annotations, layout } = decodeWfdbAnnotationsWithLayout(file, original);
      total += annotations.length;
      // Samples never decrease in the reference annotations and within the record.
      expect(annotations.findIndex((a, i) => i > 0 && a.sample < annotations[i - 1].sample), `${name}: first out-of-order annotation`).toBe(-1);
      expect(annotations[annotations.length - 1].sample).toBeLessThan(650000);
      // Byte-identical when the NUL-or-not spelling of each aux string is kept.
      const same = encodeWfdbAnnotations(annotations, file, layout);
      expect(Buffer.compare(Buffer.from(same), Buffer.from(original)), `${name}.atr re-encoded`).toBe(0);
      // The standard encoding (aux with a terminating NUL, as the WFDB library writes) decodes to the same annotations.
      const standard = encodeWfdbAnnotations(annotations, file);
      expectSameAnnotations(decodeWfdbAnnotations(file, standard), annotations, `${name}.atr via the standard encoding`);
    }
    expect(total).toBeGreaterThan(100000);
  });
});
