/**
 * The review report as one self-contained HTML document (inline CSS and SVG, no scripts, no network), laid out
 * for A4 printing: page 1 summary (with the EC57 beat-by-beat and run-by-run figures), per-class table and
 * confusion matrix; page 2 the Holter summary (heart rate, HRV, ectopy, pauses, hour by hour), then a strip of each Holter event (longest and fastest runs, longest pause, AF onset, highest and lowest rate), four per page; then ROC and precision-recall curves; then ECG strips (25 mm/s, 10 mm/mV) of misclassified beats, four per page.
 */
import { AAMI_LABELS, describeAdaptation, type CalibrationSummary, type Ec57RunTable, type MetricsResult, type ModelSummary, type RecordingSummary, type RunSummary } from '../api/contract.js';
import type { RecordingSource } from '../domain/recording.js';
import type { HolterSummary } from '../domain/holter.js';
import { calibrationText, triageText } from '../evaluation/calibration.js';
import { ecgStripSvg, escapeXml as esc } from './ecg-svg.js';
import { holterSectionHtml } from './holter-html.js';

export interface ReportInput {
  recording: RecordingSummary;
  source: RecordingSource;
  run: RunSummary;
  model: ModelSummary | null;
  metrics: MetricsResult;
  samples: Int32Array;
  reference: string;
  predicted: string;
  final: string;
  notes: string;
  reviewer: string;
  corrections: number;
  /** The Holter summary of the final labels. */
  holter: HolterSummary;
}

/** The reports' print style (A4, tables, definition lists), shared by the run report and the study report. */
export const REPORT_CSS = `@page { size: A4; margin: 12mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #111; margin: 0; }
.page { page-break-after: always; break-after: page; }
.page:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 0 0 3mm; } h3 { font-size: 10.5pt; margin: 3mm 0 1mm; } small { font-weight: normal; color: #555; }
table { border-collapse: collapse; margin: 2mm 0 5mm; } th, td { border: 0.3mm solid #999; padding: 1mm 2mm; text-align: right; }
th { background: #eef; } table.compact { font-size: 8.5pt; } table.compact th, table.compact td { padding: 0.6mm 1.2mm; } td.diag { background: #e6f4e6; font-weight: bold; } td.off { background: #fbe3e3; }
dl { display: grid; grid-template-columns: 40mm 1fr; gap: 1mm 4mm; margin: 0 0 5mm; } dt { font-weight: bold; }
figure { display: inline-block; margin: 0 4mm 0 0; } figcaption { text-align: center; font-weight: bold; }
.notes { white-space: pre-wrap; }
.strip { margin-bottom: 4mm; break-inside: avoid; } .cap { font-size: 9pt; margin-bottom: 1mm; }
`;

export const STRIPS_PER_PAGE = 4;
export const MAX_STRIPS = 8;

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}`);

function hms(s: number): string {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${sec.toFixed(1).padStart(4, '0')}`;
}

function curveSvg(title: string, xs: number[][], ys: number[][], labels: string[], xl: string, yl: string): string {
  const W = 80, H = 80, colors = ['#1f77b4', '#ff7f0e', '#d62728', '#2ca02c', '#9467bd'];
  const lines = xs.map((x, k) => `<path d="${x.map((v, i) => `${i ? 'L' : 'M'}${(10 + v * W).toFixed(2)} ${(5 + (1 - ys[k][i]) * H).toFixed(2)}`).join('')}" fill="none" stroke="${colors[k % 5]}" stroke-width="0.6"/>`).join('');
  const ticks = [0, 0.5, 1].map((t) => `<text x="${10 + t * W}" y="${H + 9}" font-size="3" text-anchor="middle">${t}</text><text x="8" y="${5 + (1 - t) * H + 1}" font-size="3" text-anchor="end">${t}</text>`).join('');
  const legend = labels.map((l, k) => `<text x="${W - 25}" y="${H - 20 + k * 4.5}" font-size="3.2" fill="${colors[k % 5]}">${esc(l)}</text>`).join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="85mm" height="89.5mm" viewBox="0 0 95 100"><rect x="10" y="5" width="${W}" height="${H}" fill="none" stroke="#555" stroke-width="0.3"/>${lines}${ticks}${legend}`
    + `<text x="50" y="${H + 14}" font-size="3.5" text-anchor="middle">${esc(xl)}</text><text x="3" y="45" font-size="3.5" text-anchor="middle" transform="rotate(-90 3 45)">${esc(yl)}</text></svg><figcaption>${esc(title)}</figcaption></figure>`;
}

/** Reliability diagram: each non-empty bin's mean confidence against its accuracy, and the diagonal of a calibrated model. */
function reliabilitySvg(c: CalibrationSummary): string {
  const bins = c.bins.filter((b) => b.beats > 0);
  return curveSvg(`Reliability of the model's label (${c.beats} beats, 10 bins; ECE ${pct(c.ece)} %)`, [[0, 1], bins.map((b) => b.confidence!)], [[0, 1], bins.map((b) => b.accuracy!)],
    ['calibrated', 'model'], 'confidence of the label', 'accuracy');
}

/** The EC57 lines of the summary: VEB/SVEB as bxb + sumstats count them, VE/SVE runs as rxr does (Se / +P %, reference count). */
function ec57Html(m: MetricsResult): string {
  const e = m.ec57;
  if (!e) return `<dt>EC57</dt><dd>not computed: ${esc(m.ec57Unavailable ?? 'no figures')}</dd>`;
  const from = e.startSeconds ? `from minute ${e.startSeconds / 60}` : 'from the start';
  const runs = (t: Ec57RunTable): string => ([['couplets', t.couplets], ['short runs', t.shortRuns], ['long runs', t.longRuns]] as const)
    .map(([name, x]) => `${name} ${pct(x.se)} / ${pct(x.ppv)} (${x.reference})`).join(', ');
  return `<dt>EC57 beats (bxb)</dt><dd>${from}: VEB Se ${pct(e.veb.se)} %, +P ${pct(e.veb.ppv)} %, FPR ${e.veb.fpr === null ? '—' : (e.veb.fpr * 100).toFixed(2)} % (${e.veb.reference} in the reference); SVEB Se ${pct(e.sveb.se)} %, +P ${pct(e.sveb.ppv)} % (${e.sveb.reference})</dd>
<dt>EC57 runs (rxr)</dt><dd>Se / +P % (runs in the reference): VE ${runs(e.runs.ve)}; SVE ${runs(e.runs.sve)}</dd>`;
}

export async function renderReportHtml(r: ReportInput): Promise<string> {
  const { recording: rec, metrics: m } = r;
  const rows = m.classes.map((c) => `<tr><th>${c.label}</th><td>${c.tp + c.fn}</td><td>${c.tp}</td><td>${c.fn}</td><td>${c.fp}</td><td>${pct(c.se)}</td><td>${pct(c.sp)}</td><td>${pct(c.ppv)}</td><td>${pct(c.f1)}</td></tr>`).join('');
  const conf = `<tr><th>ref \\ pred</th>${AAMI_LABELS.map((l) => `<th>${l}</th>`).join('')}</tr>`
    + m.confusion.map((row, i) => `<tr><th>${AAMI_LABELS[i]}</th>${row.map((v, j) => `<td class="${i === j ? 'diag' : v ? 'off' : ''}">${v}</td>`).join('')}</tr>`).join('');
  const withRoc = m.roc.filter((c) => c.auc >= 0);
  const roc = curveSvg('ROC (one vs rest)', withRoc.map((c) => c.fpr), withRoc.map((c) => c.tpr), withRoc.map((c) => `${c.label} AUC ${c.auc.toFixed(3)}`), 'false positive rate', 'true positive rate');
  const pr = curveSvg('Precision-recall (one vs rest)', withRoc.map((c) => c.recall), withRoc.map((c) => c.precision), withRoc.map((c) => c.label), 'recall (Se)', 'precision (+P)');

  // Misclassified beats: reference (with corrections) known and different from the model's label.
  const wrong: number[] = [];
  for (let i = 0; i < r.samples.length; i++) if (r.reference[i] !== '-' && r.reference[i] !== r.predicted[i]) wrong.push(i);
  const pick = wrong.length <= MAX_STRIPS ? wrong : Array.from({ length: MAX_STRIPS }, (_, k) => wrong[Math.floor((k * wrong.length) / MAX_STRIPS)]);
  const fs = rec.fs, half = Math.round(3 * fs);
  const strips: string[] = [];
  for (const i of pick) {
    const c = r.samples[i];
    const from = Math.max(0, c - half), to = Math.min(rec.length, c + half);
    const values = await stripValues(r, from, to);
    const marks = [];
    for (let j = Math.max(0, i - 8); j < Math.min(r.samples.length, i + 8); j++) {
      if (r.samples[j] < from || r.samples[j] >= to) continue;
      marks.push({ at: r.samples[j] - from, text: j === i ? `${r.reference[j]}→${r.predicted[j]}` : r.predicted[j], color: j === i ? '#c00' : '#245' });
    }
    strips.push(`<div class="strip"><div class="cap">Beat ${i + 1} at ${hms(c / fs)} — reference <b>${r.reference[i]}</b>, model <b>${r.predicted[i]}</b>, lead ${esc(rec.leads[0]?.name ?? '0')}</div>${ecgStripSvg({ values, fs, marks, heightMm: 40, title: `beat ${i + 1}` })}</div>`);
  }
  const eventPages = await holterEventPages(r);
  const stripPages: string[] = [];
  for (let p = 0; p < strips.length; p += STRIPS_PER_PAGE) {
    stripPages.push(`<section class="page"><h2>Misclassified beats ${p + 1}–${Math.min(strips.length, p + STRIPS_PER_PAGE)} of ${wrong.length} <small>(25 mm/s, 10 mm/mV; red: the beat)</small></h2>${strips.slice(p, p + STRIPS_PER_PAGE).join('')}</section>`);
  }
  if (!stripPages.length) stripPages.push('<section class="page"><h2>Misclassified beats</h2><p>None: every beat with a reference label got the same label from the model.</p></section>');

  const counts = AAMI_LABELS.map((l) => `${l} ${[...r.final].filter((x) => x === l).length}`).join(', ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ECG Review report — ${esc(rec.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
${REPORT_CSS}</style></head><body>
<section class="page"><h1>ECG Review report — ${esc(rec.name)}</h1>
<dl><dt>Recording</dt><dd>${esc(rec.path)} (${esc(rec.format)}, ${rec.fs} Hz, ${rec.leads.length} leads: ${esc(rec.leads.map((l) => l.name).join(', '))}, ${hms(rec.durationSeconds)})</dd>
<dt>Model</dt><dd>${esc(r.model?.name ?? r.run.modelId)}${r.model && !r.model.name.includes(r.run.modelId) ? ` (${esc(r.run.modelId)})` : ''}</dd>
${r.run.adaptation ? `<dt>Adaptation</dt><dd>${esc(describeAdaptation(r.run.adaptation))} (${r.run.adaptation.epochs} epochs, loss ${r.run.adaptation.firstLoss.toFixed(3)} → ${r.run.adaptation.lastLoss.toFixed(3)}): patient-specific, score it from minute ${r.run.adaptation.minutes}; not comparable with patient-independent figures</dd>` : ''}
<dt>Run</dt><dd>${esc(r.run.id)}, ${esc(r.run.createdAt)}, ${r.run.beats} beats (${r.run.beatSource === 'detector' ? 'QRS detector' : 'reference beat positions'})</dd>
<dt>Reference</dt><dd>${m.reference === 'corrected' ? `annotator with ${m.corrections} reviewer correction(s)` : 'annotator (atr)'}; ${m.beats} beats compared${m.scoredFromSeconds ? `, from ${+(m.scoredFromSeconds / 60).toFixed(2)} min (after the learning period the adapted model learnt from; the per-class figures and confusion count these beats only)` : ''}</dd>
<dt>Final labels</dt><dd>${counts}</dd>
<dt>Reviewer</dt><dd>${esc(r.reviewer || '—')}</dd><dt>Notes</dt><dd class="notes">${esc(r.notes || '—')}</dd>
<dt>Accuracy</dt><dd>${pct(m.accuracy)} %</dd>
<dt>Calibration</dt><dd>${m.calibration ? esc(calibrationText(m.calibration)) : 'no class probabilities'}</dd>
${m.calibration ? `<dt>Review triage</dt><dd>${esc(triageText(m.calibration))}</dd>` : ''}
${m.qrs ? `<dt>QRS detection (EC57)</dt><dd>Se ${pct(m.qrs.se)} %, +P ${pct(m.qrs.ppv)} % (TP ${m.qrs.tp}, FN ${m.qrs.fn}, FP ${m.qrs.fp})</dd>` : ''}
${ec57Html(m)}</dl>
<h2>Per-class statistics (%)</h2><table><tr><th>Class</th><th>Ref beats</th><th>TP</th><th>FN</th><th>FP</th><th>Se</th><th>Sp</th><th>+P</th><th>F1</th></tr>${rows}</table>
<h2>Confusion matrix (rows: reference, columns: model)</h2><table>${conf}</table></section>
${holterSectionHtml(r.holter, r.run.beatSource)}
${eventPages.join('\n')}
<section class="page"><h2>Curves</h2>${withRoc.length ? roc + pr : '<p>No class probabilities.</p>'}${m.calibration ? reliabilitySvg(m.calibration) : ''}</section>
${stripPages.join('\n')}
</body></html>`;
}

/**
 * Pages the report should print to: summary, Holter summary, its event strips, curves (ROC and PR side by side,
 * the reliability diagram below), and the misclassified beats' strip pages.
 */
export function expectedReportPages(misclassified: number, holter: HolterSummary): number {
  return 3 + Math.ceil(holterEvents(holter).length / STRIPS_PER_PAGE) + Math.max(1, Math.ceil(Math.min(MAX_STRIPS, misclassified) / STRIPS_PER_PAGE));
}

/** Millivolts of lead 0 over [from, to) samples (NaN where the file marks a sample invalid). */
async function stripValues(r: ReportInput, from: number, to: number): Promise<Float32Array> {
  const sig = (await r.source.read({ from, to, channels: [0] })).signals[0];
  const g = sig.gain === 0 ? 200 : sig.gain;
  return Float32Array.from(sig.samples, (d) => (sig.invalidValue !== undefined && d === sig.invalidValue ? NaN : (d - sig.baseline) / g));
}

/** Seconds of signal on an event strip: 7 s is 175 mm at 25 mm/s, an A4 page's width inside its margins. */
export const EVENT_STRIP_SECONDS = 7;

export interface HolterEvent {
  title: string;
  /** The event's span (s): marked on the strip, which starts a little before it. */
  start: number;
  end: number;
}

/**
 * The events a Holter report shows a strip of, as cardiologists expect them: the longest and the fastest V and S
 * runs, the longest pause, the onset of the longest AF episode, and the minutes of the highest and lowest rate.
 * One strip per event, the same event named once.
 */
export function holterEvents(h: HolterSummary): HolterEvent[] {
  const out: HolterEvent[] = [];
  const rate = (x: { rate: number | null }): string => (x.rate === null ? '' : `, ${x.rate.toFixed(0)} bpm`);
  for (const c of ['V', 'S'] as const) {
    const e = h.ectopy[c];
    if (e.longestRun) out.push({ title: `Longest ${c} run: ${e.longestRun.beats} beats${rate(e.longestRun)}`, start: e.longestRun.start, end: e.longestRun.end });
    if (e.fastestRun && e.fastestRun.start !== e.longestRun?.start) out.push({ title: `Fastest ${c} run: ${e.fastestRun.beats} beats${rate(e.fastestRun)}`, start: e.fastestRun.start, end: e.fastestRun.end });
  }
  if (h.pauses.longest) out.push({ title: `Longest pause: ${h.pauses.longest.seconds.toFixed(2)} s`, start: h.pauses.longest.start, end: h.pauses.longest.start + h.pauses.longest.seconds });
  if (h.af.longest) out.push({ title: `Onset of the longest AF episode (${((h.af.longest.end - h.af.longest.start) / 60).toFixed(1)} min)`, start: h.af.longest.start, end: Math.min(h.af.longest.end, h.af.longest.start + EVENT_STRIP_SECONDS) });
  const hr = h.heartRate;
  if (hr.max) out.push({ title: `Highest per-minute rate: ${hr.max.bpm.toFixed(0)} bpm`, start: hr.max.minute * 60 + 30, end: hr.max.minute * 60 + 30 });
  if (hr.min && hr.min.minute !== hr.max?.minute) out.push({ title: `Lowest per-minute rate: ${hr.min.bpm.toFixed(0)} bpm`, start: hr.min.minute * 60 + 30, end: hr.min.minute * 60 + 30 });
  return out;
}

/** One strip per Holter event, four to a page, each beat marked with its final label and the event's beats in red. */
async function holterEventPages(r: ReportInput): Promise<string[]> {
  const { fs, length } = r.recording;
  const events = holterEvents(r.holter);
  const strips: string[] = [];
  for (const e of events) {
    const span = e.end - e.start;
    // an event shorter than the strip sits 1.5 s in (a point event in the middle); a longer one starts 1.5 s in
    const lead = span >= EVENT_STRIP_SECONDS - 1.5 ? 1.5 : span === 0 ? EVENT_STRIP_SECONDS / 2 : Math.min(1.5, (EVENT_STRIP_SECONDS - span) / 2);
    const from = Math.max(0, Math.min(length - Math.round(EVENT_STRIP_SECONDS * fs), Math.round((e.start - lead) * fs)));
    const to = Math.min(length, from + Math.round(EVENT_STRIP_SECONDS * fs));
    const values = await stripValues(r, from, to);
    const marks = [];
    for (let j = 0; j < r.samples.length; j++) {
      if (r.samples[j] < from || r.samples[j] >= to) continue;
      const t = r.samples[j] / fs;
      marks.push({ at: r.samples[j] - from, text: r.final[j], color: span > 0 && t >= e.start - 1e-6 && t <= e.end + 1e-6 ? '#c00' : '#245' });
    }
    strips.push(`<div class="strip"><div class="cap">${esc(e.title)} — ${hms(e.start)}, lead ${esc(r.recording.leads[0]?.name ?? '0')}</div>${ecgStripSvg({ values, fs, marks, heightMm: 40, title: e.title })}</div>`);
  }
  const pages: string[] = [];
  for (let p = 0; p < strips.length; p += STRIPS_PER_PAGE) {
    pages.push(`<section class="page"><h2>Holter events ${p + 1}–${Math.min(strips.length, p + STRIPS_PER_PAGE)} of ${strips.length} <small>(final labels; 25 mm/s, 10 mm/mV; red: the event's beats)</small></h2>${strips.slice(p, p + STRIPS_PER_PAGE).join('')}</section>`);
  }
  return pages;
}
