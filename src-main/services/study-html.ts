/**
 * The study report: one self-contained HTML document (inline CSS, no scripts, no network), laid out for A4, that a
 * researcher can attach to a paper's supplement: a methods paragraph that says how every figure was counted, then
 * per model the pooled figures with their intervals beside de Chazal et al. 2004's, EC57's VEB/SVEB lines and the
 * per-recording table, then the paired differences between models.
 */
import type { ModelSummary, StudyFigures, StudyInterval, StudyModel, StudyPair, StudyResult } from '../api/contract.js';
import { escapeXml as esc } from './ecg-svg.js';
import { calibrationText, triageText } from '../evaluation/calibration.js';
import { REPORT_CSS } from './report.js';
import { afText, burdenText, sOutsideAfText } from './study.js';

const CLASSES = ['N', 'S', 'V', 'F'] as const;
const NSV = ['N', 'S', 'V'] as const;
const num = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '—' : v.toFixed(digits));
const ci = (iv: StudyInterval | null | undefined): string => (iv ? `<br><small>${iv.lo.toFixed(1)}–${iv.hi.toFixed(1)}</small>` : '');

function grossTable(m: StudyModel, yardstick: StudyResult['deChazal2004']): string {
  const g = m.gross, iv = g.intervals;
  const row = (c: (typeof CLASSES)[number]): string => {
    const f = g.perClass[c];
    const d = c === 'F' ? null : yardstick[c];
    return `<tr><th>${c}</th><td>${f.support}</td><td>${num(f.se)}${ci(iv?.[`${c}.se`])}</td><td>${num(f.ppv)}${ci(iv?.[`${c}.ppv`])}</td><td>${num(f.f1)}</td><td>${d ? `${d.se} / ${d.ppv}` : '—'}</td></tr>`;
  };
  return `<table><tr><th>Class</th><th>Beats</th><th>Se %</th><th>+P %</th><th>F1 %</th><th>de Chazal 2004 (DS2) Se / +P</th></tr>${CLASSES.map(row).join('')}</table>
<p>Accuracy ${num(g.accuracy)} %${iv?.accuracy ? ` (${iv.accuracy.lo.toFixed(1)}–${iv.accuracy.hi.toFixed(1)})` : ''}; macro-F1 (N, S, V) ${num(g.macroF1NSV)} %${iv?.macroF1NSV ? ` (${iv.macroF1NSV.lo.toFixed(1)}–${iv.macroF1NSV.hi.toFixed(1)})` : ''}; ${g.beats} beats.</p>`;
}

function recordingsTable(m: StudyModel): string {
  const cells = (f: StudyFigures): string => CLASSES.map((c) => `<td>${num(f.perClass[c].se)}</td><td>${num(f.perClass[c].ppv)}</td>`).join('');
  const rows = m.recordings.map((r) => `<tr><th>${esc(r.recording)}</th><td>${r.figures.beats}</td>${cells(r.figures)}<td>${num(r.figures.accuracy)}</td><td>${r.corrections}</td>`
    + `<td>${num(r.ec57?.vebSe)}</td><td>${num(r.ec57?.vebPpv)}</td><td>${num(r.ec57?.svebSe)}</td><td>${num(r.ec57?.svebPpv)}</td>`
    + `<td>${num(r.burden?.V.reference, 2)}</td><td>${num(r.burden?.V.model, 2)}</td><td>${num(r.burden?.S.reference, 2)}</td><td>${num(r.burden?.S.model, 2)}</td>`
    + `<td>${r.af ? num(r.af.model.referenceSeconds / 60) : '—'}</td><td>${r.af ? num(r.af.model.foundSeconds / 60) : '—'}</td><td>${r.af ? num(r.af.model.overlapSeconds / 60) : '—'}</td></tr>`).join('');
  return `<table class="compact"><tr><th rowspan="2">Recording</th><th rowspan="2">Beats</th>${CLASSES.map((c) => `<th colspan="2">${c}</th>`).join('')}<th rowspan="2">Acc.</th><th rowspan="2">Corr.</th><th colspan="2">EC57 VEB</th><th colspan="2">EC57 SVEB</th><th colspan="2">V burden</th><th colspan="2">S burden</th><th colspan="3">AF min</th></tr>
<tr>${CLASSES.map(() => '<th>Se</th><th>+P</th>').join('')}<th>Se</th><th>+P</th><th>Se</th><th>+P</th><th>ref.</th><th>model</th><th>ref.</th><th>model</th><th>ref.</th><th>found</th><th>overlap</th></tr>${rows}</table>`;
}

function ec57Line(m: StudyModel): string {
  const e = m.ec57;
  if (!e) return '<p>EC57 VEB/SVEB: none of the recordings reaches minute 5.</p>';
  const line = (x: typeof e.gross): string => `QRS Se ${num(x.qrsSe, 2)} %, +P ${num(x.qrsPpv, 2)} %; VEB Se ${num(x.vebSe)} %, +P ${num(x.vebPpv)} %, FPR ${num(x.vebFpr, 2)} %; SVEB Se ${num(x.svebSe)} %, +P ${num(x.svebPpv)} %`;
  return `<p>EC57 from minute 5 over ${e.recordings} recording(s) — gross: ${line(e.gross)}. Average: ${line(e.average)}.</p>`;
}

const DIFF_KEYS = ['accuracy', 'macroF1NSV', 'N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv'] as const;
const DIFF_NAMES: Record<(typeof DIFF_KEYS)[number], string> = { accuracy: 'Accuracy', macroF1NSV: 'Macro-F1', 'N.se': 'N Se', 'N.ppv': 'N +P', 'S.se': 'S Se', 'S.ppv': 'S +P', 'V.se': 'V Se', 'V.ppv': 'V +P' };

/** A difference A − B with its interval below it, shaded when the interval excludes 0. */
function diffCell(v: number | null, iv: StudyInterval | null | undefined, digits = 1): string {
  const shown = iv && (iv.lo > 0 || iv.hi < 0) ? ' class="off"' : '';
  return `<td${shown}>${v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`}${iv ? `<br><small>${iv.lo.toFixed(digits)}–${iv.hi.toFixed(digits)}</small>` : ''}</td>`;
}

/** The pair's ECE (points) and Brier differences, or dashes where they were not computed. */
const calibrationCells = (c: StudyPair['calibration']): string => (c ? diffCell(c.point.ece, c.intervals?.ece, 2) + diffCell(c.point.brier, c.intervals?.brier, 4) : '<td>—</td><td>—</td>');

function pairsSection(r: Pick<StudyResult, 'pairs'>, name: (id: string) => string): string {
  if (!r.pairs.length) return '';
  const rows = r.pairs.map((p) => `<tr><th>${esc(name(p.a))} − ${esc(name(p.b))}</th><td>${p.recordings.length}</td>${DIFF_KEYS.map((k) => diffCell(p.point[k], p.intervals?.[k])).join('')}${calibrationCells(p.calibration)}</tr>`).join('');
  return `<section class="page"><h2>Differences between models <small>(A − B, percentage points, on the recordings both classified)</small></h2>
<table class="compact"><tr><th>A − B</th><th>Recordings</th>${DIFF_KEYS.map((k) => `<th>${DIFF_NAMES[k]}</th>`).join('')}<th>ECE</th><th>Brier</th></tr>${rows}</table>
<p>Under each difference its 95 % interval from the paired bootstrap over recordings; a shaded cell's interval excludes 0. An interval that includes 0 does not show that the models differ on that figure. ECE (expected calibration error of the label's confidence, points) and Brier: lower is better, so a negative difference favours A; they are left out (—) where a run has no probabilities.
Both sides of a pair are scored on the same beats: where one starts later on a recording (an adapted model, after its learning period), the other is scored from there too.</p></section>`;
}

export interface StudyReportInput {
  study: Omit<StudyResult, 'csv'>;
  models: readonly ModelSummary[];
  /** Beat positions of the runs: the reference annotations, the QRS detector, or both kinds. */
  beatSources: readonly ('detector' | 'reference')[];
  generatedAt: string;
}

export function renderStudyHtml(input: StudyReportInput): string {
  const { study } = input;
  // The group's name (the model id, with its adaptation): what the cards, the CLI and the README call a model.
  const name = (arm: string): string => arm;
  const recordings = [...new Set(study.models.flatMap((m) => m.recordings.map((r) => r.recording)))];
  const corrections = study.models.reduce((a, m) => a + m.recordings.reduce((b, r) => b + r.corrections, 0), 0);
  const sources = new Set(input.beatSources);
  const positions = sources.size === 2 ? 'the reference annotations for some runs and the QRS detector for others'
    : sources.has('detector') ? "the QRS detector's (detection errors count against the classifier: a missed beat is an N, S, V or F beat the model did not label)"
      : 'the reference annotations (the classifier judged alone, as de Chazal et al. 2004 and the model cards score it)';
  const adapted = study.models.filter((m) => m.adapted);
  const methods = `<p>Beats of ${recordings.length} recording(s) (${esc(recordings.join(', '))}) were labelled by ${study.models.length} model(s) at ${positions}.
The reference is the annotator's labels${study.reference === 'corrected' ? `, with ${corrections} correction(s) by the reviewer` : ''}, mapped to the AAMI classes N, S, V, F and Q.
A model's beat matches a reference beat within 150 ms (ANSI/AAMI EC57). Per class, Se = TP / (TP + FN) and +P = TP / (TP + FP), counted over
the beats of all recordings pooled (gross), as in de Chazal et al., IEEE Trans Biomed Eng 51:1196–1206, 2004; accuracy is over the N, S, V and F reference beats,
macro-F1 the mean F1 of N, S and V. EC57's VEB and SVEB figures count from minute 5 with WFDB bxb's class table, pooled (gross) and as the
mean of the recordings' figures (average), as WFDB sumstats prints them. Calibration asks whether a label given with confidence p is right with frequency p:
the model's beats with a reference beat are binned by the probability of the label given (10 equal bins); ECE is the beat-weighted mean gap between a bin's accuracy and its mean confidence,
MCE the largest gap, the Brier score the mean squared error of all class probabilities (Guo et al., ICML 2017; Brier 1950).
A recording's V (or S) burden is the share of its N, S, V and F reference beats that are V by the reference, and that the model calls V; the model's burdens are set
against the reference's as Bland and Altman ask (Lancet 327:307–310, 1986): the mean difference (bias) and the 95 % limits of agreement, bias ± 1.96 SD of the differences. ${study.method ? `Intervals are ${esc(study.method)}: recordings, not beats, are resampled, because one patient's beats are not independent.` : 'No intervals were computed (fewer than two recordings, or none asked for).'}
${adapted.length ? `<b>Patient-specific:</b> ${esc(adapted.map((m) => name(m.arm)).join(', '))} learnt each patient's first minutes (EC57's learning period); those figures count beats after it and are not comparable with patient-independent ones such as de Chazal's.` : ''}</p>`;
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const modelSections = study.models.map((m) => {
    const s = input.models.find((x) => x.id === m.modelId);
    return `<section class="page"><h2>${esc(name(m.arm))}${m.adapted ? ' <small>(adapted to each patient)</small>' : ''}</h2>
${s ? `<p><small>${esc(s.name)} — ${esc(s.description)}</small></p>` : ''}
${grossTable(m, study.deChazal2004)}${ec57Line(m)}
<p>Calibration of the label's confidence over the beats of all recordings: ${m.calibration ? `${esc(calibrationText(m.calibration))}. Review triage: ${esc(triageText(m.calibration))}` : 'not computed (a run has no class probabilities)'}.</p>
<p>${esc(burdenText(m))}</p>
${afText(m) ? `<p>${esc(afText(m)!)}</p>` : ''}${sOutsideAfText(m) ? `<p>${esc(sOutsideAfText(m)!)}</p>` : ''}
<h3>Per recording (%; EC57 from minute 5)</h3>${recordingsTable(m)}</section>`;
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ECG Review study — ${plural(recordings.length, 'recording', 'recordings')}, ${plural(study.models.length, 'model', 'models')}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
${REPORT_CSS}</style></head><body>
<section class="page"><h1>Beat classification study — ${plural(recordings.length, 'recording', 'recordings')}, ${plural(study.models.length, 'model', 'models')}</h1>
<h2>Methods</h2>${methods}
<h2>Summary</h2><table><tr><th>Model</th><th>Recordings</th><th>Beats</th><th>Accuracy %</th><th>Macro-F1 %</th>${NSV.map((c) => `<th>${c} Se / +P</th>`).join('')}</tr>
${study.models.map((m) => `<tr><th>${esc(name(m.arm))}</th><td>${m.recordings.length}</td><td>${m.gross.beats}</td><td>${num(m.gross.accuracy)}</td><td>${num(m.gross.macroF1NSV)}</td>${NSV.map((c) => `<td>${num(m.gross.perClass[c].se)} / ${num(m.gross.perClass[c].ppv)}</td>`).join('')}</tr>`).join('')}
<tr><th>de Chazal 2004 (DS2)</th><td></td><td></td><td></td><td></td>${NSV.map((c) => `<td>${study.deChazal2004[c].se} / ${study.deChazal2004[c].ppv}</td>`).join('')}</tr></table>
<p><small>Generated by ECG Review, ${esc(input.generatedAt)}. The per-recording rows and gross figures are also in the study's CSV.</small></p></section>
${modelSections}
${pairsSection(study, name)}
</body></html>`;
}
