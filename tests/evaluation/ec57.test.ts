import { describe, expect, it } from 'vitest';
import { annotationCode, type Annotation } from '../../src-main/domain/annotation.js';
import {
  beatCounts, beatsToAnnotations, BXB_LABELS, compareBeats, count, formatBxbLine, formatFixed, formatSumstatsFooter, grossBeatCounts, recordStatistics,
  secondsToSamples, summarizeRecords, BXB_LINE_HEADER, type BxbComparison, type BxbLabel,
} from '../../src-main/evaluation/ec57/index.js';

function ann(sample: number, symbol = 'N', subtype = 0): Annotation {
  const code = annotationCode(symbol);
  if (code === undefined) throw new Error(`no code for ${symbol}`);
  return { sample, symbol, code, subtype, chan: 0, num: 0, aux: '' };
}

/** Beats every `rr` samples from `first`. */
function train(n: number, first: number, rr: number, symbol = 'N'): Annotation[] {
  return Array.from({ length: n }, (_, i) => ann(first + i * rr, symbol));
}

const shift = (list: Annotation[], d: number): Annotation[] => list.map((a) => ({ ...a, sample: a.sample + d }));

/** Non-zero cells as "Nn:3" strings, for readable assertions. */
function cells(c: BxbComparison): Record<string, number> {
  const out: Record<string, number> = {};
  BXB_LABELS.forEach((r, i) => BXB_LABELS.forEach((t, j) => {
    const v = c.counts[i * 7 + j];
    if (v) out[`${r}${t.toLowerCase()}`] = v;
  }));
  return out;
}

const WHOLE = (fs: number, length: number) => ({ fs, startSeconds: 0, recordLength: length });

describe('bxb match window', () => {
  it('is strtim(".15"): floor(0.15·fs + 0.5) samples', () => {
    expect(secondsToSamples(0.15, 360)).toBe(54);
    expect(secondsToSamples(0.15, 1000)).toBe(150);
    expect(secondsToSamples(0.15, 128)).toBe(19); // 19.2 → 19
    expect(secondsToSamples(300, 360)).toBe(108000); // strtim("5:0")
  });

  it('pairs a beat 149 ms and 150 ms late but not 151 ms late (1000 Hz)', () => {
    const ref = train(20, 1000, 1000);
    const opts = WHOLE(1000, 30000);
    expect(cells(compareBeats(ref, shift(ref, 149), opts))).toEqual({ Nn: 20 });
    expect(cells(compareBeats(ref, shift(ref, 150), opts))).toEqual({ Nn: 20 });
    expect(cells(compareBeats(ref, shift(ref, -150), opts))).toEqual({ Nn: 20 });
    expect(cells(compareBeats(ref, shift(ref, 151), opts))).toEqual({ No: 20, On: 20 });
    expect(cells(compareBeats(ref, shift(ref, -151), opts))).toEqual({ No: 20, On: 20 });
  });

  it('at 360 Hz the window is 54 samples: 54 (150 ms) pairs, 55 (152.8 ms) does not', () => {
    const ref = train(30, 500, 300);
    const opts = WHOLE(360, 20000);
    expect(cells(compareBeats(ref, shift(ref, 54), opts))).toEqual({ Nn: 30 });
    expect(cells(compareBeats(ref, shift(ref, 55), opts))).toEqual({ No: 30, On: 30 });
  });
});

describe('bxb pairing', () => {
  const opts = WHOLE(1000, 100000);

  it('counts a missed beat in column o and an extra beat in row O', () => {
    const ref = train(10, 1000, 1000);
    const missed = ref.filter((_, i) => i !== 4);
    const extra = [...ref, ann(5500)];
    const a = compareBeats(ref, missed, opts);
    expect(cells(a)).toEqual({ Nn: 9, No: 1 });
    expect(recordStatistics(a).qrsSensitivity).toBeCloseTo(90, 10);
    expect(recordStatistics(a).qrsPositivePredictivity).toBe(100);
    const b = compareBeats(ref, extra, opts);
    expect(cells(b)).toEqual({ Nn: 10, On: 1 });
    expect(recordStatistics(b).qrsPositivePredictivity).toBeCloseTo((100 * 10) / 11, 10);
  });

  it('pairs a test beat with the later reference beat it is closer to', () => {
    // T=1000, t=1080, T'=1100: t is 80 after T but only 20 before T', so T is missed and t pairs with T'.
    const c = compareBeats([ann(1000), ann(1100)], [ann(1080)], opts);
    expect(cells(c)).toEqual({ Nn: 1, No: 1 });
  });

  it('applies the 24 Nov 2002 criterion (bxb.c comment example, match window 37)', () => {
    // ref1=96 test1=128 ref2=160 test2=185: both pairs match (the pre-2002 rule missed ref1 and added test1).
    const c = compareBeats([ann(96), ann(160)], [ann(128), ann(185)], { ...opts, matchWindowSeconds: 0.037 });
    expect(c.matchWindow).toBe(37);
    expect(cells(c)).toEqual({ Nn: 2 });
  });

  it('tallies class confusions in bxb rows (reference) and columns (test)', () => {
    const ref = [ann(1000, 'V'), ann(2000, 'N'), ann(3000, 'A'), ann(4000, 'F'), ann(5000, 'L'), ann(6000, 'V'), ann(7000, 'Q'), ann(8000, '/')];
    const test = [ann(1010, 'N'), ann(2000, 'V'), ann(2990, 'N'), ann(4000, 'V'), ann(5000, 'S'), ann(6000, 'V'), ann(7000, 'N'), ann(8000, 'Q')];
    const c = compareBeats(ref, test, opts);
    expect(cells(c)).toEqual({ Vn: 1, Nv: 1, Sn: 1, Fv: 1, Ns: 1, Vv: 1, Qn: 1, Qq: 1 });
    expect(count(c.counts, 'V', 'n')).toBe(1);
    const s = recordStatistics(c);
    // VTP=Vv=1, VFN=Vn=1, VFP=Nv+Sv+Ov+Xv=1 (Fv is not a VEB false positive in bxb).
    expect(s.vebSensitivity).toBe(50);
    expect(s.vebPositivePredictivity).toBe(50);
    // VTN = N,S,F,Q,O,X rows × n,s,f,q columns = Sn + Ns + Qn + Qq = 4; FPR = 1/(4+1).
    expect(s.vebFalsePositiveRate).toBe(20);
    // STP=0, SFN=Sn=1, SFP=Ns=1.
    expect(s.svebSensitivity).toBe(0);
    expect(s.svebPositivePredictivity).toBe(0);
    expect(s.qrsSensitivity).toBe(100);
  });

  it('lists discrepancies as bxb -v prints them: ref(T)/test(t), pseudo-beats at the other side\'s time', () => {
    const ref = [ann(1000, 'V'), ann(2000), ann(3000)];
    const test = [ann(1010, 'N'), ann(3000), ann(3500)];
    const c = compareBeats(ref, test, { ...opts, listDiscrepancies: true });
    expect(c.discrepancies).toEqual([
      { ref: 'V', test: 'N', refSample: 1000, testSample: 1010 },
      { ref: 'N', test: 'O', refSample: 2000, testSample: 2000 },
      { ref: 'O', test: 'N', refSample: 3500, testSample: 3500 },
    ]);
    expect(compareBeats(ref, test, opts).discrepancies).toBeUndefined();
  });

  it("maps MIT symbols the way bxb's amap does, with escape beats j/e in S; 'aami' puts them in N", () => {
    const ref = ['N', 'L', 'R', 'B', 'a', 'J', 'A', 'S', 'j', 'e', 'n', 'V', 'r', 'E', 'F', 'Q', '/', 'f'].map((s, i) => ann(1000 * (i + 1), s));
    const test = ref.map((a) => ann(a.sample, 'N'));
    expect(cells(compareBeats(ref, test, opts))).toEqual({ Nn: 4, Sn: 7, Vn: 3, Fn: 1, Qn: 3 });
    expect(cells(compareBeats(ref, test, { ...opts, mapping: 'aami' }))).toEqual({ Nn: 6, Sn: 5, Vn: 3, Fn: 1, Qn: 3 });
  });

  it('ignores non-beat annotations and compares classifier outputs labelled N S V F Q', () => {
    const ref = [ann(1000, 'N'), ann(1500, '+'), ann(2000, 'A'), ann(3000, 'V'), ann(3500, '|'), ann(4000, 'F'), ann(5000, 'Q')];
    const test = [ann(1000, 'N'), ann(2000, 'S'), ann(3000, 'V'), ann(4000, 'F'), ann(5000, 'Q'), ann(5200, '"')];
    expect(cells(compareBeats(ref, test, opts))).toEqual({ Nn: 1, Ss: 1, Vv: 1, Ff: 1, Qq: 1 });
  });
});

describe('bxb test period', () => {
  const fs = 360;
  const start = 108000; // 5 minutes

  it('starts at 5 minutes by default: beats before 108000 are not counted', () => {
    const ref = [ann(107000), ann(107999), ann(108000), ann(108300), ann(200000)];
    const c = compareBeats(ref, ref, { fs, recordLength: 650000 });
    expect(c.start).toBe(start);
    expect(cells(c)).toEqual({ Nn: 3 });
    const whole = compareBeats(ref, ref, { fs, recordLength: 650000, startSeconds: 0 });
    expect(cells(whole)).toEqual({ Nn: 5 });
  });

  it('pairs a test beat just before the start with the first reference beat after it', () => {
    const c = compareBeats([ann(108010), ann(108400)], [ann(107990), ann(108400)], { fs, recordLength: 650000 });
    expect(cells(c)).toEqual({ Nn: 2 });
  });

  it('skips an unmatched test beat just after the start when the next one matches better', () => {
    // t=108020 is within the window after the start; the reference beat at 108100 is closer to t'=108100.
    const c = compareBeats([ann(108100), ann(108500)], [ann(108020), ann(108100), ann(108500)], { fs, recordLength: 650000 });
    expect(cells(c)).toEqual({ Nn: 2 });
  });

  it('stops at the record length, and --from-minute moves the start', () => {
    const ref = train(10, 1000, 1000);
    expect(cells(compareBeats(ref, ref, { fs: 1000, startSeconds: 0, recordLength: 5500 }))).toEqual({ Nn: 5 });
    expect(cells(compareBeats(ref, ref, { fs: 1000, startSeconds: 3 }))).toEqual({ Nn: 8 });
    expect(() => compareBeats(ref, ref, { fs: 1000, startSeconds: 3, recordLength: 2000 })).toThrow(/improper interval/);
  });
});

describe('bxb noise (shutdown) and ventricular flutter', () => {
  const opts = WHOLE(1000, 100000);

  it('pairs unmatched test beats inside reference shutdown with X (counted as false positives)', () => {
    const ref = [ann(1000), ann(2000), ann(2500, '~', -1), ann(4500, '~', 0), ann(5000), ann(6000)];
    const test = [ann(1000), ann(2000), ann(3000), ann(4000), ann(5000), ann(6000)];
    const c = compareBeats(ref, test, opts);
    expect(cells(c)).toEqual({ Nn: 4, Xn: 2 });
    expect(beatCounts(c.counts).qrsFP).toBe(2);
  });

  it('a noise annotation without bits 4 and 5 (one signal noisy) is not a shutdown', () => {
    const ref = [ann(1000), ann(2500, '~', 1), ann(4500, '~', 0), ann(6000)];
    const test = [ann(1000), ann(3000), ann(6000)];
    expect(cells(compareBeats(ref, test, opts))).toEqual({ Nn: 2, On: 1 });
  });

  it('pairs missed reference beats inside test shutdown with x, and tallies the shutdown time', () => {
    const ref = train(6, 1000, 1000);
    const test = [ann(1000), ann(2000), ann(2500, '~', -1), ann(4600, '~', 0), ann(5000), ann(6000)];
    const c = compareBeats(ref, test, opts);
    expect(cells(c)).toEqual({ Nn: 4, Nx: 2 });
    // 0.5 s (rounding) + 2.1 s of shutdown → 2 s.
    expect(c.shutdownSeconds).toBe(2);
  });

  it('does not count reference annotations inside [ ] nor test beats there', () => {
    const ref = [ann(1000), ann(2000, '['), ann(2500, '!'), ann(3000, '!'), ann(4000, ']'), ann(5000)];
    const test = [ann(1000), ann(2500), ann(3100), ann(5000)];
    expect(cells(compareBeats(ref, test, opts))).toEqual({ Nn: 2 });
  });
});

describe('bxb RR error', () => {
  it('is the RMS difference of reference and test RR intervals over pairs, in ms', () => {
    const ref = train(5, 1000, 1000);
    const test = [ann(1000), ann(2010), ann(3000), ann(4000), ann(5000)];
    const c = compareBeats(ref, test, WHOLE(1000, 10000));
    // Pairs 2..5 have both intervals valid: RR−rr = −10, +10, 0, 0.
    expect(c.rrErrorCount).toBe(4);
    expect(c.rrErrorSumSquares).toBe(200);
    expect(recordStatistics(c).rrErrorMs).toBeCloseTo(Math.sqrt(50), 10);
  });
});

describe('sumstats aggregation', () => {
  const opts = WHOLE(1000, 1_000_000);
  // Record A: 100 N beats, 10 missed; 10 S beats found as S; 2 F beats called S.
  const refA = [...train(100, 1000, 1000), ...train(10, 200500, 1000, 'A'), ann(300500, 'F'), ann(301500, 'F')].sort((x, y) => x.sample - y.sample);
  const testA = refA.filter((a, i) => !(a.symbol === 'N' && i % 10 === 3)).map((a) => ann(a.sample, a.symbol === 'A' || a.symbol === 'F' ? 'S' : 'N'));
  // Record B: 10 N beats, all found; 1 V found as V.
  const refB = [...train(10, 1000, 1000), ann(20000, 'V')];
  const a = compareBeats(refA, testA, opts);
  const b = compareBeats(refB, refB, opts);

  it('per record, bxb counts Fs as an SVEB false positive', () => {
    expect(cells(a)).toEqual({ Nn: 90, No: 10, Ss: 10, Fs: 2 });
    expect(recordStatistics(a).svebPositivePredictivity).toBeCloseTo((100 * 10) / 12, 10);
  });

  it('gross sums counts before the ratio, average means per-record ratios; sumstats drops Fs from S +P', () => {
    const s = summarizeRecords([a, b]);
    expect(s.records).toBe(2);
    expect(s.gross.qrsSensitivity).toBeCloseTo((100 * (102 + 11)) / (112 + 11), 10);
    expect(s.average.qrsSensitivity).toBeCloseTo((100 * (102 / 112 + 1)) / 2, 10);
    expect(s.gross.svebPositivePredictivity).toBe(100);
    // Only record A has SVEBs, only B has VEBs: averages are over those records alone.
    expect(s.average.svebSensitivity).toBe(100);
    expect(s.average.vebSensitivity).toBe(100);
    expect(s.totalQrs).toBe(123);
    expect(s.totalVeb).toBe(1);
    expect(s.totalSveb).toBe(10);
    expect(s.sum.Fs).toBe(2);
    // The counts behind the gross figures: S +P's false positives leave Fs out, as sumstats does.
    const g = grossBeatCounts(s.counts);
    expect(g).toEqual({ vebTP: 1, vebFN: 0, vebFP: 0, vebTN: 112, svebTP: 10, svebFN: 0, svebFP: 0 });
    expect(beatCounts(s.counts).svebFP).toBe(2);
  });

  it('prints bxb -L lines and the sumstats footer in WFDB layout', () => {
    const line = formatBxbLine('A', a);
    const fields = line.trim().split(/\s+/);
    // record + 19 counts + 6 statistics + RR error
    expect(fields).toHaveLength(27);
    expect(fields.slice(0, 20)).toEqual(['A', '90', '0', '0', '0', '0', '0', '10', '0', '2', '0', '0', '0', '0', '0', '0', '10', '0', '0', '0']);
    expect(fields.slice(20, 26)).toEqual(['91.07', '100.00', '-', '-', '100.00', '83.33']);
    expect(line.length).toBe(`${'x'.repeat(83)}${' '.repeat(7 * 6)}${' '.repeat(7)}`.length);
    const foot = formatSumstatsFooter(summarizeRecords([a, b]));
    const gross = foot.find((l) => l.startsWith('Gross'))!;
    expect(gross.slice(0, 83).trim()).toBe('Gross');
    expect(gross.slice(83).trim().split(/\s+/)).toEqual(['91.87', '100.00', '100.00', '100.00', '100.00', '100.00']);
    expect(BXB_LINE_HEADER.startsWith("Record Nn' Sn'")).toBe(true);
  });

  it('rounds like C printf: exact ties to even', () => {
    expect(formatFixed(12.125, 2)).toBe('12.12');
    expect(formatFixed(12.375, 2)).toBe('12.38');
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(1.5, 0)).toBe('2');
    expect(formatFixed(1.005, 2)).toBe('1.00'); // 1.005 is stored just below 1.005
    expect(formatFixed(83.33333333, 2)).toBe('83.33');
    expect(formatFixed(100, 2)).toBe('100.00');
  });
});

describe('in-memory classifier output', () => {
  it('turns beat samples and AAMI class indices into annotations bxb reads as N S V F Q', () => {
    const ref = [ann(1000, 'N'), ann(2000, 'A'), ann(3000, 'V'), ann(4000, 'F'), ann(5000, '/')];
    const test = beatsToAnnotations(Int32Array.from([1000, 2000, 3000, 4000, 5000]), Uint8Array.from([0, 1, 2, 3, 4]));
    expect(test.map((a) => a.symbol).join('')).toBe('NSVFQ');
    expect(cells(compareBeats(ref, test, WHOLE(1000, 10000)))).toEqual({ Nn: 1, Ss: 1, Vv: 1, Ff: 1, Qq: 1 });
    expect(beatsToAnnotations([5]).map((a) => a.symbol)).toEqual(['N']);
  });
});

describe('bxb labels table', () => {
  it('has rows N S V F Q O X', () => {
    expect(BXB_LABELS.join('')).toBe('NSVFQOX');
    const l: BxbLabel = 'X';
    expect(BXB_LABELS).toContain(l);
  });
});
