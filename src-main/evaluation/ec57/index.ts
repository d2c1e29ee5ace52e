export { compareBeats, count, labelIndex, secondsToSamples, type BxbComparison, type BxbOptions, type Discrepancy } from './compare.js';
export { BXB_LABELS, beatsToAnnotations, bxbLabelOf, isBxbBeatCode, type BxbLabel, type ClassMapping } from './labels.js';
export {
  beatCounts, formatFixed, grossBeatCounts, grossStatistics, lineColumns, recordStatistics, rrErrorMs, summarizeRecords,
  type BeatCounts, type BeatStatistics, type Ec57Summary, type GrossBeatCounts, type LineColumns,
} from './stats.js';
export { BXB_LINE_HEADER, formatBxbLine, formatBxbTable, formatRxrLine, formatSumstatsFooter, RXR_LINE_HEADER } from './format.js';
export { evaluateRecords, resolveTestAnnotationFile, type Ec57Report, type EvaluateOptions, type RecordResult } from './evaluate.js';
export { addRunByRunCounts, compareRunByRun, runByRunCounts, runByRunStatistics, summarizeRunByRun, type RunByRunComparison, type RunByRunCounts, type RunByRunFigures, type RunByRunOptions, type RunLengthMatrix } from './runs.js';
