/**
 * Property: a CSV written from MIT-BIH data, then corrupted at random (characters inserted, deleted or
 * replaced with delimiters, quotes, NaN, colons, NUL…, lines dropped or duplicated, truncation), either
 * opens as a consistent recording or is refused with a FormatError — never another error, never a hang.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCsvRecording } from '../../../src-main/formats/csv/index.js';
import { FormatError, openRecording } from '../../../src-main/formats/index.js';
import { withTimeout } from '../../helpers/timeout.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';

const PIECES = [',', ';', '\t', '\n', '\r\n', '.', '-', 'e', 'E', 'NaN', ':', '"', '\0', ' ', '0', '9', '12:00:00.5', 'time', 'x', '1e400', '-', ',,', '\uFEFF', '#'];

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'line'; line: number; dup: boolean }
  | { kind: 'truncate'; fraction: number }
  | { kind: 'digit'; at: number; digit: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), digit: fc.nat(9) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('line' as const), line: fc.nat(), dup: fc.boolean() }),
  fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    if (m.kind === 'insert') { const at = m.at % (t.length + 1); t = t.slice(0, at) + m.text + t.slice(at); }
    else if (m.kind === 'delete') { const at = m.at % (t.length + 1); t = t.slice(0, at) + t.slice(at + m.count); }
    else if (m.kind === 'line') {
      const lines = t.split('\n');
      const i = m.line % lines.length;
      if (m.dup) lines.splice(i, 0, lines[i]); else lines.splice(i, 1);
      t = lines.join('\n');
    } else if (m.kind === 'digit') {
      // A plausible value change: the digit at or after a random position becomes another digit.
      const from = m.at % (t.length + 1);
      const i = t.slice(from).search(/\d/);
      if (i >= 0) t = t.slice(0, from + i) + String(m.digit) + t.slice(from + i + 1);
    } else t = t.slice(0, Math.floor(t.length * m.fraction));
  }
  return t;
}

let dir: string;
let base: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-csv-prop-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describeMitdb('CSV importer under random corruption', () => {
  beforeAll(async () => {
    const w = await (await openRecording(mitdbRecord('100'))).read({ from: 0, to: 720 });
    const lines = ['time,MLII,V5'];
    for (let i = 0; i < 720; i++) lines.push(`${(i / 360).toFixed(4)},${((w.signals[0].samples[i] - 1024) / 200).toFixed(3)},${((w.signals[1].samples[i] - 1024) / 200).toFixed(3)}`);
    base = `${lines.join('\n')}\n`;
  });

  it('opens consistently or refuses with FormatError', async () => {
    let n = 0;
    let opened = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.option(fc.constantFrom(360, 0.5, 1e6)), async (ms, fs) => {
        const p = join(dir, `m${n++ % 4}.csv`);
        await writeFile(p, mutate(base, ms));
        try {
          await withTimeout((async () => {
            const s = await openCsvRecording(p, { fs: fs ?? undefined });
            const { length, signals } = s.info;
            expect(Number.isInteger(length) && length > 0).toBe(true);
            expect(s.info.fs).toBeGreaterThan(0);
            const all = await s.read();
            expect(all.signals.length).toBe(signals.length);
            for (const sig of all.signals) expect(sig.samples.length).toBe(length);
            const w = await s.read({ from: length - 1, to: length, channels: [0] });
            expect(w.signals[0].samples[0]).toBe(all.signals[0].samples[length - 1]);
          })(), 10_000);
          opened++;
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          expect(e.message).toContain(p);
          refused++;
        }
      }),
      { numRuns: 200, seed: Number(process.env.FC_SEED ?? 20260103) },
    );
    // Both outcomes must occur (the parser is strict, so most corruptions are refusals).
    expect(opened).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });
});
