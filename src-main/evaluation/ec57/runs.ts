/**
 * EC57's run-by-run comparison, as WFDB's `rxr` does it (app/rxr.c, G. Moody, revised 7 August 2009): how well a
 * detector finds ventricular (VE) and supraventricular (SVE) couplets, short runs (3–5 beats) and long runs
 * (≥ 6 beats, ventricular or atrial fibrillation counting as one).
 *
 * Each pass walks one file's runs. The sensitivity pass walks the reference's and the positive-predictivity pass
 * the test's. For each run, the other file's longest run inside [first beat − 150 ms, last beat + 150 ms] is found.
 * Lengths are capped at 6, and the pair (reference length, test length) is counted in a 7 × 7 matrix. Couplet,
 * short-run and long-run Se and +P come from its cells exactly as rxr's `print_results` sums them. The comparison
 * starts after the 5-minute learning period unless told otherwise.
 *
 * rxr's label map differs from bxb's in two ways. Normal and bundle-branch beats inside atrial fibrillation or
 * flutter count as S. A rhythm annotation beginning `(AF` or `(VF` opens AF or VF, and any other rhythm annotation
 * closes it. VF is also opened by `[` and closed by `]`. Shutdown (`~` with subtype bits 0x30) ends runs, as N and
 * Q beats do.
 */
import type { Annotation } from '../../domain/annotation.js';
import { EvaluationError } from '../errors.js';
import { codeOf, NOISE_CODE, VFOFF_CODE, VFON_CODE } from './labels.js';
import { secondsToSamples } from './compare.js';

/** rxr's test labels: beats N S V F Q, U shutdown begins, C it ends, [ ] VF, { } AF, O anything else. */
type RxrLabel = 'N' | 'S' | 'V' | 'F' | 'Q' | 'U' | 'C' | '[' | ']' | '{' | '}' | 'O';

const RHYTHM_CODE = 28;
const UNKNOWN_CODE = 13;
const RXR_BEATS: Readonly<Record<number, 'N' | 'S' | 'V' | 'F' | 'Q'>> = {
  1: 'N', 2: 'N', 3: 'N', 25: 'N', // NORMAL LBBB RBBB BBB (S inside AF)
  7: 'S', 8: 'S', 9: 'S', 4: 'S', 11: 'S', 34: 'S', 35: 'S', // NPC APC SVPB ABERR NESC AESC SVESC
  5: 'V', 41: 'V', 10: 'V', // PVC RONT VESC
  6: 'F',
  13: 'Q', 30: 'Q', 12: 'Q', 38: 'Q', // UNKNOWN LEARN PACE PFUS
};

/** The fields of one annotation that rxr's label map reads. */
interface Current { time: number; code: number; subtype: number; aux: string }

/**
 * One annotation file read forward, with rxr's per-file label state (in AF, in VF, in shutdown). Like rxr's global
 * `annot[]`, the current annotation outlives a pass: the next pass rewinds the file but starts from the previous
 * pass's last annotation with its time set to 0 (rxr reads it again before the first real one).
 */
class Stream {
  private i = -1;
  time: number;
  code: number;
  private subtype: number;
  private aux: string;
  private inAf = false;
  private inVf = false;
  private unreadable = false;
  constructor(private readonly anns: readonly Annotation[], stale: Current) {
    this.time = 0;
    this.code = stale.code;
    this.subtype = stale.subtype;
    this.aux = stale.aux;
  }

  current(): Current {
    return { time: this.time, code: this.code, subtype: this.subtype, aux: this.aux };
  }

  /** Next annotation; false at the end of the file (the current one is then left as it was). */
  next(): boolean {
    if (this.i + 1 >= this.anns.length) return false;
    const a = this.anns[++this.i];
    this.time = a.sample;
    this.code = codeOf(a);
    this.subtype = a.subtype;
    this.aux = a.aux.replace(/\0+$/, '');
    return true;
  }

  /** rxr `amap` of the current annotation (it changes the state, as rxr's does). */
  label(): RxrLabel {
    const code = this.code;
    const beat = RXR_BEATS[code];
    if (beat) return beat === 'N' && this.inAf ? 'S' : beat;
    switch (code) {
      case NOISE_CODE:
        if ((this.subtype & 0x30) === 0x30) {
          if (this.unreadable) return 'O';
          this.unreadable = true;
          return 'U';
        }
        if (this.unreadable) { this.unreadable = false; return 'C'; }
        return 'O';
      case VFON_CODE:
        if (this.inVf) return 'O';
        this.inAf = false; this.inVf = true;
        return '[';
      case VFOFF_CODE:
        if (!this.inVf) return 'O';
        this.inVf = false;
        return ']';
      case RHYTHM_CODE:
        if (this.aux === '') return 'O';
        if (this.aux.startsWith('(AF')) {
          if (this.inAf) return 'O';
          this.inAf = true; this.inVf = false;
          return '{';
        }
        if (this.aux.startsWith('(VF')) {
          if (this.inVf) return 'O';
          this.inAf = false; this.inVf = true;
          return '[';
        }
        if (this.inAf) { this.inAf = false; return '}'; }
        if (this.inVf) { this.inVf = false; return ']'; }
        return 'O';
      default:
        return 'O';
    }
  }

  /** The current annotation becomes an unclassifiable beat (rxr does this to end a run at the end of the file). */
  markUnknown(): void {
    this.code = UNKNOWN_CODE;
  }
}

/** 7 × 7 counts [reference run length][test run length], lengths 0–5 and 6 (= six or more). */
export type RunLengthMatrix = number[][];

export interface RunByRunOptions {
  fs: number;
  /** Start of the comparison (s): rxr's default is 5 minutes; 0 compares from the start. */
  startSeconds?: number;
  /** End of the comparison (samples): the record's length, as rxr's default `strtim("e")`. */
  recordLength: number;
  matchWindowSeconds?: number;
}

export interface RunByRunComparison {
  /** Ventricular runs: V and F beats extend them. */
  ve: { sensitivity: RunLengthMatrix; positivePredictivity: RunLengthMatrix };
  /** Supraventricular runs: S beats (and N beats in AF) extend them. */
  sve: { sensitivity: RunLengthMatrix; positivePredictivity: RunLengthMatrix };
}

const zeroMatrix = (): RunLengthMatrix => Array.from({ length: 7 }, () => new Array<number>(7).fill(0));

/** One pass: `defining` walks its runs; `other` is searched around each. `sve`: supraventricular runs. */
function pass(defining: Stream, other: Stream, sve: boolean, asReference: boolean, start: number, end: number, dt: number): RunLengthMatrix {
  const m = zeroMatrix();
  const isRunBeat = (l: RxrLabel): boolean => (sve ? l === 'S' : l === 'V' || l === 'F');
  const opens = sve ? '{' : '[';
  const closesEpisode = (l: RxrLabel): boolean => (sve ? l === '}' || l === '[' || l === 'U' : l === ']' || l === '{' || l === 'U');
  let fEnd = 0; // end of a VF/AF episode of `other` overlapping the previous window (−1: to the end of the file)

  /** rxr `find_longest_run` in `other` between t0 and t1. */
  const longestRun = (t0: number, t1: number): number => {
    if (fEnd < 0 || fEnd > t0) return 6;
    if (other.time < 0) return 0;
    while (other.time < t0) {
      if (other.label() === opens) {
        let l: RxrLabel;
        do {
          if (!other.next()) { fEnd = -1; return 6; }
          l = other.label();
        } while (!closesEpisode(l));
        if (other.time > t0) { fEnd = other.time; return 6; }
      }
      if (!other.next()) { other.time = -1; return 0; }
    }
    let len = 0, len0 = 0;
    while (other.time <= t1) {
      const l = other.label();
      if (l === 'N' || l === 'Q' || l === 'U') { if (len0 > len) len = len0; len0 = 0; }
      else if (l === 'V' || l === 'F' || l === 'S') {
        if (isRunBeat(l)) { if (len0 < 6) len0++; } else { if (len0 > len) len = len0; len0 = 0; }
      } else if (l === '[' || l === '{') {
        if (l === opens) {
          let m2: RxrLabel;
          do {
            if (!other.next()) { fEnd = -1; return 6; }
            m2 = other.label();
          } while (!closesEpisode(m2));
          fEnd = other.time;
          return 6;
        }
        if (len0 > len) len = len0;
        len0 = 0;
      }
      if (!other.next()) { other.time = -1; break; }
    }
    return len > len0 ? len : len0;
  };
  const record = (own: number, found: number): void => {
    if (asReference) m[own][found]++;
    else m[found][own]++;
  };

  // The state of `defining` at the start: inside VF (AF) counts as a long run already begun.
  let runLength = -1;
  let runStart = 0, runEnd = 0;
  while (defining.next()) {
    if (defining.time >= start) { if (runLength < 0) runLength = 0; break; }
    const l = defining.label();
    if (l === opens) runLength = 6;
    else if (l === ']' || l === '}') runLength = 0;
  }
  if (runLength < 0) return m; // no annotation at or after the start
  if (runLength > 0) { runStart = start - dt; runEnd = start + dt; }

  for (let go = true; go;) {
    const l = defining.label();
    if (runLength > 0) {
      if (l === 'N' || l === 'Q' || l === 'U') {
        record(runLength, longestRun(runStart, runEnd));
        runLength = 0;
      } else if (l === 'V' || l === 'F') {
        if (!sve) { if (runLength < 6) runLength++; runEnd = defining.time + dt; }
        else { record(runLength, longestRun(runStart, runEnd)); runLength = 0; }
      } else if (l === 'S') {
        if (sve) { if (runLength < 6) runLength++; runEnd = defining.time + dt; }
        else { record(runLength, longestRun(runStart, runEnd)); runLength = 0; }
      } else if ((l === ']' && !sve) || (l === '}' && sve)) {
        runEnd = defining.time + dt; // this might end the episode
      }
    } else if (isRunBeat(l)) {
      runLength = 1; runStart = defining.time - dt; runEnd = defining.time + dt;
    } else if (l === opens) {
      runLength = 6; runStart = defining.time - dt;
    }
    if (!defining.next()) {
      if (runLength > 0) defining.markUnknown(); // the file ends inside a run: end it there
      else go = false;
    }
    if (go && end > 0 && defining.time > end) go = false;
  }
  return m;
}

/** rxr on one record: VE and SVE run matrices for sensitivity (reference runs) and +P (test runs). */
export function compareRunByRun(reference: readonly Annotation[], test: readonly Annotation[], o: RunByRunOptions): RunByRunComparison {
  if (!(o.fs > 0)) throw new EvaluationError(`run-by-run comparison needs a positive sampling rate, got ${o.fs}`);
  const start = secondsToSamples(o.startSeconds ?? 300, o.fs);
  const dt = secondsToSamples(o.matchWindowSeconds ?? 0.15, o.fs);
  const end = o.recordLength > 0 ? o.recordLength : -1;
  if (end > 0 && end < start) throw new EvaluationError(`the comparison would start (${start} samples) after the record ends (${end})`);
  // rxr's order of passes, each file's last annotation carried into the next pass (see Stream)
  const last: [Current, Current] = [{ time: 0, code: 0, subtype: 0, aux: '' }, { time: 0, code: 0, subtype: 0, aux: '' }];
  const run = (sve: boolean, sens: boolean): RunLengthMatrix => {
    const ref = new Stream(reference, last[0]), tst = new Stream(test, last[1]);
    const m = sens ? pass(ref, tst, sve, true, start, end, dt) : pass(tst, ref, sve, false, start, end, dt);
    last[0] = ref.current();
    last[1] = tst.current();
    return m;
  };
  const veSe = run(false, true), vePp = run(false, false), sveSe = run(true, true), svePp = run(true, false);
  return { ve: { sensitivity: veSe, positivePredictivity: vePp }, sve: { sensitivity: sveSe, positivePredictivity: svePp } };
}

export interface RunByRunCounts {
  CTPs: number; CFN: number; CTPp: number; CFP: number;
  STPs: number; SFN: number; STPp: number; SFP: number;
  LTPs: number; LFN: number; LTPp: number; LFP: number;
}

const sum = (m: RunLengthMatrix, rows: number[], cols: number[]): number => rows.reduce((a, r) => a + cols.reduce((b, c) => b + m[r][c], 0), 0);
const R = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, k) => a + k);

/** rxr `print_results`: the twelve counts of its line format. */
export function runByRunCounts(s: { sensitivity: RunLengthMatrix; positivePredictivity: RunLengthMatrix }): RunByRunCounts {
  const a = s.sensitivity, b = s.positivePredictivity;
  return {
    CTPs: sum(a, [2], R(2, 6)), CFN: sum(a, [2], [0, 1]),
    CTPp: sum(b, R(2, 6), [2]), CFP: sum(b, [0, 1], [2]),
    STPs: sum(a, R(3, 5), R(3, 6)), SFN: sum(a, R(3, 5), R(0, 2)),
    STPp: sum(b, R(3, 6), R(3, 5)), SFP: sum(b, R(0, 2), R(3, 5)),
    LTPs: a[6][6], LFN: sum(a, [6], R(0, 5)),
    LTPp: b[6][6], LFP: sum(b, R(0, 5), [6]),
  };
}

/** Couplet, short-run and long-run Se and +P (0–1, null when undefined) from counts (one record or summed). */
export function runByRunStatistics(c: RunByRunCounts): { coupletSe: number | null; coupletPpv: number | null; shortRunSe: number | null; shortRunPpv: number | null; longRunSe: number | null; longRunPpv: number | null } {
  const q = (x: number, y: number): number | null => (y > 0 ? x / y : null);
  return {
    coupletSe: q(c.CTPs, c.CTPs + c.CFN), coupletPpv: q(c.CTPp, c.CTPp + c.CFP),
    shortRunSe: q(c.STPs, c.STPs + c.SFN), shortRunPpv: q(c.STPp, c.STPp + c.SFP),
    longRunSe: q(c.LTPs, c.LTPs + c.LFN), longRunPpv: q(c.LTPp, c.LTPp + c.LFP),
  };
}

export function addRunByRunCounts(a: RunByRunCounts, b: RunByRunCounts): RunByRunCounts {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof RunByRunCounts)[]) out[k] += b[k];
  return out;
}

export type RunByRunFigures = RunByRunCounts & ReturnType<typeof runByRunStatistics>;

/** Counts summed over records and their gross Se / +P, for VE and SVE runs (what a model card reports). */
export function summarizeRunByRun(records: readonly RunByRunComparison[]): { ve: RunByRunFigures; sve: RunByRunFigures } {
  const zero: RunByRunCounts = { CTPs: 0, CFN: 0, CTPp: 0, CFP: 0, STPs: 0, SFN: 0, STPp: 0, SFP: 0, LTPs: 0, LFN: 0, LTPp: 0, LFP: 0 };
  let ve = zero, sve = zero;
  for (const r of records) { ve = addRunByRunCounts(ve, runByRunCounts(r.ve)); sve = addRunByRunCounts(sve, runByRunCounts(r.sve)); }
  return { ve: { ...ve, ...runByRunStatistics(ve) }, sve: { ...sve, ...runByRunStatistics(sve) } };
}
