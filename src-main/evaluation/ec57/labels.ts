/**
 * How WFDB's `bxb` turns annotation codes into the labels it compares (wfdb app/bxb.c, function `amap`, and
 * lib/ecgmap.h, table `wfdb_qrs` behind `isqrs`), so that our counts equal bxb's for the same files.
 *
 * bxb's beat set (isqrs) is codes 1–13, 25 (B), 30 (?), 31 (!), 34 (e), 35 (n), 38 (f), 41 (r). Its SVEB-mode
 * mapping (options -C/-L/-S, which report SVEB statistics) is:
 *   N ← N L R B            S ← a J A S j e n        V ← V r E        F ← F        Q ← Q / f ?
 *   O ← any other beat code (in practice `!`, ventricular flutter wave)
 * Note that bxb puts nodal (j) and atrial (e) escape beats in S, whereas the AAMI class table of EC57 (and
 * de Chazal 2004, our `AAMI_OF_SYMBOL`) puts them in N. `'aami'` mapping follows `AAMI_OF_SYMBOL` for the
 * symbols it lists and bxb for the rest; `'bxb'` (the default) reproduces bxb exactly.
 */
import { AAMI_OF_SYMBOL } from '../../domain/aami.js';
import { annotationCode, type Annotation } from '../../domain/annotation.js';

/** A label as bxb pairs them: the five AAMI classes, O (no beat / not a counted beat), X (in shutdown). */
export type BxbLabel = 'N' | 'S' | 'V' | 'F' | 'Q' | 'O' | 'X';
/** Rows of bxb's matrix (reference) and, lower-cased, its columns (test). */
export const BXB_LABELS: readonly BxbLabel[] = ['N', 'S', 'V', 'F', 'Q', 'O', 'X'];

export type ClassMapping = 'bxb' | 'aami';

/** WFDB codes bxb treats specially (ecgcodes.h). */
export const NOISE_CODE = 14;
export const VFON_CODE = 32;
export const VFOFF_CODE = 33;

/** ecgmap.h `wfdb_qrs`: 1 where the code denotes a QRS complex. */
const QRS_TABLE = new Uint8Array(50);
for (const c of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 31, 34, 35, 38, 41]) QRS_TABLE[c] = 1;

export function isBxbBeatCode(code: number): boolean {
  return code > 0 && code < 50 && QRS_TABLE[code] === 1;
}

/** bxb.c `amap` with fflag > 3 (SVEB statistics on). */
const BXB_MAP: Readonly<Record<number, BxbLabel>> = {
  1: 'N', 2: 'N', 3: 'N', 25: 'N', // NORMAL LBBB RBBB BBB
  7: 'S', 8: 'S', 9: 'S', 4: 'S', 11: 'S', 34: 'S', 35: 'S', // NPC APC SVPB ABERR NESC AESC SVESC
  5: 'V', 41: 'V', 10: 'V', // PVC RONT VESC
  6: 'F', // FUSION
  13: 'Q', 12: 'Q', 38: 'Q', 30: 'Q', // UNKNOWN PACE PFUS LEARN
};

/** The code of an annotation: its own when set, else the code of its symbol (annotations built in memory). */
export function codeOf(a: Annotation): number {
  if (a.code > 0) return a.code;
  return annotationCode(a.symbol) ?? 0;
}

/** The label bxb compares for a beat annotation code. */
export function bxbLabelOf(code: number, symbol: string, mapping: ClassMapping = 'bxb'): BxbLabel {
  if (mapping === 'aami') {
    const c = AAMI_OF_SYMBOL[symbol];
    if (c) return c;
  }
  return BXB_MAP[code] ?? 'O';
}

const AAMI_SYMBOL_OF_INDEX = ['N', 'S', 'V', 'F', 'Q'] as const;

/**
 * Test annotations from detector/classifier output held in memory: beat samples and, optionally, AAMI class
 * indices (N S V F Q = 0…4) written as the MIT symbols N, S, V, F, Q (bxb reads them as classes N S V F Q).
 */
export function beatsToAnnotations(samples: ArrayLike<number>, classes?: ArrayLike<number>): Annotation[] {
  const out: Annotation[] = new Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const symbol = classes ? AAMI_SYMBOL_OF_INDEX[classes[i]] ?? 'Q' : 'N';
    out[i] = { sample: samples[i], symbol, code: annotationCode(symbol)!, subtype: 0, chan: 0, num: 0, aux: '' };
  }
  return out;
}
