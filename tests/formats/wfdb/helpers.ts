/** Shared by the WFDB tests: a temporary directory per suite and record 100's digital samples. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { openWfdbRecord } from '../../../src-main/formats/wfdb/index.js';
import type { DigitalSamples } from '../../../src-main/domain/recording.js';
import { mitdbRecord } from '../../helpers/data.js';

/** A fresh temporary directory, removed after the suite. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ecg-review-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let cached: Promise<DigitalSamples[]> | undefined;
/** Record 100's two signals (MLII, V5), digital, whole (650,000 samples each). */
export function record100(): Promise<DigitalSamples[]> {
  cached ??= (async () => {
    const src = await openWfdbRecord(mitdbRecord('100'));
    return (await src.read()).signals.map((s) => s.samples);
  })();
  return cached;
}

/** Windows that exercise group boundaries: odd starts for 212, every phase of 3 for 310/311, both ends. */
export function testWindows(length: number): [number, number][] {
  const w: [number, number][] = [
    [0, 0], [0, 1], [1, 2], [1, 4], [2, 7], [3, 3], [5, 1006], [12345, 23456], [length - 1, length], [length - 7, length], [0, length],
  ];
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let k = 0; k < 12; k++) {
    const a = rnd(length);
    w.push([a, Math.min(length, a + 1 + rnd(5000))]);
  }
  return w.filter(([a, b]) => a >= 0 && b <= length && a <= b);
}

/** First index where two sequences differ, or -1 (a readable failure instead of a 650,000-element diff). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Two annotation lists are identical (fast for 100,000 entries; on failure shows the first differing pair). */
export function expectSameAnnotations(actual: readonly object[], expected: readonly object[], what = 'annotations'): void {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) {
      expect({ index: i, annotation: actual[i] }, what).toEqual({ index: i, annotation: expected[i] });
    }
  }
  expect(actual.length, `${what}: count`).toBe(expected.length);
}
