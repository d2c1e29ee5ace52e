/**
 * `ecg-review study`: what the app's Study tab does, without the app — open the recordings, classify each with
 * every model (optionally adapted to each patient), and pool them per model through the same service call
 * (`getStudy`, `exportStudyReport`), so the command line and the app give the same figures.
 */
import { writeFile } from 'node:fs/promises';
import type { StudyFigures, StudyInterval, StudyResult } from '../../api/contract.js';
import { CliError, intFlag, positiveFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { afText, burdenText, sOutsideAfText } from '../../services/study.js';
import { waitForJob } from '../jobs.js';
import { recordPaths } from '../records.js';
import { DEFAULT_MODELS_DIR } from './serve.js';

const CLASSES = ['N', 'S', 'V', 'F'] as const;
const f2 = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(2));
const ci = (i: StudyInterval | null | undefined, digits = 2): string => (i ? ` (${i.lo.toFixed(digits)}–${i.hi.toFixed(digits)})` : '');
/** A difference with its sign: `+1.25`, `-0.50`, or `-` when there is none. */
const signedFixed = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);

function figuresText(g: StudyFigures & { intervals: Record<string, StudyInterval | null> | null }): string[] {
  const iv = g.intervals;
  return [
    ...CLASSES.map((c) => `  ${c}  Se ${f2(g.perClass[c].se)}${ci(iv?.[`${c}.se`])}  +P ${f2(g.perClass[c].ppv)}${ci(iv?.[`${c}.ppv`])}  (${g.perClass[c].support} beats)`),
    `  accuracy ${f2(g.accuracy)}${ci(iv?.accuracy)}  macro-F1 (N,S,V) ${f2(g.macroF1NSV)}${ci(iv?.macroF1NSV)}`,
  ];
}

export function studyText(r: StudyResult): string {
  const lines: string[] = [`Reference: ${r.reference === 'corrected' ? 'annotator with corrections' : 'annotator'}. Figures in %, pooled over each group's recordings (gross); ${r.method ?? 'no intervals'}.`];
  for (const m of r.models) {
    lines.push('', `${m.arm} — ${m.recordings.length} recording(s), ${m.gross.beats} beats${m.adapted ? ' (patient-specific: scored after each learning period; not comparable with patient-independent figures)' : ''}`);
    lines.push(...figuresText(m.gross));
    const e = m.ec57;
    if (e) lines.push(`  EC57 from minute 5 (gross over ${e.recordings}): QRS Se ${f2(e.gross.qrsSe)} +P ${f2(e.gross.qrsPpv)}; VEB Se ${f2(e.gross.vebSe)} +P ${f2(e.gross.vebPpv)} FPR ${f2(e.gross.vebFpr)}; SVEB Se ${f2(e.gross.svebSe)} +P ${f2(e.gross.svebPpv)}`);
    lines.push(`  ${burdenText(m)}`);
    const af = afText(m);
    if (af) lines.push(`  ${af}`);
    const sOut = sOutsideAfText(m);
    if (sOut) lines.push(`  ${sOut}`);
    lines.push(`  per recording: ${m.recordings.map((x) => `${x.recording} ${f2(x.figures.accuracy)}`).join(', ')} (accuracy)`);
  }
  const d = r.deChazal2004;
  lines.push('', `de Chazal et al. 2004 (DS2): N ${d.N.se}/${d.N.ppv}  S ${d.S.se}/${d.S.ppv}  V ${d.V.se}/${d.V.ppv} (Se/+P)`);
  for (const p of r.pairs) {
    const keys = ['accuracy', 'macroF1NSV', 'N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv'];
    lines.push('', `${p.a} − ${p.b} on ${p.recordings.length} recording(s)${p.alignedFrom.length ? `, both scored from the later start on ${p.alignedFrom.map((x) => `${x.recording} (${x.seconds} s)`).join(', ')}` : ''}:`);
    lines.push(`  ${keys.map((k) => `${k} ${signedFixed(p.point[k])}${ci(p.intervals?.[k])}`).join('; ')}`);
    const c = p.calibration;
    if (c) lines.push(`  calibration (lower is better): ECE ${signedFixed(c.point.ece)}${ci(c.intervals?.ece)} points; Brier ${signedFixed(c.point.brier, 4)}${ci(c.intervals?.brier, 4)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  name: 'study',
  usage: 'ecg-review study <record…> --model ID[,ID…] [--db dir] [--beats reference|detector] [--adapt-minutes M] [--draws 2000] [--html study.html] [--pdf study.pdf] [--csv study.csv] [--latex study.tex] [--json]',
  summary: [
    "Classify several recordings with one or more models and pool them per model, as the app's Study tab does: de Chazal's",
    'figures with intervals over recordings, EC57 gross/average, paired differences; text, JSON, CSV, LaTeX, HTML or PDF.',
    'The figures equal `evaluate --whole --mapping aami --ci` of the same labels. With --adapt-minutes each model is also',
    "adapted to each patient's first M minutes of reference labels, as a group of its own, paired with the plain model",
    'on the same beats (from minute M). With --db <dir>, records are names inside <dir>; all, ds1 and ds2 name MIT-BIH sets.',
  ].join('\n'),
  flags: {
    model: { type: 'string', description: 'shipped model ids, comma-separated (see the Classify tab or resources/models)' },
    db: { type: 'string', description: 'directory of the records: then <record> is a name, and all, ds1, ds2 name MIT-BIH sets' },
    beats: { type: 'string', description: 'beat positions: reference (the annotations, default) or detector' },
    'adapt-minutes': { type: 'string', description: "also adapt each model to each patient's first M minutes of reference labels" },
    draws: { type: 'string', description: 'bootstrap draws for the intervals (default 2000; 0: none)' },
    html: { type: 'string', description: 'write the study report (HTML)' },
    pdf: { type: 'string', description: 'write the study report as PDF (needs chromium)' },
    csv: { type: 'string', description: 'write the per-recording and gross rows (CSV)' },
    latex: { type: 'string', description: "write the tables as LaTeX (booktabs) for a paper" },
    json: { type: 'boolean', description: 'print the study as JSON' },
    'models-dir': { type: 'string', description: 'shipped models (default resources/models)' },
  },
  async run({ positionals, flags }, io) {
    if (positionals.length === 0) throw new CliError('study needs at least one <record>');
    const modelIds = (stringFlag(flags, 'model') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
    if (!modelIds.length) throw new CliError('study needs --model <id>[,<id>…]');
    const beats = stringFlag(flags, 'beats', 'reference');
    if (beats !== 'reference' && beats !== 'detector') throw new CliError(`--beats must be reference or detector, got '${beats}'`);
    const adaptMinutes = positiveFlag(flags, 'adapt-minutes', 'minutes');
    const draws = intFlag(flags, 'draws', 2000)!;
    if (draws < 0) throw new CliError(`--draws must be ≥ 0, got ${draws}`);
    const pdf = stringFlag(flags, 'pdf');
    const { ReviewService } = await import('../../services/review-service.js');
    const { renderPdfWithChromium } = await import('../../server/pdf.js');
    const service = new ReviewService({ modelsDir: stringFlag(flags, 'models-dir', DEFAULT_MODELS_DIR)!, renderPdf: pdf ? renderPdfWithChromium : undefined });
    try {
      const ids: string[] = [];
      for (const path of recordPaths(positionals, stringFlag(flags, 'db'))) ids.push((await service.openRecording(path)).id);
      const runIds: string[] = [];
      for (const modelId of modelIds) {
        runIds.push(...await waitForJob(service, (await service.startClassification(ids, modelId, { beats })).jobId, io));
        if (adaptMinutes !== undefined) {
          runIds.push(...await waitForJob(service, (await service.startClassification(ids, modelId, { beats, adapt: { minutes: adaptMinutes, labels: { from: 'reference' } } })).jobId, io));
        }
      }
      const req = { runIds, reference: 'annotations' as const, draws };
      const html = stringFlag(flags, 'html'), csv = stringFlag(flags, 'csv'), latex = stringFlag(flags, 'latex');
      // A report carries its study: one computation either way.
      const rep = html || pdf || latex ? await service.exportStudyReport(req) : null;
      const study = rep ? rep.study : await service.getStudy(req);
      if (rep) {
        if (html) await writeFile(html, rep.html);
        if (pdf) {
          if (!rep.pdfBase64) throw new CliError(rep.pdfError ?? 'no PDF produced');
          await writeFile(pdf, Buffer.from(rep.pdfBase64, 'base64'));
        }
      }
      if (csv) await writeFile(csv, study.csv);
      if (latex && rep) await writeFile(latex, rep.latex);
      const { csv: _csv, ...rest } = study;
      await io.out(flags.json ? `${JSON.stringify(rest, null, 1)}\n` : studyText(study));
    } finally {
      await service.dispose();
    }
  },
};
