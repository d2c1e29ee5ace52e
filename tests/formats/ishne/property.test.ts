/**
 * Property: an ISHNE file written from MIT-BIH data, then corrupted at random (header fields set to hostile
 * values with or without a recomputed CRC, random bytes, truncation or extension), either opens as a
 * consistent recording or is refused with a FormatError — never another error, never a hang.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FormatError, openRecording } from '../../../src-main/formats/index.js';
import { crc16Ccitt, openIshneRecording, writeIshne } from '../../../src-main/formats/ishne/index.js';
import { withTimeout } from '../../helpers/timeout.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';

/** [offset, bytes] of the numeric fields of the fixed header (from byte 10). */
const NUMERIC: [number, 2 | 4][] = [
  [10, 4], [14, 4], [18, 4], [22, 4], [26, 2], [128, 2], [130, 2], [132, 2], [134, 2], [136, 2], [138, 2], [140, 2],
  [150, 2], [152, 2], [154, 2], [156, 2], [158, 2], [206, 2], [208, 2], [230, 2], [272, 2],
];
const HOSTILE = [0, -1, 1, 2, 12, 13, 521, 522, 523, 1000, 32767, -32768, 2147483647, -2147483648, 500_000_000, 65536];

type Mutation =
  | { kind: 'field'; field: number; value: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'length'; fraction: number };

const mutation = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.nat(), value: fc.oneof(fc.constantFrom(...HOSTILE), fc.integer({ min: -40000, max: 40000 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.nat(255) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('length' as const), fraction: fc.double({ min: 0, max: 1.5, noNaN: true }) }) },
);

function mutate(base: Uint8Array, ms: Mutation[], fixCrc: boolean): Uint8Array {
  let b = Uint8Array.from(base);
  for (const m of ms) {
    const v = new DataView(b.buffer);
    if (m.kind === 'field') {
      const [off, size] = NUMERIC[m.field % NUMERIC.length];
      if (off + size > b.length) continue;
      if (size === 4) v.setInt32(off, m.value | 0, true);
      else v.setInt16(off, Math.max(-32768, Math.min(32767, m.value)), true);
    } else if (m.kind === 'byte') {
      if (b.length > 0) b[m.at % b.length] = m.value;
    } else {
      const n = Math.floor(base.length * m.fraction);
      const nb = new Uint8Array(n);
      nb.set(b.subarray(0, Math.min(n, b.length)));
      b = nb;
    }
  }
  if (fixCrc && b.length >= 522) {
    const v = new DataView(b.buffer);
    const ecg = v.getInt32(22, true);
    if (ecg >= 10 && ecg <= b.length) v.setUint16(8, crc16Ccitt(b.subarray(10, ecg)), true);
  }
  return b;
}

let dir: string;
let base: Uint8Array;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-ishne-prop-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describeMitdb('ISHNE importer under random corruption', () => {
  beforeAll(async () => {
    const src = await openRecording(mitdbRecord('100'));
    const p = join(dir, 'base.ecg');
    await writeIshne(p, await src.read({ from: 0, to: 360 * 8 }));
    base = new Uint8Array(readFileSync(p));
  });

  it('opens consistently or refuses with FormatError', async () => {
    let n = 0;
    let opened = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (ms, fixCrc) => {
        const p = join(dir, `m${n++ % 4}.ecg`);
        await writeFile(p, mutate(base, ms, fixCrc));
        try {
          await withTimeout((async () => {
            const s = await openIshneRecording(p);
            const { length, signals, fs } = s.info;
            expect(Number.isInteger(length) && length >= 0).toBe(true);
            expect(fs).toBeGreaterThan(0);
            const all = await s.read();
            expect(all.signals.length).toBe(signals.length);
            for (const sig of all.signals) {
              expect(sig.samples.length).toBe(length);
              expect(Number.isFinite(sig.gain) && sig.gain > 0).toBe(true);
            }
            const mid = Math.floor(length / 2);
            const to = Math.min(length, mid + 100);
            const w = await s.read({ from: mid, to, channels: [signals.length - 1] });
            expect(w.signals[0].samples).toEqual(all.signals[signals.length - 1].samples.subarray(mid, to));
          })(), 10_000);
          opened++;
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          expect(e.message).toContain(p);
          refused++;
        }
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20260102) },
    );
    expect(opened).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });
});
