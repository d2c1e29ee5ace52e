/**
 * The study's tables as LaTeX, to paste into a paper: the pooled figures of each model beside de Chazal et al.
 * 2004's (with the 95 % intervals over recordings under each figure), and the paired differences between models.
 * Plain `tabular` with booktabs rules; the caption states how the figures were counted, as the study report does.
 */
import type { StudyBurdenAgreement, StudyInterval, StudyModel, StudyResult } from '../api/contract.js';
import { afMethodText, type AfAgreement } from '../domain/holter.js';

/** LaTeX's special characters in running text (model names, recording names). */
export function escapeLatex(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (c) => ({
    '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', $: '\\$', '&': '\\&', '#': '\\#', '^': '\\textasciicircum{}', _: '\\_', '%': '\\%', '~': '\\textasciitilde{}',
  })[c]!);
}

const FIGURES = [['N', 'se'], ['N', 'ppv'], ['S', 'se'], ['S', 'ppv'], ['V', 'se'], ['V', 'ppv'], ['F', 'se'], ['F', 'ppv']] as const;
const DIFFS = [['accuracy', 'Acc.'], ['macroF1NSV', 'Macro-F\\textsubscript{1}'], ['N.se', 'N Se'], ['N.ppv', 'N +P'], ['S.se', 'S Se'], ['S.ppv', 'S +P'], ['V.se', 'V Se'], ['V.ppv', 'V +P']] as const;

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '--' : v.toFixed(1));
/** A difference with its sign (a minus in math mode); one that rounds to zero shows none. */
function signed(v: number | null | undefined): string {
  if (v === null || v === undefined) return '--';
  const r = Math.round(v * 10) / 10;
  return r === 0 ? '0.0' : `${r > 0 ? '+' : '$-$'}${Math.abs(r).toFixed(1)}`;
}

/** A value with a sign (a minus in math mode) and `digits` decimals; one that rounds to zero shows none. */
function signedN(v: number, digits: number): string {
  const r = Math.round(v * 10 ** digits) / 10 ** digits;
  return r === 0 ? (0).toFixed(digits) : `${r > 0 ? '+' : '$-$'}${Math.abs(r).toFixed(digits)}`;
}

/** Percentage points with a sign and two decimals (burdens are often well under one point). */
const signed2 = (v: number): string => signedN(v, 2);

/** A figure with its interval beneath it (a two-line cell in plain LaTeX). */
function cell(value: string, iv: StudyInterval | null | undefined, format: (x: number) => string = (x) => x.toFixed(1)): string {
  return iv ? `\\shortstack{${value}\\\\\\scriptsize ${format(iv.lo)}--${format(iv.hi)}}` : value;
}

function modelRow(m: StudyModel): string {
  const g = m.gross, iv = g.intervals;
  const cells = FIGURES.map(([c, k]) => cell(num(g.perClass[c][k]), iv?.[`${c}.${k}`]));
  const c = m.calibration, eceIv = c?.intervals?.ece;
  const ece = c ? cell((100 * c.ece).toFixed(1), eceIv ? { lo: 100 * eceIv.lo, hi: 100 * eceIv.hi } : null) : '--';
  return `${escapeLatex(m.arm)} & ${m.recordings.length} & ${g.beats} & ${cells.join(' & ')} & ${cell(num(g.accuracy), iv?.accuracy)} & ${cell(num(g.macroF1NSV), iv?.macroF1NSV)} & ${ece} \\\\`;
}

/** LaTeX for the study (needs `\usepackage{booktabs}`); the per-recording rows are in the CSV. */
export function renderStudyLatex(study: Omit<StudyResult, 'csv'>): string {
  const recordings = [...new Set(study.models.flatMap((m) => m.recordings.map((r) => r.recording)))];
  const dc = study.deChazal2004;
  const lines = [
    '% ECG Review study tables. Needs \\usepackage{booktabs}.',
    `% Recordings: ${recordings.join(' ')}`,
    '\\begin{table}[htbp]',
    '\\centering',
    '\\footnotesize',
    `\\caption{Beat classification of ${recordings.length} recording(s), AAMI classes, beats of all recordings pooled (gross), in \\%.`
      + ' Se: sensitivity, +P: positive predictivity, Macro-F\\textsubscript{1}: mean F\\textsubscript{1} of N, S and V; ECE: expected calibration error of the label\'s confidence.'
      + `${study.method ? ` Under each figure its interval: ${escapeLatex(study.method)}.` : ''}`
      + `${study.reference === 'corrected' ? ' Reference: the annotator\'s labels with the reviewer\'s corrections.' : ''}`
      + `${study.models.some((m) => m.adapted) ? ' Adapted models learnt each patient\'s first minutes and are scored after them (patient-specific, not comparable with patient-independent figures).' : ''}}`,
    '\\begin{tabular}{lrr' + 'c'.repeat(FIGURES.length + 2) + 'r}',
    '\\toprule',
    `Model & Rec. & Beats & ${FIGURES.map(([c, k]) => `${c} ${k === 'se' ? 'Se' : '+P'}`).join(' & ')} & Acc. & Macro-F\\textsubscript{1} & ECE \\\\`,
    '\\midrule',
    ...study.models.map(modelRow),
    `de Chazal et al.\\ 2004 (DS2) & 22 & -- & ${(['N', 'S', 'V'] as const).map((c) => `${dc[c].se} & ${dc[c].ppv}`).join(' & ')} & -- & -- & -- & -- & -- \\\\`,
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
  ];
  if (study.models.some((m) => m.burden.V || m.burden.S)) {
    const agreement = (a: StudyBurdenAgreement | null): string => (a ? `${signed2(a.bias)} & ${signed2(a.lower)} to ${signed2(a.upper)}` : '-- & --');
    lines.push(
      '',
      '\\begin{table}[htbp]',
      '\\centering',
      '\\footnotesize',
      '\\caption{Ectopy burden by the model against the reference: a recording\'s V (S) burden is the share of its N, S, V and F reference beats that are V (S).'
        + ' Bland--Altman over the recordings: the bias (mean of model $-$ reference, percentage points) and the 95\\,\\% limits of agreement, bias $\\pm$ 1.96 SD of the differences.}',
      '\\begin{tabular}{lrcccc}',
      '\\toprule',
      'Model & Rec. & V bias & V limits & S bias & S limits \\\\',
      '\\midrule',
      ...study.models.map((m) => `${escapeLatex(m.arm)} & ${m.recordings.length} & ${agreement(m.burden.V)} & ${agreement(m.burden.S)} \\\\`),
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
    );
  }
  if (study.models.some((m) => m.af)) {
    const pct = (v: number | null): string => (v === null ? '--' : v.toFixed(1));
    // the cardiologists' beat labels over the first arm's recordings, as the Study tab shows them
    const baseline = study.models.find((m) => m.af)?.af;
    const row = (a: AfAgreement): string => `${pct(a.durationSe)} & ${pct(a.durationPpv)} & ${a.referenceEpisodesFound}/${a.referenceEpisodes} & ${a.foundEpisodesTrue}/${a.foundEpisodes}`;
    lines.push(
      '',
      '\\begin{table}[htbp]',
      '\\centering',
      '\\footnotesize',
      `\\caption{Atrial fibrillation found from the beat labels ${afMethodText(baseline ?? { pWaves: false })} (the Holter summary\'s rule), against the reference\'s (AFIB and (AFL rhythm annotations over the recordings that have them:'
        + ' duration Se and +P (\\%), reference episodes overlapped, and episodes found that lie in AF; from each model\'s labels, and from the reference\'s beat labels.}`,
      '\\begin{tabular}{lrcccc}',
      '\\toprule',
      'Labels & Rec. & Duration Se & Duration +P & Episodes overlapped & Found in AF \\\\',
      '\\midrule',
      ...study.models.flatMap((m) => (m.af ? [`${escapeLatex(m.arm)} & ${m.af.recordings} & ${row(m.af.model)} \\\\`] : [])),
      ...(baseline ? [`reference beat labels & ${baseline.recordings} & ${row(baseline.reference)} \\\\`] : []),
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
    );
  }
  if (study.pairs.length) {
    lines.push(
      '',
      '\\begin{table}[htbp]',
      '\\centering',
      '\\footnotesize',
      '\\caption{Differences between models (A $-$ B, percentage points) on the recordings both classified, each scored on the same beats.'
        + `${study.pairs.some((p) => p.intervals) ? ' Under each its 95\\,\\% interval from a paired bootstrap over recordings; an interval that includes 0 does not show that the models differ.' : ''}}`,
      `\\begin{tabular}{lr${'c'.repeat(DIFFS.length)}}`,
      '\\toprule',
      `A $-$ B & Rec. & ${DIFFS.map(([, name]) => name).join(' & ')} \\\\`,
      '\\midrule',
      ...study.pairs.map((p) => `${escapeLatex(p.a)} $-$ ${escapeLatex(p.b)} & ${p.recordings.length} & ${DIFFS.map(([k]) => cell(signed(p.point[k]), p.intervals?.[k], signed)).join(' & ')} \\\\`),
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
    );
  }
  const calibrated = study.pairs.filter((p) => p.calibration);
  if (calibrated.length) {
    const d = (v: number | null, digits: number): string => (v === null ? '--' : signedN(v, digits));
    lines.push(
      '',
      '\\begin{table}[htbp]',
      '\\centering',
      '\\footnotesize',
      '\\caption{Differences in the calibration of the label\'s confidence between models (A $-$ B) on the same beats: expected calibration error (ECE, percentage points) and Brier score. Lower is better, so a negative difference favours A.'
        + `${calibrated.some((p) => p.calibration!.intervals) ? ' Under each its 95\\,\\% interval from a paired bootstrap over recordings.' : ''}}`,
      '\\begin{tabular}{lrcc}',
      '\\toprule',
      'A $-$ B & Rec. & ECE & Brier \\\\',
      '\\midrule',
      ...calibrated.map((p) => {
        const c = p.calibration!;
        return `${escapeLatex(p.a)} $-$ ${escapeLatex(p.b)} & ${p.recordings.length} & ${cell(d(c.point.ece, 2), c.intervals?.ece, (x) => signedN(x, 2))} & ${cell(d(c.point.brier, 4), c.intervals?.brier, (x) => signedN(x, 4))} \\\\`;
      }),
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
    );
  }
  return `${lines.join('\n')}\n`;
}
