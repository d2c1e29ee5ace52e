import { afAgreementFigures, afMethodText, clockTime, holterKeyFigures, type AfAgreement, type EctopySummary, type HolterSummary } from '../../domain/holter.js';
import { openRecording, readAnnotations } from '../../formats/index.js';
import { beatsOfAnnotations, MAX_LISTED, type LabelledBeats } from '../../rhythm/index.js';
import { withAtrialActivity } from '../../services/atrial.js';
import { holterSummary, type RhythmReference } from '../../services/holter.js';
import { CliError, numberFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

/** Runs the text output lists; the JSON has them all. */
const TEXT_RUNS = 20;

const num = (v: number | null, digits = 0): string => (v === null ? '—' : v.toFixed(digits));

function ectopyLines(title: string, e: EctopySummary, tachy: string): string[] {
  const run = (r: EctopySummary['longestRun']): string => (r ? `${r.beats} beats at ${clockTime(r.start)} (${num(r.rate)} bpm)` : '—');
  const ep = (x: EctopySummary['bigeminy']): string => `${x.episodes} episode(s), ${x.cycles} cycles${x.longest ? `, longest ${clockTime(x.longest.start)}–${clockTime(x.longest.end)}` : ''}`;
  return [
    `${title}: ${e.total} beats (${e.perThousand.toFixed(1)} per 1,000); isolated ${e.isolated}, couplets ${e.couplets}, runs of ≥ 3 ${e.runs} (${e.beatsInRuns} beats; ${e.tachycardiaRuns} at ≥ 100 bpm: ${tachy})`,
    `  longest run ${run(e.longestRun)}; fastest run ${run(e.fastestRun)}`,
    `  bigeminy ${ep(e.bigeminy)}; trigeminy ${ep(e.trigeminy)}`,
  ];
}

/** The AF found against the reference's rhythm annotations, in one line. */
export function afAgreementLine(a: AfAgreement): string {
  return `  against ${a.annotator}'s rhythm annotations ((AFIB/(AFL: ${(a.referenceSeconds / 60).toFixed(1)} min in ${a.referenceEpisodes} episode(s)): ${afAgreementFigures(a)}`;
}

export function holterText(name: string, annotator: string, s: HolterSummary): string {
  const hr = s.heartRate, h = s.hrv;
  const lines = [
    `Holter summary of ${name} (beat labels: ${annotator}): ${clockTime(s.seconds)} analysed, ${s.beats} beats`,
    `Beats: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}${s.unlabelled ? `, without an AAMI class (e.g. flutter waves) ${s.unlabelled}` : ''}`,
    `Heart rate: mean ${num(hr.mean)} bpm; per-minute min ${hr.min ? `${num(hr.min.bpm)} at ${clockTime(hr.min.minute * 60)}` : '—'}, max ${hr.max ? `${num(hr.max.bpm)} at ${clockTime(hr.max.minute * 60)}` : '—'}; ${hr.bradycardiaMinutes} of ${hr.minutes} minutes below 60, ${hr.tachycardiaMinutes} above 100`,
    `HRV (NN intervals, Task Force 1996): ${h.nnCount} NN kept, ${h.nnExcluded} dropped by the filters (${s.settings.minNN}–${s.settings.maxNN} s, ±${Math.round(s.settings.nnOutlierFraction * 100)} % of the local mean)`,
    `  mean NN ${num(h.meanNN)} ms, SDNN ${num(h.sdnn, 1)} ms, SDANN ${num(h.sdann, 1)} ms, SDNN index ${num(h.sdnnIndex, 1)} ms, RMSSD ${num(h.rmssd, 1)} ms, pNN50 ${num(h.pnn50, 1)} %, triangular index ${num(h.triangularIndex, 1)}`,
    h.frequency
      ? `  spectrum (Lomb–Scargle, mean of ${h.frequency.segments} 5-min segments): total ${num(h.frequency.total)} ms², VLF ${num(h.frequency.vlf)}, LF ${num(h.frequency.lf)}, HF ${num(h.frequency.hf)} ms², LF/HF ${num(h.frequency.lfHf, 2)}, LF ${num(h.frequency.lfNu, 1)} nu, HF ${num(h.frequency.hfNu, 1)} nu`
      : '  spectrum: no 5-minute segment with enough NN intervals',
    ...ectopyLines('Ventricular ectopy (V)', s.ectopy.V, 'ventricular tachycardia'),
    ...ectopyLines(`Supraventricular ectopy (S)${s.af.supraventricularLabels ? `, outside AF (${s.af.supraventricularLabels} S labels inside AF are counted as conducted AF)` : ''}`, s.ectopy.S, 'supraventricular tachycardia'),
    `Atrial fibrillation (${afMethodText(s.af)}): ${s.af.episodes} episode(s) of ≥ 30 s, ${(s.af.seconds / 60).toFixed(1)} min, burden ${s.af.burdenPercent.toFixed(1)} %${s.af.longest ? `, longest ${clockTime(s.af.longest.start)}–${clockTime(s.af.longest.end)}` : ''}`,
    ...(s.afAgreement ? [afAgreementLine(s.afAgreement)] : []),
    `Pauses ≥ ${s.pauses.threshold} s: ${s.pauses.count}${s.pauses.longest ? `, longest ${s.pauses.longest.seconds.toFixed(2)} s at ${clockTime(s.pauses.longest.start)}` : ''}`,
    '',
    'hour   beats      N      S      V      F      Q   HR mean  min  max  pauses  AF min',
    ...s.hourly.map((x) => `${String(x.hour).padStart(4)} ${String(x.beats).padStart(7)} ${(['N', 'S', 'V', 'F', 'Q'] as const).map((k) => String(x.counts[k]).padStart(6)).join(' ')} ${num(x.meanRate).padStart(9)} ${num(x.minRate).padStart(4)} ${num(x.maxRate).padStart(4)} ${String(x.pauses).padStart(7)} ${(x.afSeconds / 60).toFixed(1).padStart(7)}`),
  ];
  const runs = [...s.ectopy.V.runList.map((r) => ({ ...r, cls: 'V' })), ...s.ectopy.S.runList.map((r) => ({ ...r, cls: 'S' }))].sort((a, b) => a.start - b.start);
  if (runs.length) {
    lines.push('', `Runs of ≥ 3 ectopic beats${runs.length > TEXT_RUNS ? ` (the first ${TEXT_RUNS} of ${runs.length}; --json lists them all)` : ''}:`,
      ...runs.slice(0, TEXT_RUNS).map((r) => `  ${clockTime(r.start)}–${clockTime(r.end)}  ${r.cls} × ${r.beats}  ${num(r.rate)} bpm`));
  }
  return `${lines.join('\n')}\n`;
}

/** Two summaries of one recording side by side: the figures, and the difference. */
export function holterComparisonText(name: string, testFrom: string, refFrom: string, t: HolterSummary, r: HolterSummary): string {
  const a = holterKeyFigures(t), b = holterKeyFigures(r);
  const w = Math.max(...a.map((x) => x.figure.length));
  const lines = [`Holter summary of ${name}: ${testFrom} (test) against ${refFrom} (reference)`, '', `${'figure'.padEnd(w)}  ${'test'.padStart(9)}  ${'reference'.padStart(9)}  ${'test − ref'.padStart(10)}`];
  a.forEach((x, k) => {
    const y = b[k].value;
    const raw = x.value !== null && y !== null ? x.value - y : null;
    const d = raw !== null && Math.abs(raw) < 0.5 * 10 ** -x.digits ? 0 : raw; // no "−0.0"
    lines.push(`${x.figure.padEnd(w)}  ${num(x.value, x.digits).padStart(9)}  ${num(y, x.digits).padStart(9)}  ${(d === null ? '—' : d === 0 ? '0' : `${d > 0 ? '+' : ''}${d.toFixed(x.digits)}`).padStart(10)}`);
  });
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  name: 'holter',
  usage: 'ecg-review holter <record> [--annotator atr|<file> | --model <dir-or-name> [--beats atr] [--lead NAME]] [--compare atr] [--pause S] [--rr-only] [--json]',
  summary: 'Holter summary from beat labels (the reference, a classifier\'s WFDB output, or a model run on the recording now): heart rate, HRV (SDNN, SDANN, RMSSD, pNN50, LF/HF…), ectopic couplets, runs, bigeminy, trigeminy, atrial fibrillation from RR irregularity and missing P waves, pauses, and an hour-by-hour table.',
  flags: {
    annotator: { type: 'string', description: 'WFDB annotator or annotation file with the beat labels, e.g. atr, or the file `classify --format wfdb` wrote (default atr)' },
    model: { type: 'string', description: 'label the beats with this model first (as classify does: detected beats unless --beats), then summarise' },
    beats: { type: 'string', description: 'with --model: reference annotator whose beat positions to classify (e.g. atr); default: detect QRS complexes' },
    lead: { type: 'string', description: 'with --model: lead name (default MLII, else the first ECG lead)' },
    pause: { type: 'string', description: 'RR interval in seconds from which a gap counts as a pause (default 2.0)' },
    compare: { type: 'string', description: 'also summarise this annotator\'s labels (e.g. atr) and print both side by side: how far the Holter report of a model is from the cardiologists\'' },
    json: { type: 'boolean', description: `JSON output (runs, episodes and pauses listed, up to ${MAX_LISTED} of each)` },
    fs: { type: 'string', description: 'sampling rate of a CSV without a time column' },
    'rr-only': { type: 'boolean', description: 'find AF from the labels\' RR intervals alone, without the signal\'s P waves (as a device\'s live alarm does)' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length !== 1) throw new CliError('holter takes exactly one <record>');
    const model = stringFlag(flags, 'model');
    if (model && flags.annotator !== undefined) throw new CliError('give --annotator (labels from a file) or --model (labels from a model), not both');
    if (!model && (flags.beats !== undefined || flags.lead !== undefined)) throw new CliError('--beats and --lead go with --model');
    const pause = numberFlag(flags, 'pause');
    const src = await openRecording(positionals[0], { fs: numberFlag(flags, 'fs') });
    try {
      let beats: LabelledBeats, labelsFrom: string;
      // the AF found is scored against these rhythm annotations: --compare's annotator, else the labels' own
      let rhythm: RhythmReference | undefined;
      if (model) {
        const { initEngine } = await import('../../model/engine/backend.js');
        const { loadModel } = await import('../../model/io.js');
        const { classifyRecording } = await import('../../model/classify.js');
        await initEngine({ prefer: 'wasm' });
        const models = [];
        for (const m of model.split(',').filter(Boolean)) models.push(await loadModel(m));
        try {
          const c = await classifyRecording(src, models, { beats: stringFlag(flags, 'beats'), lead: stringFlag(flags, 'lead') });
          labelsFrom = `model ${model} on ${c.positions} beats, lead ${c.lead}`;
          beats = { fs: c.fs, samples: c.samples, labels: Array.from(c.predicted, (k) => c.classes[k]), length: src.info.length, source: `${src.info.name} (${labelsFrom})` };
        } finally {
          for (const m of models) m.model.dispose();
        }
      } else {
        const annotator = stringFlag(flags, 'annotator', 'atr')!;
        labelsFrom = annotator;
        const anns = await readAnnotations(src, annotator);
        rhythm = { annotator, annotations: anns };
        beats = beatsOfAnnotations(anns, src.info.fs, src.info.length, `${src.info.name} (${annotator})`);
        if (beats.samples.length === 0) throw new CliError(`${src.info.name}: annotator '${annotator}' has no beat annotations`);
      }
      const compareWith = stringFlag(flags, 'compare');
      const compareAnns = compareWith ? await readAnnotations(src, compareWith) : null;
      if (compareWith && compareAnns) rhythm = { annotator: compareWith, annotations: compareAnns };
      // the P-wave test reads the signal at the beats (each side's own beats)
      const signal = (b: LabelledBeats): Promise<LabelledBeats> => (flags['rr-only'] ? Promise.resolve(b) : withAtrialActivity(src, b));
      const s = holterSummary(await signal(beats), { pauseSeconds: pause }, rhythm);
      if (compareWith && compareAnns) {
        const ref = beatsOfAnnotations(compareAnns, src.info.fs, src.info.length, `${src.info.name} (${compareWith})`);
        if (ref.samples.length === 0) throw new CliError(`${src.info.name}: annotator '${compareWith}' has no beat annotations`);
        const r = holterSummary(await signal(ref), { pauseSeconds: pause }, rhythm);
        await io.out(flags.json ? `${JSON.stringify({ record: src.info.name, test: { labels: labelsFrom, ...s }, reference: { labels: compareWith, ...r } }, null, 1)}\n` : holterComparisonText(src.info.name, labelsFrom, compareWith, s, r));
        return;
      }
      await io.out(flags.json ? `${JSON.stringify({ record: src.info.name, labels: labelsFrom, ...s }, null, 1)}\n` : holterText(src.info.name, labelsFrom, s));
    } finally {
      await src.close();
    }
  },
};
