// SPDX-License-Identifier: GPL-2.0-or-later
// Derived from the WFDB Software Package (app/bxb.c, app/sumstats.c), Copyright (C) George B. Moody,
// GPL-2.0-or-later: this file follows their logic line by line and is distributed under the same licence.
/**
 * Beat-by-beat comparison of a test annotation list against a reference one, as ANSI/AAMI EC57 specifies and
 * as WFDB's `bxb` (G. Moody, wfdb app/bxb.c, revision of 27 April 2020) implements it. This is a line-by-line
 * port of bxb's `main` loop, `getref`, `gettest`, `rpann`, `tpann` and `pair`, so that the counts equal what
 * `bxb -r REC -a REF TEST -L … [-f 0]` prints for the same files:
 *
 *  - match window: `strtim(".15")` = floor(0.15·fs + 0.5) samples (54 at 360 Hz); a pair needs |t − T| ≤ window.
 *  - start: `strtim("5:0")` by default (the first 5 minutes are a learning period), 0 with `-f 0`; end: the
 *    record length (`strtim("e")`) when known, else the end of the reference annotations.
 *  - pairing: whichever of the current reference (T) and test (t) annotation is earlier is examined; it is
 *    paired with the other if within the window and a better match than the other list's next annotation
 *    (or, since 24 Nov 2002, if the two next annotations match each other better); otherwise it is paired
 *    with a pseudo-beat O (unmatched) or X (inside the other annotator's shutdown).
 *  - VF: reference annotations between `[` and `]` are skipped, and test beats inside reference VF are not
 *    counted at all. Shutdown: a `~` whose subtype has bits 4 and 5 set starts it, the next `~` ends it (or it
 *    is estimated around a lone one, AHA style); beats of one side inside the other's shutdown pair with X.
 *  - RR error: pairs where both the reference and the test RR interval are valid add (RR − rr)² to a sum.
 */
import type { Annotation } from '../../domain/annotation.js';
import { EvaluationError } from '../errors.js';
import {
  BXB_LABELS, bxbLabelOf, codeOf, isBxbBeatCode, NOISE_CODE, VFOFF_CODE, VFON_CODE,
  type BxbLabel, type ClassMapping,
} from './labels.js';

export interface BxbOptions {
  /** Sampling frequency of the annotation times (samples per second). */
  fs: number;
  /** Start of the test period in seconds (bxb `-f`); default 300 (5 minutes). 0 compares from the start. */
  startSeconds?: number;
  /**
   * End of the test period in seconds (bxb `-t`). 0 stops at the end of either annotation list (`-t 0`).
   * When absent: `recordLength` if given, else the end of the reference annotations.
   */
  endSeconds?: number;
  /** Record length in samples (what `strtim("e")` returns from the header). */
  recordLength?: number;
  /** Match window in seconds (bxb `-w`); default 0.15, the EC57 value. */
  matchWindowSeconds?: number;
  /** Which class table maps reference and test codes to labels; default `'bxb'`. */
  mapping?: ClassMapping;
  /** Also list every pair whose labels differ (bxb `-v`). */
  listDiscrepancies?: boolean;
}

/** One pair with differing labels, as `bxb -v` prints it: `ref(time)/test(time)`. */
export interface Discrepancy {
  ref: BxbLabel;
  test: BxbLabel;
  /** Sample of the reference beat, or of the test beat when the reference is a pseudo-beat (O/X). */
  refSample: number;
  /** Sample of the test beat, or of the reference beat when the test is a pseudo-beat (O/X). */
  testSample: number;
}

/** What bxb counts for one record. */
export interface BxbComparison {
  /** Sampling frequency, start, end and window actually used (samples); end −1 = end of reference, 0 = either. */
  fs: number;
  start: number;
  end: number;
  matchWindow: number;
  /**
   * bxb's confusion matrix, row-major 7×7: rows = reference N S V F Q O X, columns = test n s v f q o x.
   * Row O: test beats with no reference beat; row X: test beats in reference shutdown; column o: missed
   * reference beats; column x: reference beats in test shutdown. Cells O·o, O·x, X·o, X·x are always 0.
   */
  counts: Int32Array;
  /** Sum of squared RR-interval differences (samples²) and how many pairs contributed. */
  rrErrorSumSquares: number;
  rrErrorCount: number;
  /** Test annotator's total shutdown in whole seconds, as bxb reports it. */
  shutdownSeconds: number;
  discrepancies?: Discrepancy[];
}

const HUGE = Number.MAX_SAFE_INTEGER;

/** WFDB `strtim` for a number of seconds: (long)(x·f + 0.5). */
export function secondsToSamples(seconds: number, fs: number): number {
  return Math.trunc(seconds * fs + 0.5);
}

export function labelIndex(l: BxbLabel): number {
  return BXB_LABELS.indexOf(l);
}

/** A cell of a bxb matrix: `count(counts, 'V', 'n')` is Vn, reference V labelled N by the test. */
export function count(counts: Int32Array, ref: BxbLabel, test: Lowercase<BxbLabel>): number {
  return counts[labelIndex(ref) * 7 + labelIndex(test.toUpperCase() as BxbLabel)];
}

/** getann/ungetann over an array. */
class Cursor {
  private i = 0;
  constructor(private readonly list: readonly Annotation[]) {}
  next(): Annotation | undefined {
    if (this.i >= this.list.length) return undefined;
    return this.list[this.i++];
  }
  unget(): void { this.i--; }
}

/** bxb reads files in order; WFDB writers keep them sorted. An unsorted list (built in memory) is sorted first. */
function sortedBySample(list: readonly Annotation[], name: string): readonly Annotation[] {
  for (let i = 1; i < list.length; i++) {
    if (list[i].sample < list[i - 1].sample) return [...list].sort((x, y) => x.sample - y.sample);
    if (!Number.isFinite(list[i].sample)) throw new EvaluationError(`annotation ${i} has a non-finite time`, name);
  }
  return list;
}

/** Compare test annotations with reference annotations of the same record, exactly as bxb does. */
export function compareBeats(reference: readonly Annotation[], test: readonly Annotation[], options: BxbOptions): BxbComparison {
  const { fs } = options;
  if (!(fs > 0)) throw new EvaluationError(`sampling frequency must be positive, got ${fs}`);
  const mapping = options.mapping ?? 'bxb';
  const dt = Math.trunc(secondsToSamples(options.matchWindowSeconds ?? 0.15, fs));
  const start = secondsToSamples(options.startSeconds ?? 300, fs);
  let endTime: number;
  if (options.endSeconds !== undefined) endTime = secondsToSamples(options.endSeconds, fs);
  else endTime = options.recordLength && options.recordLength > 0 ? options.recordLength : -1;
  if (endTime > 0 && endTime < start) {
    throw new EvaluationError(`improper interval: the test period ends (${endTime}) before it starts (${start}) (bxb: improper interval specified)`);
  }

  const ref = new Cursor(sortedBySample(reference, 'reference annotations'));
  const tst = new Cursor(sortedBySample(test, 'test annotations'));
  const counts = new Int32Array(49);
  const discrepancies: Discrepancy[] | undefined = options.listDiscrepancies ? [] : undefined;

  // bxb's globals. Labels: '' stands for the initial 0, '*' for "not counted".
  let A = '', Aprime = '', a = '', aprime = '';
  let T = 0, Tprime = 0, t = 0, tprime = 0;
  let RR = 0, rr = 0, TT = 0, tt = 0;
  let sdonref = -1, sdoffref = -1, vfonref = -1, vfoffref = -1;
  let psdonref = -1, psdoffref = -1, pvfonref = -1, pvfoffref = -1;
  let sdontest = -1, sdofftest = -1, vfontest = -1, vfofftest = -1;
  let psdontest = -1, psdofftest = -1, pvfontest = -1;
  let shutDown = secondsToSamples(0.5, fs);
  let nrre = 0, ssrre = 0;

  const label = (ann: Annotation, code: number): string => bxbLabelOf(code, ann.symbol, mapping);

  function getref(): void {
    TT = T;
    T = Tprime;
    A = Aprime;
    if (TT === 0 || T === HUGE || (TT <= vfonref && vfonref < T) || (TT <= sdonref && sdonref < T) ||
        (TT <= pvfonref && pvfonref < T) || (TT <= psdonref && psdonref < T)) RR = 0;
    else RR = T - TT;
    for (let ann = ref.next(); ann; ann = ref.next()) {
      const code = codeOf(ann);
      if (isBxbBeatCode(code)) {
        Tprime = ann.sample;
        Aprime = label(ann, code);
        return;
      } else if (code === NOISE_CODE) {
        if ((ann.subtype & 0x30) === 0x30) {
          psdonref = sdonref;
          psdoffref = sdoffref;
          sdonref = ann.sample;
          const end = ref.next();
          if (!end) {
            Tprime = sdoffref = HUGE;
            Aprime = '*';
            return;
          }
          if (codeOf(end) === NOISE_CODE && (end.subtype & 0x30) !== 0x30) sdoffref = end.sample;
          else {
            sdonref = vfoffref > T ? vfoffref + dt : T + dt;
            sdoffref = end.sample - dt;
            if (sdonref > sdoffref) sdonref = sdoffref;
            ref.unget();
          }
        }
      } else if (code === VFON_CODE) {
        pvfonref = vfonref;
        pvfoffref = vfoffref;
        vfonref = ann.sample;
        let off: Annotation | undefined;
        do {
          off = ref.next();
          if (!off) {
            Tprime = HUGE;
            Aprime = '*';
            return;
          }
        } while (codeOf(off) !== VFOFF_CODE);
        vfoffref = off.sample;
      }
    }
    Tprime = HUGE;
    Aprime = '*';
  }

  function gettest(): void {
    tt = t;
    t = tprime;
    a = aprime;
    if (tt === 0 || t === HUGE || (tt <= vfontest && vfontest < t) || (tt <= sdontest && sdontest < t) ||
        (tt <= pvfontest && pvfontest < t) || (tt <= psdontest && psdontest < t)) rr = 0;
    else rr = t - tt;
    for (let ann = tst.next(); ann; ann = tst.next()) {
      const code = codeOf(ann);
      if (isBxbBeatCode(code)) {
        tprime = ann.sample;
        aprime = label(ann, code);
        return;
      }
      if (code === NOISE_CODE) {
        if ((ann.subtype & 0x30) === 0x30) {
          psdontest = sdontest;
          psdofftest = sdofftest;
          sdontest = ann.sample;
          const end = tst.next();
          if (!end) {
            tprime = HUGE;
            aprime = '*';
            // bxb warns about an unterminated shutdown when the end is unknown and leaves it out of the tally.
            if (endTime > 0) shutDown += endTime - sdontest;
            return;
          }
          if (codeOf(end) === NOISE_CODE && (end.subtype & 0x30) !== 0x30) sdofftest = end.sample;
          else {
            sdontest = vfofftest > t ? vfofftest + dt : t + dt;
            sdofftest = end.sample - dt;
            if (sdontest > sdofftest) sdontest = sdofftest;
            tst.unget();
          }
          shutDown += sdofftest - sdontest;
        }
      } else if (code === VFON_CODE) {
        pvfontest = vfontest; // (bxb also saves pvfofftest, which nothing reads: test-marked VF is not special)
        vfontest = ann.sample;
        let off: Annotation | undefined;
        do {
          off = tst.next();
          if (!off) {
            tprime = HUGE;
            aprime = '*';
            return;
          }
        } while (codeOf(off) !== VFOFF_CODE);
        vfofftest = off.sample;
      }
    }
    tprime = HUGE;
    aprime = '*';
  }

  /** Pseudo-label for an unmatched test beat at time x. */
  function rpann(x: number): string {
    if ((vfonref !== -1 && vfonref <= x && (x <= vfoffref || vfoffref === -1)) ||
        (pvfonref !== -1 && pvfonref <= x && x <= pvfoffref)) return '*';
    if ((sdonref !== -1 && sdonref <= x && (x <= sdoffref || sdoffref === -1)) ||
        (psdonref !== -1 && psdonref <= x && x <= psdoffref)) return 'X';
    return 'O';
  }

  /** Pseudo-label for an unmatched reference beat at time x (no special case for test-marked VF). */
  function tpann(x: number): string {
    if ((sdontest !== -1 && sdontest <= x && (x <= sdofftest || sdofftest === -1)) ||
        (psdontest !== -1 && psdontest <= x && x <= psdofftest)) return 'X';
    return 'O';
  }

  function pair(r: string, s: string): void {
    const ri = BXB_LABELS.indexOf(r as BxbLabel);
    const si = BXB_LABELS.indexOf(s as BxbLabel);
    // bxb's switch has no cell for O/X against O/X, nor for '*' or the initial 0.
    if (ri >= 0 && si >= 0 && !(ri >= 5 && si >= 5)) {
      counts[ri * 7 + si]++;
      if (discrepancies && r !== s) {
        const refPseudo = r === 'O' || r === 'X';
        const testPseudo = s === 'O' || s === 'X';
        discrepancies.push({
          ref: r as BxbLabel,
          test: s as BxbLabel,
          refSample: refPseudo ? t : T,
          testSample: refPseudo ? t : testPseudo ? T : t,
        });
      }
    }
    if (RR > 0 && rr > 0) {
      const e = RR - rr;
      ssrre += e * e;
      nrre++;
    }
  }

  do getref(); while (T < start);
  do gettest(); while (tprime < start);

  // A test beat just before the start may match the first reference beat after it.
  if (T - t < Math.abs(T - tprime) && T - t <= dt) {
    if (A !== '' || a !== '') pair(A, a);
    getref();
    gettest();
  } else {
    gettest();
    if (t - start <= dt && Math.abs(T - tprime) < Math.abs(T - t)) gettest();
  }

  while ((endTime > 0 && (T <= endTime || t <= endTime)) || (endTime === -1 && T !== HUGE) ||
         (endTime === 0 && T !== HUGE && t !== HUGE)) {
    if (t < T) {
      if (T - t <= dt && (T - t < Math.abs(T - tprime) || Math.abs(Tprime - tprime) < Math.abs(T - tprime))) {
        pair(A, a);
        getref();
        gettest();
      } else {
        pair(rpann(t), a);
        gettest();
      }
    } else if (t - T <= dt && (t - T < Math.abs(t - Tprime) || Math.abs(tprime - Tprime) < Math.abs(t - Tprime))) {
      pair(A, a);
      gettest();
      getref();
    } else {
      pair(A, tpann(T));
      getref();
    }
  }

  return {
    fs,
    start,
    end: endTime,
    matchWindow: dt,
    counts,
    rrErrorSumSquares: ssrre,
    rrErrorCount: nrre,
    shutdownSeconds: Math.trunc(shutDown / secondsToSamples(1, fs)),
    ...(discrepancies ? { discrepancies } : {}),
  };
}
