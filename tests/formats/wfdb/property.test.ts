/**
 * Property: whatever is done to a real MIT-BIH record's files — fields of the header deleted or replaced,
 * junk bytes inserted, line endings mixed; the .dat or .atr truncated or bytes flipped — the importer either
 * returns a valid recording (and annotations) or throws a FormatError. Never another error type, never a hang.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FormatError } from '../../../src-main/formats/errors.js';
import { openWfdbRecord, readWfdbAnnotationFile } from '../../../src-main/formats/wfdb/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';
import { tempDir } from './helpers.js';

const RECORDS = ['100', '208', '232'];

/** Tokens that stress the parser: empty, signs, huge, fractional, non-numbers, format decorations. */
const NASTY = ['', '0', '-1', '1.5', '1e400', 'NaN', 'x', '99999999999', '5000000000', '212x0', '212x7', '16:5+3', '8', '0', '311', '~',
  '200(0)/', '(', '/', '100/2', '360/0(', '#', '1x', '+', '\t', '\u00ff', '00:00:00', '32/13/2020'];

type HeaderEdit =
  | { kind: 'delete'; line: number; field: number }
  | { kind: 'replace'; line: number; field: number; token: string }
  | { kind: 'junk'; at: number; bytes: number[] }
  | { kind: 'eol'; pattern: number[] }
  | { kind: 'dropLine'; line: number }
  | { kind: 'dupLine'; line: number };

const headerEdit: fc.Arbitrary<HeaderEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat(4), field: fc.nat(9) }),
  fc.record({ kind: fc.constant('replace' as const), line: fc.nat(4), field: fc.nat(9), token: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('junk' as const), at: fc.nat(400), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('eol' as const), pattern: fc.array(fc.nat(3), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('dropLine' as const), line: fc.nat(4) }),
  fc.record({ kind: fc.constant('dupLine' as const), line: fc.nat(4) }),
);

function applyHeaderEdit(text: string, e: HeaderEdit): string {
  const lines = text.split(/\r\n/);
  const l = lines.length ? e.kind === 'junk' || e.kind === 'eol' ? 0 : e.line % lines.length : 0;
  switch (e.kind) {
    case 'delete': case 'replace': {
      const f = lines[l].split(' ');
      const i = e.field % Math.max(1, f.length);
      if (e.kind === 'delete') f.splice(i, 1);
      else f[i] = e.token;
      lines[l] = f.join(' ');
      return lines.join('\r\n');
    }
    case 'dropLine': lines.splice(l, 1); return lines.join('\r\n');
    case 'dupLine': lines.splice(l, 0, lines[l]); return lines.join('\r\n');
    case 'eol': return lines.map((x, i) => x + ['\r\n', '\n', '\r', '\n\n'][e.pattern[i % e.pattern.length]]).join('');
    case 'junk': {
      const at = Math.min(e.at, text.length);
      return text.slice(0, at) + String.fromCharCode(...e.bytes) + text.slice(at);
    }
  }
}

type BinaryEdit = { kind: 'truncate'; keep: number } | { kind: 'flip'; flips: { at: number; value: number }[] };
const binaryEdit: fc.Arbitrary<BinaryEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), value: fc.nat(255) }), { minLength: 1, maxLength: 16 }) }),
);

function applyBinaryEdit(bytes: Uint8Array, e: BinaryEdit): Uint8Array {
  if (e.kind === 'truncate') return bytes.subarray(0, Math.floor(bytes.length * e.keep));
  const out = Uint8Array.from(bytes);
  // Flips concentrate near the start too, where the .atr's first annotations and pseudo-codes are.
  for (const f of e.flips) out[Math.floor(out.length * f.at * (f.value & 1 ? 1 : 0.01))] = f.value;
  return out;
}

/** The only acceptable failure; anything else fails the property with the original error. */
function expectFormatErrorOnly(e: unknown): void {
  if (!(e instanceof FormatError)) throw e;
  expect(e.message).not.toContain('\n');
}

describeMitdb('WFDB importer under random corruption', () => {
  const dir = tempDir('wfdb-property');
  let run = 0;

  it('returns a valid recording and annotations, or throws FormatError', async () => {
    const originals = new Map(RECORDS.map((r) => [r, {
      hea: readFileSync(`${mitdbRecord(r)}.hea`, 'latin1'),
      dat: new Uint8Array(readFileSync(`${mitdbRecord(r)}.dat`)),
      atr: new Uint8Array(readFileSync(`${mitdbRecord(r)}.atr`)),
    }]));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...RECORDS),
        fc.array(headerEdit, { maxLength: 3 }),
        fc.option(binaryEdit, { nil: undefined }),
        fc.option(binaryEdit, { nil: undefined }),
        async (name, headerEdits, datEdit, atrEdit) => {
          const o = originals.get(name)!;
          const d = join(dir, String(run++));
          mkdirSync(d);
          writeFileSync(join(d, `${name}.hea`), headerEdits.reduce(applyHeaderEdit, o.hea), 'latin1');
          // Unmodified files are linked, not copied, to keep the runs light.
          if (datEdit) writeFileSync(join(d, `${name}.dat`), applyBinaryEdit(o.dat, datEdit));
          else symlinkSync(`${mitdbRecord(name)}.dat`, join(d, `${name}.dat`));
          if (atrEdit) writeFileSync(join(d, `${name}.atr`), applyBinaryEdit(o.atr, atrEdit));
          else symlinkSync(`${mitdbRecord(name)}.atr`, join(d, `${name}.atr`));

          try {
            const src = await openWfdbRecord(join(d, name));
            const { info } = src;
            expect(Number.isInteger(info.length) && info.length >= 0).toBe(true);
            expect(info.fs > 0 && Number.isFinite(info.fs)).toBe(true);
            const to = Math.min(info.length, 100_000);
            const rec = await src.read({ from: 0, to });
            expect(rec.signals.length).toBe(info.signals.length);
            for (const s of rec.signals) expect(s.samples.length).toBe(to);
            if (info.length > 10) {
              const tail = await src.read({ from: info.length - 7, to: info.length });
              for (const s of tail.signals) expect(s.samples.length).toBe(7);
            }
          } catch (e) {
            expectFormatErrorOnly(e);
          }
          try {
            const anns = await readWfdbAnnotationFile(join(d, `${name}.atr`));
            for (const a of anns) expect(Number.isSafeInteger(a.sample) && a.sample >= 0).toBe(true);
          } catch (e) {
            expectFormatErrorOnly(e);
          }
        },
      ),
      { numRuns: 200, timeout: 20_000 },
    );
  });
});
