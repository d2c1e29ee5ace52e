/**
 * Text reports in the exact layout of `bxb -L` line-format output (app/bxb.c, print_results, fflag 5) and of
 * `sumstats` on such a file (app/sumstats.c, type 4), and of `rxr -L` lines (app/rxr.c), so that our report can be
 * diffed against WFDB's.
 */
import type { BxbComparison } from './compare.js';
import type { RunByRunCounts } from './runs.js';
import { formatFixed, lineColumns, recordStatistics, type Ec57Summary } from './stats.js';

export const BXB_LINE_HEADER =
  "Record Nn' Sn' Vn' Fn' On'  Ns  Ss  Vs  Fs' Os' Nv  Sv   Vv  Fv' Ov' No' So' Vo' Fo'  Q Se   Q +P   V Se   V +P   S Se   S +P RR err";

function ld(n: number, width: number): string {
  return String(n).padStart(width);
}

/** bxb's pstat in line mode: " %6.2f" or "      -". */
function stat(x: number | null, digits = 2): string {
  return x === null ? '      -' : ` ${formatFixed(x, digits).padStart(6)}`;
}

/** One bxb -L line (without newline). */
export function formatBxbLine(record: string, c: BxbComparison): string {
  const l = lineColumns(c.counts);
  const s = recordStatistics(c);
  const counts =
    `${record.padStart(4)} ${ld(l.Nn, 5)} ${ld(l.Sn, 3)} ${ld(l.Vn, 3)} ${ld(l.Fn, 3)} ${ld(l.On, 3)} ${ld(l.Ns, 3)} ${ld(l.Ss, 3)} ${ld(l.Vs, 3)} ${ld(l.Fs, 3)} ${ld(l.Os, 3)}` +
    ` ${ld(l.Nv, 3)} ${ld(l.Sv, 3)} ${ld(l.Vv, 4)} ${ld(l.Fv, 3)} ${ld(l.Ov, 3)} ${ld(l.No, 3)} ${ld(l.So, 3)} ${ld(l.Vo, 3)} ${ld(l.Fo, 3)}`;
  const stats = [s.qrsSensitivity, s.qrsPositivePredictivity, s.vebSensitivity, s.vebPositivePredictivity, s.svebSensitivity, s.svebPositivePredictivity]
    .map((x) => stat(x)).join('');
  const rr = s.rrErrorMs === null ? '     -' : ` ${formatFixed(s.rrErrorMs, 2).padStart(6)}`;
  return counts + stats + rr;
}

/** The lines sumstats appends after copying the records' lines. */
export function formatSumstatsFooter(sum: Ec57Summary): string[] {
  const s = sum.sum;
  const g = sum.gross;
  const a = sum.average;
  return [
    '_'.repeat(54 + 54 + 24),
    `Sum ${ld(s.Nn, 6)} ${ld(s.Sn, 3)} ${ld(s.Vn, 3)} ${ld(s.Fn, 3)} ${ld(s.On, 3)}` +
      ` ${ld(s.Ns, 3)} ${ld(s.Ss, 3)} ${ld(s.Vs, 3)} ${ld(s.Fs, 3)} ${ld(s.Os, 3)}` +
      ` ${ld(s.Nv, 3)} ${ld(s.Sv, 3)} ${ld(s.Vv, 4)} ${ld(s.Fv, 3)} ${ld(s.Ov, 3)}` +
      ` ${ld(s.No, 3)} ${ld(s.So, 3)} ${ld(s.Vo, 3)} ${ld(s.Fo, 3)}`,
    `Gross${' '.repeat(49)}${' '.repeat(29)}` +
      [g.qrsSensitivity, g.qrsPositivePredictivity, g.vebSensitivity, g.vebPositivePredictivity, g.svebSensitivity, g.svebPositivePredictivity].map((x) => stat(x)).join(''),
    `Average${' '.repeat(45)}${' '.repeat(31)}` +
      [a.qrsSensitivity, a.qrsPositivePredictivity, a.vebSensitivity, a.vebPositivePredictivity, a.svebSensitivity, a.svebPositivePredictivity, a.rrErrorMs].map((x) => stat(x)).join(''),
    `Total QRS complexes: ${sum.totalQrs}  Total VEBs: ${sum.totalVeb}  Total SVEBs: ${sum.totalSveb}`,
    '',
    `Summary of results from ${sum.records} record${sum.records === 1 ? '' : 's'}`,
  ];
}

/** bxb's standard-format table with SVEBs (`-S`, fflag 6): rows N S V F Q O X, columns n s v f q o x. */
export function formatBxbTable(counts: Int32Array): string[] {
  const cell = (r: number, c: number): string => ld(counts[r * 7 + c], 4);
  const row = (label: string, r: number, cols: number): string => ` ${label} | ${Array.from({ length: cols }, (_, c) => cell(r, c)).join(' ')}`;
  return [
    '               Algorithm',
    '        n    s    v    f    q    o    x',
    '   ____________________________________',
    row('N', 0, 7), row('S', 1, 7), row('V', 2, 7), row('F', 3, 7), row('Q', 4, 7),
    row('O', 5, 5), row('X', 6, 5),
  ];
}

/** rxr -l / -L line-format header (app/rxr.c, print_results, fflag 2/5). */
export const RXR_LINE_HEADER = 'Record CTs CFN CTp CFP STs SFN STp SFP LTs LFN LTp LFP  CSe C+P SSe S+P LSe L+P';

/** One rxr line: the twelve counts ("%3ld"), then each statistic as rxr's pstat prints it in line mode: " %3d" of
 * (int)(100·a/b + 0.5), or "   -". */
export function formatRxrLine(record: string, c: RunByRunCounts): string {
  const p = (a: number, b: number): string => (b <= 0 ? '   -' : ` ${String(Math.trunc((100 * a) / b + 0.5)).padStart(3)}`);
  const counts = [c.CTPs, c.CFN, c.CTPp, c.CFP, c.STPs, c.SFN, c.STPp, c.SFP, c.LTPs, c.LFN, c.LTPp, c.LFP].map((n) => ld(n, 3)).join(' ');
  return `${record.padStart(4)} ${counts} ${p(c.CTPs, c.CTPs + c.CFN)}${p(c.CTPp, c.CTPp + c.CFP)}${p(c.STPs, c.STPs + c.SFN)}${p(c.STPp, c.STPp + c.SFP)}${p(c.LTPs, c.LTPs + c.LFN)}${p(c.LTPp, c.LTPp + c.LFP)}`;
}
