/**
 * Score a model as a user would: classify each record (`classify --beats atr` in-process), write the beat labels
 * as WFDB annotations, then run the EC57 bxb-style evaluation (evaluation/ec57) over them. The figures reported
 * are the AAMI-class ones of de Chazal et al. 2004: per-class Se and +P of N, S, V, F, accuracy and macro-F1 over
 * the whole record (bxb -f 0) with the AAMI symbol table, plus EC57's own gross VEB/SVEB statistics.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { annotationCode, type Annotation } from '../domain/annotation.js';
import { CalibrationPool, type CalibrationFigures, type CalibrationUnits } from '../evaluation/calibration.js';
import { evaluateRecords, summarizeRunByRun, type RunByRunFigures } from '../evaluation/ec57/index.js';
import { openRecording } from '../formats/index.js';
import { writeWfdbAnnotationFile } from '../formats/wfdb/index.js';
import { classifyRecording, type ClassifiedBeats, type ClassifyOptions } from './classify.js';
import type { LoadedModel } from './io.js';
import { figureIntervals, figuresFromCounts, type Figures, type FigureIntervals } from '../evaluation/class-figures.js';

/** The MIT symbol written for each AAMI class (EC57 maps them back to the same class). */
export const SYMBOL_OF_CLASS: Readonly<Record<string, string>> = { N: 'N', S: 'S', V: 'V', F: 'F', Q: 'Q' };

export function beatAnnotations(c: ClassifiedBeats): Annotation[] {
  return Array.from(c.samples, (sample, i) => {
    const symbol = SYMBOL_OF_CLASS[c.classes[c.predicted[i]]];
    return { sample, symbol, code: annotationCode(symbol) ?? 0, subtype: 0, chan: 0, num: 0, aux: '' };
  });
}

/**
 * The beats of classified records that calibration is measured on: those at a reference beat of class N, S, V or F
 * (evaluation/calibration.ts `CalibrationPool`). Needs positions from an annotator (`referenceClasses`).
 */
export class CalibrationBeats {
  private readonly pool = new CalibrationPool();

  add(c: ClassifiedBeats, fromSample = 0): void {
    if (!c.referenceClasses) return;
    const K = c.classes.length;
    for (let i = 0; i < c.samples.length; i++) {
      if (c.samples[i] < fromSample) continue;
      this.pool.add(c.referenceClasses[i], c.classes[c.predicted[i]], (k) => { const j = c.classes.indexOf(k); return j < 0 ? 0 : c.probabilities[i * K + j]; }, c.record);
    }
  }

  figures(source: string): CalibrationFigures | null {
    return this.pool.figures(source);
  }

  units(source: string): CalibrationUnits {
    return this.pool.units(source);
  }
}

export type { ClassFigures } from '../evaluation/class-figures.js';
export { figuresFromCounts } from '../evaluation/class-figures.js';

export interface RecordsEvaluation extends Figures {
  records: string[];
  annotator: string;
  /** EC57 gross statistics from minute 5 (bxb defaults): VEB and SVEB Se / +P. */
  ec57Gross: { vebSe: number | null; vebPpv: number | null; svebSe: number | null; svebPpv: number | null };
  /** 95 % record-bootstrap intervals of the figures (absent in cards written before they existed). */
  intervals?: FigureIntervals;
  /** EC57 run-by-run statistics from minute 5 (rxr): VE and SVE couplets, short and long runs (absent in older cards). */
  ec57Runs?: { ve: RunByRunFigures; sve: RunByRunFigures };
  /** Calibration of the label's confidence at the reference beats (absent in older cards, and for detected beats). */
  calibration?: CalibrationFigures;
}

/** Classify `recordPaths`, write `<outDir>/<record>.<annotator>`, and evaluate them against `atr`. */
export async function evaluateModelOnRecords(models: LoadedModel[], recordPaths: readonly string[], outDir: string, opts: ClassifyOptions & { annotator?: string; onRecord?: (name: string, i: number) => void } = {}): Promise<RecordsEvaluation> {
  const annotator = opts.annotator ?? 'cls';
  await mkdir(outDir, { recursive: true });
  const names: string[] = [];
  const calibration = new CalibrationBeats();
  for (let i = 0; i < recordPaths.length; i++) {
    const src = await openRecording(recordPaths[i]);
    try {
      opts.onRecord?.(src.info.name, i);
      const c = await classifyRecording(src, models, { beats: opts.beats ?? 'atr', lead: opts.lead });
      await writeWfdbAnnotationFile(join(outDir, `${src.info.name}.${annotator}`), beatAnnotations(c));
      calibration.add(c);
      names.push(src.info.name);
    } finally {
      await src.close();
    }
  }
  const whole = await evaluateRecords(recordPaths, { test: join(outDir, `{record}.${annotator}`), whole: true, mapping: 'aami', includePaced: true });
  const std = await evaluateRecords(recordPaths, { test: join(outDir, `{record}.${annotator}`), runs: true });
  const g = std.summary.gross;
  return {
    records: names, annotator, ...figuresFromCounts(whole.summary.counts),
    intervals: figureIntervals(whole.records.map((r) => r.comparison.counts)),
    ec57Gross: { vebSe: g.vebSensitivity, vebPpv: g.vebPositivePredictivity, svebSe: g.svebSensitivity, svebPpv: g.svebPositivePredictivity },
    ec57Runs: summarizeRunByRun(std.records.flatMap((r) => (r.runs ? [r.runs] : []))),
    calibration: calibration.figures(names.join(' ')) ?? undefined,
  };
}
