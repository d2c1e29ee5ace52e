/**
 * The MIT annotation writer never drops or alters an annotation: 100,000 random annotations (every code 1..49,
 * subtypes, chan and num changes, aux text of every Latin-1 character but NUL, gaps that need SKIP, several
 * annotations at one sample) come back identical; values the format cannot hold are refused, not wrapped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WFDB_ANNOTATION_SYMBOLS, type Annotation } from '../../../src-main/domain/annotation.js';
import { FormatError } from '../../../src-main/formats/errors.js';
import { decodeWfdbAnnotations, encodeWfdbAnnotations, readWfdbAnnotationFile, writeWfdbAnnotationFile } from '../../../src-main/formats/wfdb/index.js';
import { expectSameAnnotations, tempDir } from './helpers.js';

function randomAnnotations(count: number, seed: number): Annotation[] {
  let s = seed >>> 0;
  const rnd = (n: number): number => {
    // xorshift32: deterministic, so a failure reproduces.
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % n;
  };
  const out: Annotation[] = [];
  let sample = 0, chan = 0, num = 0;
  for (let i = 0; i < count; i++) {
    const r = rnd(100);
    sample += r < 5 ? 0 : r < 15 ? 1024 + rnd(200_000) : r < 17 ? 1023 : rnd(1024);
    if (rnd(10) === 0) chan = rnd(1024);
    if (rnd(10) === 0) num = rnd(1024) - 512;
    const code = 1 + rnd(49);
    let aux = '';
    if (rnd(4) === 0) {
      const len = rnd(4) === 0 ? 254 : rnd(40);
      const codes = new Array<number>(len);
      for (let k = 0; k < len; k++) codes[k] = 1 + rnd(255);
      aux = String.fromCharCode(...codes);
    }
    out.push({ sample, symbol: WFDB_ANNOTATION_SYMBOLS[code], code, subtype: rnd(3) === 0 ? rnd(1024) - 512 : 0, chan, num, aux });
  }
  return out;
}

describe('WFDB annotation encoder', () => {
  const dir = tempDir('wfdb-annotations');

  it('100,000 random annotations come back identical, through bytes and through a file', async () => {
    const anns = randomAnnotations(100_000, 20240607);
    expect(anns[anns.length - 1].sample).toBeGreaterThan(2 ** 24); // SKIPs were needed
    const bytes = encodeWfdbAnnotations(anns);
    const back = decodeWfdbAnnotations('<random>', bytes);
    expectSameAnnotations(back, anns);
    const file = join(dir, 'random.atr');
    await writeWfdbAnnotationFile(file, anns);
    expectSameAnnotations(await readWfdbAnnotationFile(file), anns, 'from the file');
  });

  it('writing sorts by sample and keeps every annotation at a shared sample in order', async () => {
    const a = (sample: number, symbol: string, code: number): Annotation => ({ sample, symbol, code, subtype: 0, chan: 0, num: 0, aux: '' });
    const input = [a(5000, 'V', 5), a(10, 'N', 1), a(10, '+', 28), a(2_000_000, 'N', 1)];
    const file = join(dir, 'sorted.atr');
    await writeWfdbAnnotationFile(file, input);
    expect((await readWfdbAnnotationFile(file)).map((x) => `${x.sample}${x.symbol}`)).toEqual(['10N', '10+', '5000V', '2000000N']);
    expect(readFileSync(file).length % 2).toBe(0);
  });

  it('refuses what MIT format cannot hold', () => {
    const base: Annotation = { sample: 10, symbol: 'N', code: 1, subtype: 0, chan: 0, num: 0, aux: '' };
    const bad: [Partial<Annotation>, RegExp][] = [
      [{ subtype: 600 }, /subtype 600/],
      [{ num: -513 }, /num -513/],
      [{ chan: 1024 }, /chan 1024/],
      [{ aux: 'x'.repeat(255) }, /at most 254/],
      [{ aux: 'a\0b' }, /character code 0/],
      [{ aux: 'µ→' }, /character code 8594/],
      [{ symbol: 'ZZ', code: -1 }, /symbol 'ZZ'/],
      [{ sample: -1 }, /invalid sample -1/],
      [{ sample: 1.5 }, /invalid sample 1.5/],
      [{ symbol: ' ', code: 0, sample: 0 }, /code 0/],
    ];
    for (const [patch, msg] of bad) {
      const run = (): Uint8Array => encodeWfdbAnnotations([{ ...base, ...patch }], 'out.atr');
      expect(run).toThrow(FormatError);
      expect(run).toThrow(msg);
    }
  });
});
