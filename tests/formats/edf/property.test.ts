/**
 * Property: an EDF+ file written from MIT-BIH data, then corrupted at random (header fields set to hostile
 * values, random bytes anywhere, truncation or extension), either opens as a consistent recording or is
 * refused with a FormatError — never another error, never a hang.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEdfRecording, writeEdf } from '../../../src-main/formats/edf/index.js';
import { FormatError, openRecording, readAnnotations } from '../../../src-main/formats/index.js';
import { withTimeout } from '../../helpers/timeout.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';

const HOSTILE = ['', ' ', '0', '-1', '-2', '1', '2', '3', '9999', '99999999', '1e308', '-1e308', 'NaN', 'abc', '2x', '0.0001', '1,5', '+', '.', '-32768', '32767', 'EDF+C', 'EDF+D', 'edf+c', '\xff\xfe', 'EDF Annotations'];

/** [offset, width] of every header field of a file with ns signals. */
function fields(ns: number): [number, number][] {
  const out: [number, number][] = [[0, 8], [8, 80], [88, 80], [168, 8], [176, 8], [184, 8], [192, 44], [236, 8], [244, 8], [252, 4]];
  let p = 256;
  for (const w of [16, 80, 8, 8, 8, 8, 8, 80, 8, 32]) {
    for (let i = 0; i < ns; i++) out.push([p + i * w, w]);
    p += w * ns;
  }
  return out;
}

type Mutation =
  | { kind: 'field'; field: number; value: string }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'length'; fraction: number };

const mutation = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.nat(), value: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 10 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.nat(255) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('length' as const), fraction: fc.double({ min: 0, max: 1.5, noNaN: true }) }) },
);

function mutate(base: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(base);
  const f = fields(3);
  for (const m of ms) {
    if (m.kind === 'field') {
      const [off, w] = f[m.field % f.length];
      const v = Buffer.from(m.value.slice(0, w).padEnd(w, ' '), 'latin1');
      if (off < b.length) b.set(v.subarray(0, Math.min(w, b.length - off)), off);
    } else if (m.kind === 'byte') {
      if (b.length > 0) b[m.at % b.length] = m.value;
    } else {
      const n = Math.floor(base.length * m.fraction);
      const nb = new Uint8Array(n);
      nb.set(b.subarray(0, Math.min(n, b.length)));
      b = nb;
    }
  }
  return b;
}

let dir: string;
let base: Uint8Array;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-edf-prop-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describeMitdb('EDF importer under random corruption', () => {
  beforeAll(async () => {
    const src = await openRecording(mitdbRecord('100'));
    const w = await src.read({ from: 0, to: 360 * 8 });
    const ann = (await readAnnotations(src, 'atr')).filter((a) => a.sample < 360 * 8);
    const p = join(dir, 'base.edf');
    await writeEdf(p, w, ann);
    base = new Uint8Array(readFileSync(p));
  });

  it('opens consistently or refuses with FormatError', async () => {
    let n = 0;
    let opened = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const p = join(dir, `m${n++ % 4}.edf`);
        await writeFile(p, mutate(base, ms));
        try {
          await withTimeout((async () => {
            const s = await openEdfRecording(p);
            const { length, signals, fs } = s.info;
            expect(Number.isInteger(length) && length > 0).toBe(true);
            expect(fs).toBeGreaterThan(0);
            const all = await s.read();
            expect(all.signals.length).toBe(signals.length);
            for (const sig of all.signals) {
              expect(sig.samples.length).toBe(length);
              expect(Number.isFinite(sig.gain) && sig.gain !== 0).toBe(true);
            }
            const mid = Math.floor(length / 2);
            const w = await s.read({ from: mid, to: Math.min(length, mid + 100), channels: [0] });
            expect(w.signals[0].samples).toEqual(all.signals[0].samples.subarray(mid, Math.min(length, mid + 100)));
            const anns = await s.embeddedAnnotations();
            for (const a of anns) expect(Number.isInteger(a.sample)).toBe(true);
          })(), 10_000);
          opened++;
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          expect(e.message).toContain(p);
          refused++;
        }
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20260101) },
    );
    // Both outcomes must occur, or the corruption is too mild (or too harsh) to test anything.
    expect(opened).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });
});
