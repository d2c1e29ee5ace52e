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
import {
  formatWfdbHeader, openWfdbRecord, readWfdbAnnotationFile, writeWfdbMultiSegmentHeader, writeWfdbRecord,
} from '../../../src-main/formats/wfdb/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';
import { record100, tempDir } from './helpers.js';

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
  const lines = text.split(/\r?\n/);
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

          await expectValidOrFormatError(join(d, name));
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

  it('multi-segment records (fixed and variable layout) under corruption of any of their files', async () => {
    // A fixed-layout record (two segments around a null one) and a variable-layout one, from record 100.
    const base = join(dir, 'msrc');
    mkdirSync(base);
    const [mlii, v5] = await record100();
    const seg = (name: string, from: number, to: number, sigs: { samples: ArrayLike<number>; description: string; format: number }[]) =>
      writeWfdbRecord(base, { name, fs: 360, signals: sigs.map((x) => ({ ...x, samples: Array.from(x.samples).slice(from, to) })) });
    await seg('f_0', 0, 3000, [{ samples: mlii, description: 'MLII', format: 212 }, { samples: v5, description: 'V5', format: 212 }]);
    await seg('f_1', 3000, 7001, [{ samples: mlii, description: 'MLII', format: 212 }, { samples: v5, description: 'V5', format: 212 }]);
    await writeWfdbMultiSegmentHeader(base, 'fixed', 360, 2, [{ name: 'f_0', length: 3000 }, { name: '~', length: 100 }, { name: 'f_1', length: 4001 }]);
    const lay = (description: string) => ({ fileName: '~', format: 0, samplesPerFrame: 1, skew: 0, byteOffset: 0, gain: 200, baseline: 1024, units: 'mV', adcResolution: 11, adcZero: 1024, initialValue: 0, checksum: 0, description });
    writeFileSync(join(base, 'v_layout.hea'), formatWfdbHeader('v_layout', 360, 0, [lay('MLII'), lay('V5')]));
    await seg('v_1', 0, 2000, [{ samples: v5, description: 'V5', format: 16 }]);
    await seg('v_2', 2000, 5000, [{ samples: mlii, description: 'MLII', format: 24 }, { samples: v5, description: 'V5', format: 24 }]);
    await writeWfdbMultiSegmentHeader(base, 'variable', 360, 2, [{ name: 'v_layout', length: 0 }, { name: 'v_1', length: 2000 }, { name: 'v_2', length: 3000 }]);
    const files = ['fixed.hea', 'f_0.hea', 'f_1.hea', 'f_0.dat', 'f_1.dat', 'variable.hea', 'v_layout.hea', 'v_1.hea', 'v_2.hea', 'v_1.dat', 'v_2.dat'];
    const content = new Map(files.map((f) => [f, new Uint8Array(readFileSync(join(base, f)))]));
    // Sanity: both open before corruption.
    expect((await openWfdbRecord(join(base, 'fixed'))).info.length).toBe(7101);
    expect((await openWfdbRecord(join(base, 'variable'))).info.length).toBe(5000);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.oneof(headerEdit.map((h) => ({ h })), binaryEdit.map((b) => ({ b }))),
        async (target, edit) => {
          const d = join(dir, `ms${run++}`);
          mkdirSync(d);
          for (const f of files) {
            let bytes: Uint8Array = content.get(f)!;
            if (f === target) {
              bytes = 'h' in edit
                ? new Uint8Array(Buffer.from(applyHeaderEdit(Buffer.from(bytes).toString('latin1'), edit.h), 'latin1'))
                : applyBinaryEdit(bytes, edit.b);
            }
            writeFileSync(join(d, f), bytes);
          }
          await expectValidOrFormatError(join(d, 'fixed'));
          await expectValidOrFormatError(join(d, 'variable'));
        },
      ),
      { numRuns: 100, timeout: 20_000 },
    );
  });
});

/** Open and read a record (start, end and a middle window): a valid recording, or a FormatError. */
async function expectValidOrFormatError(path: string): Promise<void> {
  try {
    const src = await openWfdbRecord(path);
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
      const mid = Math.floor(info.length / 2);
      const middle = await src.read({ from: mid - 3, to: mid + 3 });
      for (const s of middle.signals) expect(s.samples.length).toBe(6);
    }
  } catch (e) {
    expectFormatErrorOnly(e);
  }
}
