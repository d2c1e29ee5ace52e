import { BXB_LABELS, BXB_LINE_HEADER, evaluateRecords, formatBxbLine, formatBxbTable, formatFixed, formatRxrLine, formatSumstatsFooter, lineColumns, runByRunCounts, RXR_LINE_HEADER, summarizeRunByRun, type ClassMapping, type Ec57Report } from '../../evaluation/ec57/index.js';
import { calibrationText, triageText } from '../../evaluation/calibration.js';
import type { AfAgreement } from '../../domain/holter.js';
import { CliError, numberFlag, stringFlag } from '../args.js';
import { recordPaths } from '../records.js';
import type { Command } from '../command.js';
import { FIGURE_CLASSES, figureIntervals, figuresFromCounts, grossIntervals, macroF1NSV, type FigureIntervals } from '../../evaluation/class-figures.js';

/** The class figures of the summed matrix (de Chazal's table), with record-bootstrap intervals. */
function classFigures(r: Ec57Report, draws: number): ReturnType<typeof figuresFromCounts> & { macroF1NSV: number | null; intervals: FigureIntervals } {
  const f = figuresFromCounts(r.summary.counts);
  return { ...f, macroF1NSV: macroF1NSV(f), intervals: figureIntervals(r.records.map((x) => x.comparison.counts), { draws }) };
}

function grossText(r: Ec57Report, draws: number): string[] {
  const g = grossIntervals(r.records.map((x) => x.comparison.counts), { draws });
  const cell = (k: keyof typeof g.intervals): string => { const iv = g.intervals[k]; return `${pct(r.summary.gross[k])} (${iv ? `${pct(iv.lo)}–${pct(iv.hi)}` : '-'})`; };
  return ['', `Gross statistics with ${Math.round(g.level * 100)} % intervals (${g.method}):`,
    `QRS Se ${cell('qrsSensitivity')}  +P ${cell('qrsPositivePredictivity')}`,
    `VEB Se ${cell('vebSensitivity')}  +P ${cell('vebPositivePredictivity')}`,
    `SVEB Se ${cell('svebSensitivity')}  +P ${cell('svebPositivePredictivity')}`];
}

function classFiguresText(c: ReturnType<typeof classFigures>, mapping: ClassMapping): string[] {
  const iv = c.intervals.intervals;
  const cell = (v: number | null, i: { lo: number; hi: number } | null): string => `${pct(v)} (${i ? `${pct(i.lo)}–${pct(i.hi)}` : '-'})`.padEnd(24);
  return [
    '',
    `Class figures over all records (${mapping} class mapping), each with its ${Math.round(c.intervals.level * 100)} % interval (${c.intervals.method}):`,
    `class  ${'Se %'.padEnd(24)}${'+P %'.padEnd(24)}beats`,
    ...FIGURE_CLASSES.map((k) => `${k.padEnd(7)}${cell(c.perClass[k].se, iv[`${k}.se`])}${cell(c.perClass[k].ppv, iv[`${k}.ppv`])}${c.perClass[k].support}`),
    `accuracy ${cell(c.accuracy, iv.accuracy).trim()}  macro-F1 (N,S,V) ${cell(c.macroF1NSV, iv.macroF1NSV).trim()}`,
  ];
}

const pct = (x: number | null, digits = 2): string => (x === null ? '-' : formatFixed(x, digits));

function matrixJson(counts: Int32Array): { rows: string[]; columns: string[]; counts: number[][] } {
  return {
    rows: [...BXB_LABELS],
    columns: BXB_LABELS.map((l) => l.toLowerCase()),
    counts: BXB_LABELS.map((_, i) => Array.from(counts.subarray(i * 7, i * 7 + 7))),
  };
}

function toJson(r: Ec57Report, mapping: ClassMapping, ciDraws?: number): unknown {
  return {
    reference: r.reference,
    test: r.test,
    startSeconds: r.startSeconds,
    mapping,
    records: r.records.map((x) => ({
      record: x.record,
      path: x.path,
      testFile: x.testFile,
      fs: x.comparison.fs,
      startSample: x.comparison.start,
      endSample: x.comparison.end,
      matchWindowSamples: x.comparison.matchWindow,
      matrix: matrixJson(x.comparison.counts),
      lineColumns: lineColumns(x.comparison.counts),
      statistics: x.statistics,
      rrErrorPairs: x.comparison.rrErrorCount,
      shutdownSeconds: x.comparison.shutdownSeconds,
      ...(x.comparison.discrepancies ? { discrepancies: x.comparison.discrepancies } : {}),
      ...(x.runs ? { runs: ((f) => ({ ve: { ...x.runs!.ve, ...f.ve }, sve: { ...x.runs!.sve, ...f.sve } }))(summarizeRunByRun([x.runs])) } : {}),
      ...(x.af ? { af: x.af } : {}),
    })),
    skipped: r.skipped,
    summary: {
      records: r.summary.records,
      sum: r.summary.sum,
      matrix: matrixJson(r.summary.counts),
      gross: r.summary.gross,
      average: r.summary.average,
      totalQrs: r.summary.totalQrs,
      totalVeb: r.summary.totalVeb,
      totalSveb: r.summary.totalSveb,
      ...(r.runTotals ? { runs: r.runTotals } : {}),
      ...(r.calibration ? { calibration: r.calibration } : {}),
      ...(r.afTotals ? { af: r.afTotals } : {}),
      ...(ciDraws && r.records.length ? { grossIntervals: grossIntervals(r.records.map((x) => x.comparison.counts), { draws: ciDraws }), classFigures: classFigures(r, ciDraws) } : {}),
    },
  };
}

/** rxr -L lines per record, the Sum line and gross percentages (one decimal) for VE or SVE runs. */
function runsText(r: Ec57Report, kind: 've' | 'sve', name: string): string[] {
  const t = r.runTotals![kind];
  const cell = (x: number | null): string => (x === null ? '-' : formatFixed(100 * x, 1));
  return ['', `${name} run-by-run comparison (EC57, as WFDB rxr -L): couplets (C), short runs of 3–5 (S), long runs of 6 or more (L)`, RXR_LINE_HEADER,
    ...r.records.map((x) => formatRxrLine(x.record, runByRunCounts(x.runs![kind]))),
    formatRxrLine('Sum', t),
    `Gross: couplet Se ${cell(t.coupletSe)} +P ${cell(t.coupletPpv)}, short run Se ${cell(t.shortRunSe)} +P ${cell(t.shortRunPpv)}, long run Se ${cell(t.longRunSe)} +P ${cell(t.longRunPpv)}`];
}

/** The test's AF episodes against the reference's rhythm annotations, per record and pooled (EC57's AF idea, as epicmp -a). */
function afText(r: Ec57Report, from: string): string[] {
  const p = (v: number | null): string => (v === null ? '-' : formatFixed(v, 1));
  const line = (name: string, a: AfAgreement): string => `${name.padEnd(8)} ${formatFixed(a.referenceSeconds / 60, 1).padStart(8)} ${formatFixed(a.foundSeconds / 60, 1).padStart(8)} ${p(a.durationSe).padStart(6)} ${p(a.durationPpv).padStart(6)} ${`${a.referenceEpisodesFound}/${a.referenceEpisodes}`.padStart(9)} ${`${a.foundEpisodesTrue}/${a.foundEpisodes}`.padStart(9)}`;
  return ['', `Atrial fibrillation: the test's (AF rhythm annotations against the reference's (AFIB/(AFL, from ${from} (duration Se and +P in %; episodes: reference ones overlapped, test ones that lie in AF)`,
    'Record    ref min  test min  dur Se dur +P  ref found test true',
    ...r.records.flatMap((x) => (x.af ? [line(x.record, x.af)] : [])),
    line('Gross', r.afTotals!)];
}

function toText(r: Ec57Report, mapping: ClassMapping, matrices: boolean, ciDraws?: number): string {
  const from = r.startSeconds === 0 ? 'the start of each record' : `${Math.floor(r.startSeconds / 60)}:${String(r.startSeconds % 60).padStart(2, '0')}`;
  const lines = [
    `Beat-by-beat comparison (ANSI/AAMI EC57, as WFDB bxb -L / sumstats): reference '${r.reference}', test '${r.test}', from ${from}, ${mapping} class mapping`,
    '',
    BXB_LINE_HEADER,
    ...r.records.map((x) => formatBxbLine(x.record, x.comparison)),
  ];
  if (r.records.length > 0) lines.push(...formatSumstatsFooter(r.summary));
  const g = r.summary.gross, a = r.summary.average;
  lines.push(
    '',
    `VEB false positive rate (bxb -l): gross ${pct(g.vebFalsePositiveRate, 3)}%  average ${pct(a.vebFalsePositiveRate, 3)}%`,
    `SVEB false positive rate (by analogy, not in WFDB): gross ${pct(g.svebFalsePositiveRate, 3)}%  average ${pct(a.svebFalsePositiveRate, 3)}%`,
  );
  if (ciDraws && r.records.length) lines.push(...grossText(r, ciDraws), ...classFiguresText(classFigures(r, ciDraws), mapping));
  if (r.runTotals) lines.push(...runsText(r, 've', 'VE'), ...runsText(r, 'sve', 'SVE'));
  if (r.afTotals) lines.push(...afText(r, from));
  if (r.calibration) {
    lines.push('', `Calibration of the labels' confidence (classifier JSON output; ${r.calibration.beats} beats matched to an N, S, V or F reference beat, AAMI classes): ${calibrationText(r.calibration)}.`,
      `Review triage: ${triageText(r.calibration)}.`);
  }
  if (matrices) {
    for (const x of r.records) lines.push('', `Record ${x.record}`, ...formatBxbTable(x.comparison.counts));
    if (r.records.length > 1) lines.push('', `All ${r.records.length} records`, ...formatBxbTable(r.summary.counts));
  }
  const shut = r.records.filter((x) => x.comparison.shutdownSeconds > 0);
  if (shut.length) lines.push(`Test shutdown: ${shut.map((x) => `${x.record} ${x.comparison.shutdownSeconds} s`).join(', ')}`);
  for (const x of r.records) {
    for (const d of x.comparison.discrepancies ?? []) lines.push(`${x.record} ${d.ref}(${d.refSample})/${d.test}(${d.testSample})`);
  }
  if (r.skipped.length) lines.push(`Skipped: ${r.skipped.map((s) => `${s.record} (${s.reason})`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  name: 'evaluate',
  usage: 'ecg-review evaluate --test <annotator|file|dir|pattern> [--ref atr] [--db <dir>] <record...> [--json] [--whole] [--from-minute M] [--include-paced] [--mapping bxb|aami] [--ci [--ci-draws B]] [--runs]',
  summary: [
    'Compare test beat annotations with reference annotations beat by beat, as ANSI/AAMI EC57 and WFDB bxb do',
    '(150 ms match window, first 5 minutes excluded unless --whole), per record in bxb -L line format, then gross',
    'and average statistics as sumstats prints them. Records are WFDB record paths (e.g. data/mitdb/100).',
    'Paced records 102, 104, 107 and 217 are skipped unless --include-paced.',
    '',
    'Where the test annotations are (--test):',
    '  an annotator name, e.g. qrs      read <record>.qrs beside the record',
    '  a path containing {record}       e.g. out/{record}.qrs, expanded with each record name',
    '  a directory                      must hold exactly one <record>.<ext> annotation file per record',
    '                                   (as written by ecg-review detect --format wfdb --out <dir>/<record>.qrs)',
    '  an annotation file               only with a single record',
    'With --db <dir>, records are names inside <dir>; all, ds1 and ds2 stand for the MIT-BIH record sets',
    "(de Chazal's inter-patient DS1/DS2), e.g. ecg-review evaluate --db data/mitdb --test out ds2.",
    'Classifier outputs labelled N, S, V, F, Q evaluate the same way (Q is bxb class Q). Given as classify --format json',
    "files (e.g. --test 'out/{record}.json'), their probabilities also give the calibration of the labels' confidence",
    '(ECE, MCE, Brier, one-vs-rest ECE, review triage) over the beats matched to an N, S, V or F reference beat.',
    "--ci gives the gross QRS, VEB and SVEB Se and +P, and de Chazal's class figures of the summed matrix (N, S, V,",
    'F Se and +P, accuracy, macro-F1), each with a 95 % interval from a bootstrap over records (whole records',
    'resampled: beats of one patient are not independent).',
    '--runs adds the run-by-run comparison of EC57 as WFDB rxr makes it: ventricular (V, F) and supraventricular (S)',
    'couplets, short runs (3–5) and long runs (≥ 6, VF/AF episodes included), Se and +P per record and gross.',
    'E.g. ecg-review evaluate --db data/mitdb --test out ds2 --whole --mapping aami --ci.',
  ].join('\n'),
  flags: {
    ref: { type: 'string', description: 'reference annotator (default atr)' },
    test: { type: 'string', description: 'test annotations: annotator name, file, directory or path with {record}' },
    json: { type: 'boolean', description: 'JSON output: per-record matrices and statistics, gross and average' },
    whole: { type: 'boolean', description: 'compare from the first sample (bxb -f 0) instead of from 5 minutes' },
    'from-minute': { type: 'string', description: 'start of the comparison in minutes (default 5)' },
    'include-paced': { type: 'boolean', description: 'keep the paced records 102, 104, 107, 217' },
    mapping: { type: 'string', description: "class table: bxb (default; j, e are S) or aami (EC57 table; j, e are N)" },
    'match-window': { type: 'string', description: 'match window in seconds (default 0.15; other values are not EC57)' },
    discrepancies: { type: 'boolean', description: 'list every pair whose labels differ, as bxb -v does' },
    matrix: { type: 'boolean', description: "also print each record's bxb -S confusion table (and the summed one)" },
    db: { type: 'string', description: 'directory of the records: then <record> is a name, and all, ds1, ds2 name MIT-BIH sets' },
    ci: { type: 'boolean', description: 'gross statistics and class figures with 95 % record-bootstrap intervals' },
    'ci-draws': { type: 'string', description: 'bootstrap draws for --ci (default 2000, seed 1)' },
    runs: { type: 'boolean', description: 'also compare run by run (WFDB rxr): VE and SVE couplets, short runs, long runs' },
  },
  async run({ positionals, flags }, io) {
    const test = stringFlag(flags, 'test');
    if (!test) throw new CliError("evaluate needs --test <annotator|file|dir|pattern> (see 'ecg-review evaluate --help')");
    if (positionals.length === 0) throw new CliError('evaluate needs at least one <record>');
    const db = stringFlag(flags, 'db');
    const records = recordPaths(positionals, db);
    const mapping = (stringFlag(flags, 'mapping') ?? 'bxb') as ClassMapping;
    if (mapping !== 'bxb' && mapping !== 'aami') throw new CliError(`--mapping must be bxb or aami, got '${mapping}'`);
    const fromMinute = numberFlag(flags, 'from-minute');
    if (fromMinute !== undefined && flags.whole) throw new CliError('--whole and --from-minute are exclusive');
    if (fromMinute !== undefined && fromMinute < 0) throw new CliError(`--from-minute must be ≥ 0, got ${fromMinute}`);
    const matchWindowSeconds = numberFlag(flags, 'match-window');
    if (matchWindowSeconds !== undefined && !(matchWindowSeconds > 0)) throw new CliError(`--match-window must be positive, got ${matchWindowSeconds}`);
    const ciDrawsFlag = numberFlag(flags, 'ci-draws');
    if (ciDrawsFlag !== undefined && !flags.ci) throw new CliError('--ci-draws needs --ci');
    if (ciDrawsFlag !== undefined && !(Number.isInteger(ciDrawsFlag) && ciDrawsFlag >= 100)) throw new CliError(`--ci-draws must be an integer ≥ 100, got ${ciDrawsFlag}`);
    const ciDraws = flags.ci ? ciDrawsFlag ?? 2000 : undefined;
    const report = await evaluateRecords(records, {
      reference: stringFlag(flags, 'ref'),
      test,
      whole: flags.whole === true,
      fromMinute,
      includePaced: flags['include-paced'] === true,
      mapping,
      matchWindowSeconds,
      listDiscrepancies: flags.discrepancies === true,
      runs: flags.runs === true,
    });
    if (report.records.length === 0) io.err('ecg-review evaluate: every record was skipped (paced records need --include-paced)');
    await io.out(flags.json ? `${JSON.stringify(toJson(report, mapping, ciDraws), null, 1)}\n` : toText(report, mapping, flags.matrix === true, ciDraws));
    return report.records.length === 0 ? 1 : 0;
  },
};
