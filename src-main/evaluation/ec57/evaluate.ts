/**
 * EC57 evaluation of a set of records: read each record's reference and test annotations, compare them as bxb
 * does, and summarise as sumstats does. Records with paced beats (MIT-BIH 102, 104, 107, 217) are left out by
 * default, as EC57 allows (its reporting requirements exclude paced records).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AfAgreement, AfEpisode } from '../../domain/holter.js';
import { afAgreement, clipEpisodes, hasRhythmAnnotations, poolAfAgreements, referenceAfEpisodes } from '../af-episodes.js';
import { AAMI_CLASSES, aamiClassOf } from '../../domain/aami.js';
import { isBeatSymbol, type Annotation } from '../../domain/annotation.js';
import { MITDB_PACED_RECORDS } from '../../domain/mitdb.js';
import { openRecording, readAnnotations } from '../../formats/index.js';
import { readWfdbAnnotationFile } from '../../formats/wfdb/index.js';
import { CalibrationPool, type CalibrationFigures } from '../calibration.js';
import { classifierAnnotations, readClassifierOutput, type ClassifierOutput } from '../classifier-output.js';
import { EvaluationError } from '../errors.js';
import { matchBeats } from '../match-beats.js';
import { compareBeats, type BxbComparison, type BxbOptions } from './compare.js';
import { recordStatistics, summarizeRecords, type BeatStatistics, type Ec57Summary } from './stats.js';
import { compareRunByRun, summarizeRunByRun, type RunByRunComparison, type RunByRunFigures } from './runs.js';



export interface EvaluateOptions extends Pick<BxbOptions, 'mapping' | 'matchWindowSeconds' | 'listDiscrepancies'> {
  /** Reference annotator (default `atr`). */
  reference?: string;
  /**
   * Test annotations: an annotator name (`qrs` → `<record>.qrs`), a path containing `{record}` (expanded with
   * each record's name), a directory (holding exactly one `<record>.<ext>` annotation file per record), or —
   * for a single record — an annotation file. A `.json` file is `classify --format json` output, whose
   * probabilities also give the report's `calibration`.
   */
  test: string;
  /** Start of the test period in minutes; default 5 (bxb's default). Ignored when `whole` is set. */
  fromMinute?: number;
  /** Compare from the first sample (bxb -f 0). */
  whole?: boolean;
  /** Keep records with paced beats (102, 104, 107, 217). */
  includePaced?: boolean;
  /** Also compare run by run (WFDB rxr): VE and SVE couplets, short and long runs. */
  runs?: boolean;
}

export interface RecordResult {
  record: string;
  path: string;
  testFile: string;
  comparison: BxbComparison;
  statistics: BeatStatistics;
  /** Run-by-run comparison (rxr), when asked for. */
  runs?: RunByRunComparison;
  /**
   * AF episodes of the test (its `(AF…` rhythm annotations, or a classifier JSON's `afEpisodes`) against the
   * reference's, over the compared period; when both have rhythm annotations.
   */
  af?: AfAgreement;
}

export interface Ec57Report {
  reference: string;
  test: string;
  startSeconds: number;
  records: RecordResult[];
  skipped: { record: string; reason: string }[];
  summary: Ec57Summary;
  /** rxr counts summed over the records (sumstats' Sum line) and their gross Se / +P, VE and SVE, when runs were compared. */
  runTotals?: { ve: RunByRunFigures; sve: RunByRunFigures };
  /**
   * When every test file is classifier JSON output (with probabilities): the calibration of the labels' confidence
   * over the test beats matched to an N, S, V or F reference beat in the compared period, all records pooled.
   */
  calibration?: CalibrationFigures;
  /** The records' AF agreements pooled (seconds and episodes summed), when any record has one. */
  afTotals?: AfAgreement;
}

const NOT_ANNOTATIONS = new Set(['hea', 'dat', 'mat', 'xws', 'json', 'csv', 'txt', 'edf', 'md']);

async function isDirectory(p: string): Promise<boolean> {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}
async function isFile(p: string): Promise<boolean> {
  try { return (await stat(p)).isFile(); } catch { return false; }
}

/**
 * Where the test annotations of one record are, by the rule documented on `EvaluateOptions.test`; undefined
 * means "annotator name, read beside the record".
 */
export async function resolveTestAnnotationFile(test: string, recordName: string, recordCount: number): Promise<string | undefined> {
  if (test.includes('{record}')) return test.split('{record}').join(recordName);
  if (await isDirectory(test)) {
    const prefix = `${recordName}.`;
    const candidates = (await readdir(test))
      .filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('.') && !NOT_ANNOTATIONS.has(f.slice(prefix.length).toLowerCase()));
    if (candidates.length === 0) throw new EvaluationError(`no test annotation file ${recordName}.<ext> in this directory`, test);
    if (candidates.length > 1) {
      throw new EvaluationError(`several test annotation files for record ${recordName} (${candidates.sort().join(', ')}); name one with --test '${join(test, '{record}')}.<ext>'`, test);
    }
    return join(test, candidates[0]);
  }
  if (test.includes('/') || (await isFile(test))) {
    if (recordCount > 1) throw new EvaluationError(`a single test annotation file cannot serve ${recordCount} records; give a directory, an annotator name or a path with {record}`, test);
    return test;
  }
  return undefined;
}

/** Compare and summarise; the records are WFDB record paths (or anything `openRecording` opens). */
export async function evaluateRecords(recordPaths: readonly string[], options: EvaluateOptions): Promise<Ec57Report> {
  if (recordPaths.length === 0) throw new EvaluationError('no records to evaluate');
  const reference = options.reference ?? 'atr';
  const startSeconds = options.whole ? 0 : 60 * (options.fromMinute ?? 5);
  if (!(startSeconds >= 0)) throw new EvaluationError(`the start minute must be ≥ 0, got ${options.fromMinute}`);
  const paced = new Set<string>(MITDB_PACED_RECORDS);
  const records: RecordResult[] = [];
  const skipped: Ec57Report['skipped'] = [];
  const calibration = new CalibrationPool();
  let everyWithProbabilities = true;
  for (const path of recordPaths) {
    const src = await openRecording(path);
    try {
      const name = src.info.name;
      if (paced.has(name) && !options.includePaced) {
        skipped.push({ record: name, reason: 'paced record (excluded by EC57; use --include-paced)' });
        continue;
      }
      const ref = await readAnnotations(src, reference);
      const testFile = await resolveTestAnnotationFile(options.test, name, recordPaths.length);
      let test: Annotation[];
      let testAf: AfEpisode[] | null = null;
      if (testFile?.toLowerCase().endsWith('.json')) {
        const out = await readClassifierOutput(testFile);
        test = classifierAnnotations(out);
        testAf = out.afEpisodes ?? null;
        poolMatchedBeats(calibration, ref, out, Math.round(startSeconds * src.info.fs), Math.round((options.matchWindowSeconds ?? 0.15) * src.info.fs), name);
      } else {
        everyWithProbabilities = false;
        test = testFile ? await readWfdbAnnotationFile(testFile) : await readAnnotations(src, options.test);
        if (hasRhythmAnnotations(test)) testAf = referenceAfEpisodes(test, src.info.fs, src.info.length);
      }
      const comparison = compareBeats(ref, test, {
        fs: src.info.fs,
        recordLength: src.info.length,
        startSeconds,
        matchWindowSeconds: options.matchWindowSeconds,
        mapping: options.mapping,
        listDiscrepancies: options.listDiscrepancies,
      });
      const runs = options.runs ? compareRunByRun(ref, test, { fs: src.info.fs, recordLength: src.info.length, startSeconds, matchWindowSeconds: options.matchWindowSeconds }) : undefined;
      const end = src.info.length / src.info.fs;
      const af = testAf && hasRhythmAnnotations(ref)
        ? afAgreement(reference, clipEpisodes(referenceAfEpisodes(ref, src.info.fs, src.info.length), startSeconds, end), clipEpisodes(testAf, startSeconds, end))
        : undefined;
      records.push({ record: name, path, testFile: testFile ?? `${name}.${options.test}`, comparison, statistics: recordStatistics(comparison), ...(runs ? { runs } : {}), ...(af ? { af } : {}) });
    } finally {
      await src.close();
    }
  }
  return {
    reference,
    test: options.test,
    startSeconds,
    records,
    skipped,
    summary: summarizeRecords(records.map((r) => r.comparison)),
    ...(options.runs ? { runTotals: summarizeRunByRun(records.flatMap((r) => (r.runs ? [r.runs] : []))) } : {}),
    ...(everyWithProbabilities && records.length ? { calibration: calibration.figures(options.test) ?? undefined } : {}),
    ...(records.some((r) => r.af) ? { afTotals: poolAfAgreements(reference, records.flatMap((r) => (r.af ? [r.af] : []))) } : {}),
  };
}

/** Classifier beats matched (EC57's window) to the reference's beats from `fromSample`, pooled for calibration. */
function poolMatchedBeats(pool: CalibrationPool, reference: readonly Annotation[], out: ClassifierOutput, fromSample: number, tol: number, record: string): void {
  const ref = reference.filter((a) => isBeatSymbol(a.symbol) && a.sample >= fromSample).sort((a, b) => a.sample - b.sample);
  const first = out.samples.findIndex((s) => s >= fromSample);
  if (first < 0) return;
  const samples = out.samples.subarray(first);
  const match = matchBeats(samples, Int32Array.from(ref, (a) => a.sample), tol);
  const K = AAMI_CLASSES.length;
  match.forEach((k, j) => {
    if (k < 0) return;
    const i = first + j;
    pool.add(aamiClassOf(ref[k].symbol), out.classes[i], (c) => out.probabilities[i * K + AAMI_CLASSES.indexOf(c)], record);
  });
}
