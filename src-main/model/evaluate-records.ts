/**
 * Score a model as a user would: classify each record (`classify --beats atr` in-process), write the beat labels
 * as WFDB annotations, then run the EC57 bxb-style evaluation (evaluation/ec57) over them. The figures reported
 * are the AAMI-class ones of de Chazal et al. 2004: per-class Se and +P of N, S, V, F, accuracy and macro-F1 over
 * the whole record (bxb -f 0) with the AAMI symbol table, plus EC57's own gross VEB/SVEB statistics.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { annotationCode, type Annotation } from '../domain/annotation.js';
import { evaluateRecords } from '../evaluation/ec57/index.js';
import { openRecording } from '../formats/index.js';
import { writeWfdbAnnotationFile } from '../formats/wfdb/index.js';
import { classifyRecording, type ClassifiedBeats, type ClassifyOptions } from './classify.js';
import type { LoadedModel } from './io.js';

/** The MIT symbol written for each AAMI class (EC57 maps them back to the same class). */
export const SYMBOL_OF_CLASS: Readonly<Record<string, string>> = { N: 'N', S: 'S', V: 'V', F: 'F', Q: 'Q' };

export function beatAnnotations(c: ClassifiedBeats): Annotation[] {
  return Array.from(c.samples, (sample, i) => {
    const symbol = SYMBOL_OF_CLASS[c.classes[c.predicted[i]]];
    return { sample, symbol, code: annotationCode(symbol) ?? 0, subtype: 0, chan: 0, num: 0, aux: '' };
  });
}

export interface ClassFigures { se: number | null; ppv: number | null; f1: number | null; support: number }

export interface RecordsEvaluation {
  records: string[];
  annotator: string;
  /** AAMI-class confusion, rows reference N S V F (Q rows/cols excluded from the figures), columns predicted n s v f q. */
  confusion: number[][];
  perClass: Record<'N' | 'S' | 'V' | 'F', ClassFigures>;
  accuracy: number | null;
  macroF1: number | null;
  /** EC57 gross statistics from minute 5 (bxb defaults): VEB and SVEB Se / +P. */
  ec57Gross: { vebSe: number | null; vebPpv: number | null; svebSe: number | null; svebPpv: number | null };
}

const CLS = ['N', 'S', 'V', 'F'] as const;

/** From a summed bxb 7×7 matrix (rows N S V F Q O X, cols n s v f q o x). */
export function figuresFromCounts(counts: Int32Array): Omit<RecordsEvaluation, 'records' | 'annotator' | 'ec57Gross'> {
  const at = (r: number, c: number): number => counts[r * 7 + c];
  const confusion = CLS.map((_, r) => [0, 1, 2, 3, 4].map((c) => at(r, c)));
  const perClass = {} as Record<'N' | 'S' | 'V' | 'F', ClassFigures>;
  let correct = 0;
  let total = 0;
  const f1s: number[] = [];
  CLS.forEach((c, k) => {
    const tp = at(k, k);
    const support = [0, 1, 2, 3, 4].reduce((a, j) => a + at(k, j), 0);
    const predicted = [0, 1, 2, 3, 4].reduce((a, i) => a + at(i, k), 0);
    const se = support ? (100 * tp) / support : null;
    const ppv = predicted ? (100 * tp) / predicted : null;
    const f1 = se !== null && ppv !== null && se + ppv > 0 ? (2 * se * ppv) / (se + ppv) : se !== null ? 0 : null;
    perClass[c] = { se, ppv, f1, support };
    if (f1 !== null) f1s.push(f1);
    correct += tp;
    total += support;
  });
  return { confusion, perClass, accuracy: total ? (100 * correct) / total : null, macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : null };
}

/** Classify `recordPaths`, write `<outDir>/<record>.<annotator>`, and evaluate them against `atr`. */
export async function evaluateModelOnRecords(models: LoadedModel[], recordPaths: readonly string[], outDir: string, opts: ClassifyOptions & { annotator?: string; onRecord?: (name: string, i: number) => void } = {}): Promise<RecordsEvaluation> {
  const annotator = opts.annotator ?? 'cls';
  await mkdir(outDir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < recordPaths.length; i++) {
    const src = await openRecording(recordPaths[i]);
    try {
      opts.onRecord?.(src.info.name, i);
      const c = await classifyRecording(src, models, { beats: opts.beats ?? 'atr', lead: opts.lead });
      await writeWfdbAnnotationFile(join(outDir, `${src.info.name}.${annotator}`), beatAnnotations(c));
      names.push(src.info.name);
    } finally {
      await src.close();
    }
  }
  const whole = await evaluateRecords(recordPaths, { test: join(outDir, `{record}.${annotator}`), whole: true, mapping: 'aami', includePaced: true });
  const std = await evaluateRecords(recordPaths, { test: join(outDir, `{record}.${annotator}`) });
  const g = std.summary.gross;
  return {
    records: names, annotator, ...figuresFromCounts(whole.summary.counts),
    ec57Gross: { vebSe: g.vebSensitivity, vebPpv: g.vebPositivePredictivity, svebSe: g.svebSensitivity, svebPpv: g.svebPositivePredictivity },
  };
}
