import { beforeAll, describe, expect, it } from 'vitest';
import { aamiClassOf, aamiIndex } from '../../src-main/domain/aami.js';
import { mulberry32, shuffleInPlace } from '../../src-main/evaluation/random.js';
import { groupKFold, interPatientSplit, kFold, stratifiedKFold, type Fold } from '../../src-main/evaluation/splits.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { DS1, DS2, describeMitdb, MITDB_RECORDS, mitdbRecord } from '../helpers/data.js';

function expectPartition(folds: Fold[], n: number): void {
  const seen = new Uint8Array(n);
  for (const f of folds) {
    expect(f.train.length + f.test.length).toBe(n);
    const inTest = new Uint8Array(n);
    for (const i of f.test) { seen[i]++; inTest[i] = 1; }
    let overlap = 0;
    for (const i of f.train) overlap += inTest[i];
    expect(overlap).toBe(0);
  }
  expect(seen.every((v) => v === 1)).toBe(true);
}

/** Same folds, compared as bytes (vitest's deep equality is slow on 100k-element typed arrays). */
function sameFolds(a: Fold[], b: Fold[]): boolean {
  const eq = (x: Int32Array, y: Int32Array): boolean => Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
  return a.length === b.length && a.every((f, i) => eq(f.train, b[i].train) && eq(f.test, b[i].test));
}

describe('mulberry32', () => {
  it('is deterministic per seed and uniform enough for shuffling', () => {
    const a = mulberry32(7), b = mulberry32(7), c = mulberry32(8);
    const xa = Array.from({ length: 5 }, a), xb = Array.from({ length: 5 }, b), xc = Array.from({ length: 5 }, c);
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    const r = mulberry32(1);
    const bins = new Int32Array(10);
    let outside = 0;
    for (let i = 0; i < 100000; i++) {
      const x = r();
      if (!(x >= 0 && x < 1)) outside++;
      else bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    for (const v of bins) expect(Math.abs(v - 10000)).toBeLessThan(500);
    const perm = shuffleInPlace([0, 1, 2, 3, 4, 5, 6, 7], mulberry32(3));
    expect([...perm].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('k-fold', () => {
  it('partitions n items into k folds whose sizes differ by at most one, reproducibly', () => {
    const folds = kFold(103, 5, 42);
    expectPartition(folds, 103);
    expect(folds.map((f) => f.test.length).sort()).toEqual([20, 20, 21, 21, 21]);
    expect(sameFolds(kFold(103, 5, 42), folds)).toBe(true);
    expect(kFold(103, 5, 43)[0].test).not.toEqual(folds[0].test);
    expect(() => kFold(3, 5, 1)).toThrow(/cannot make 5 folds from 3/);
  });
});

describeMitdb('splitters on MIT-BIH beats', () => {
  let labels: Int8Array;
  let records: string[];
  beforeAll(async () => {
    const l: number[] = [];
    records = [];
    for (const name of MITDB_RECORDS) {
      for (const a of await readWfdbAnnotationFile(`${mitdbRecord(name)}.atr`)) {
        const c = aamiClassOf(a.symbol);
        if (c) { l.push(aamiIndex(c)); records.push(name); }
      }
    }
    labels = Int8Array.from(l);
  });

  it('stratified k-fold keeps every class within one beat of its share in every fold', () => {
    const k = 10;
    const folds = stratifiedKFold(labels, k, 2024);
    expectPartition(folds, labels.length);
    const perClass = new Int32Array(5);
    for (const y of labels) perClass[y]++;
    for (const f of folds) {
      const got = new Int32Array(5);
      for (const i of f.test) got[labels[i]]++;
      for (let c = 0; c < 5; c++) {
        expect(got[c]).toBeGreaterThanOrEqual(Math.floor(perClass[c] / k));
        expect(got[c]).toBeLessThanOrEqual(Math.ceil(perClass[c] / k));
      }
    }
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sameFolds(stratifiedKFold(labels, k, 2024), folds)).toBe(true);
    expect(sameFolds(stratifiedKFold(labels, k, 2025), folds)).toBe(false);
  });

  it('patient-wise k-fold never puts a record in both train and test, and balances fold sizes', () => {
    const k = 5;
    const folds = groupKFold(records, k, 7);
    expectPartition(folds, records.length);
    const sizeOf = new Map<string, number>();
    for (const r of records) sizeOf.set(r, (sizeOf.get(r) ?? 0) + 1);
    for (const f of folds) {
      const testRecords = new Set(Array.from(f.test, (i) => records[i]));
      const shared = new Set(Array.from(f.train, (i) => records[i]).filter((r) => testRecords.has(r)));
      expect([...shared]).toEqual([]);
      // Every beat of a test record is in the test set.
      let n = 0;
      for (const r of testRecords) n += sizeOf.get(r)!;
      expect(n).toBe(f.test.length);
    }
    const sizes = folds.map((f) => f.test.length);
    // Greedy largest-first placement: folds differ by at most the largest record.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(Math.max(...sizeOf.values()));
    expect(sameFolds(groupKFold(records, k, 7), folds)).toBe(true);
  });

  it('inter-patient split trains on DS1 and tests on DS2 beats only (paced records in neither)', () => {
    const s = interPatientSplit(records);
    const trainRecords = new Set(Array.from(s.train, (i) => records[i]));
    const testRecords = new Set(Array.from(s.test, (i) => records[i]));
    expect([...trainRecords].sort()).toEqual([...DS1].sort());
    expect([...testRecords].sort()).toEqual([...DS2].sort());
    const paced = records.filter((r) => ['102', '104', '107', '217'].includes(r)).length;
    expect(s.train.length + s.test.length + paced).toBe(records.length);
  });
});
