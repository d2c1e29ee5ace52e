/** `compare` output: a plain-text table, and a self-contained HTML page with an inline SVG accuracy-vs-size plot. */
import { INTEGER_ENGINE, LITE_BACKEND, LITE_ENGINE, type Comparison, type ModelRow, type PairTest } from './compare.js';

/** Figures are percentages already. */
const pct = (x: number | null | undefined, d = 1): string => (x === null || x === undefined ? '-' : x.toFixed(d));
const ms = (x: number | null | undefined): string => (x === undefined || x === null || Number.isNaN(x) ? '-' : x < 0.1 ? x.toFixed(4) : x.toFixed(3));
const kb = (b: number): string => (b / 1024).toFixed(1);

export function backendsOf(c: Comparison): string[] {
  return [...new Set(c.models.flatMap((m) => m.latency.map((l) => l.backend)))];
}

/** Whether the lite runtime was timed (a column, single beat only). */
const litePresent = (c: Comparison): boolean => c.models.some((m) => !!m.lite);

/** Models the lite runtime does not run, with its reason (their lite cell is "—"). */
export function liteRefusals(c: Comparison): { name: string; reason: string }[] {
  return c.models.flatMap((m) => (m.lite?.refused ? [{ name: m.name, reason: m.lite.refused }] : []));
}

/** Column headers and rows of the main table (shared by text and HTML). */
export function tableRows(c: Comparison): { head: string[]; rows: string[][] } {
  const backends = backendsOf(c);
  const head = ['model', 'compression', 'params', 'non-zero', 'KB', 'KB gz'];
  for (const b of backends) head.push(`${b} 1-beat ms (med/p95)`, `${b} batched ms/beat (med/p95)`);
  const lite = litePresent(c);
  if (lite) head.push(`${LITE_BACKEND} 1-beat ms (med/p95)`);
  head.push('acc %', 'macro-F1 NSV % (95 % CI)', 'N Se/+P', 'S Se/+P', 'V Se/+P', 'F Se/+P', 'ECE % (95 % CI)', 'Brier');
  const rows = c.models.map((m) => {
    const r = [m.name, m.compression, String(m.parameters), String(m.nonZeroParameters), kb(m.bytes), kb(m.gzipBytes)];
    for (const b of backends) {
      const l = m.latency.find((x) => x.backend === b);
      r.push(l ? `${ms(l.singleMedian)}/${ms(l.singleP95)}` : '-', l ? `${ms(l.batchedMedian)}/${ms(l.batchedP95)}` : '-');
    }
    if (lite) r.push(!m.lite ? '-' : m.lite.refused ? '—' : `${ms(m.lite.singleMedian)}/${ms(m.lite.singleP95)}`);
    const e = m.evaluation;
    const iv = e?.intervals?.intervals.macroF1NSV;
    r.push(pct(e?.accuracy, 2), `${pct(e?.macroF1NSV, 2)}${iv ? ` (${pct(iv.lo)}–${pct(iv.hi)})` : ''}`);
    for (const k of ['N', 'S', 'V', 'F'] as const) r.push(e ? `${pct(e.perClass[k]?.se)}/${pct(e.perClass[k]?.ppv)}` : '-');
    // Calibration of the label's confidence on the same beats (fractions, shown in percent like the figures).
    const civ = e?.calibration?.intervals?.ece;
    r.push(e?.calibration ? `${(100 * e.calibration.ece).toFixed(2)}${civ ? ` (${(100 * civ.lo).toFixed(1)}–${(100 * civ.hi).toFixed(1)})` : ''}` : '-', e?.calibration ? e.calibration.brier.toFixed(4) : '-');
    return r;
  });
  return { head, rows };
}

export function formatComparisonText(c: Comparison): string {
  const { head, rows } = tableRows(c);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((x, i) => x.padEnd(w[i])).join('  ');
  const out = [c.records.length ? `Evaluation (classify at the atr beats + EC57 evaluate, ${c.adaptMinutes ? `patient-specific: each model adapted to each record on its first ${c.adaptMinutes} min of atr labels and scored after them, not comparable with patient-independent figures` : "whole records"}, AAMI classes${c.adaptMinutes ? '' : " — as the classifiers' DS2 figures"}): ${c.records.length} records, ${c.beats} N/S/V/F beats (${c.records.join(' ')})` : 'No evaluation records (sizes and latency only)', '', line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)];
  const refused = liteRefusals(c);
  if (refused.length) {
    out.push('', `— in the ${LITE_BACKEND} column: the lite runtime does not run the model (not timed):`);
    for (const x of refused) out.push(`  ${x.name}: ${x.reason}`);
  }
  const integer = c.models.filter((m) => m.lite?.engine === INTEGER_ENGINE);
  if (integer.length) {
    out.push('', `— integer-only: its figures and its ${LITE_BACKEND} column are the integer runtime's (integer.json); its size and tfjs columns are the float files kept beside it. The integer form itself:`);
    for (const m of integer) if (m.integer) out.push(`  ${m.name}: integer.json ${kb(m.integer.jsonBytes)} KB (${kb(m.integer.gzipBytes)} KB gzipped); C source constant data ${m.integer.constantBytes} bytes`);
  }
  const method = c.models.find((m) => m.evaluation?.intervals)?.evaluation?.intervals?.method;
  if (method) out.push('', `Macro-F1 intervals: ${method}. Two models scored on the same records are not independent samples, so overlapping intervals do not mean "no difference": the paired differences below are the comparison.`);
  if (c.mcnemar.length) {
    out.push('', "McNemar's test on the same beats (b: only A right, c: only B right; it counts beats as independent, which one patient's beats are not, so its p-values are optimistic), and A − B with its paired bootstrap interval over records:");
    for (const p of c.mcnemar) {
      const r = p.result;
      out.push(`  ${p.a} vs ${p.b}: Δacc ${p.accuracyDifference === null ? '-' : p.accuracyDifference.toFixed(2)} points, b=${r.b} c=${r.c}, ${r.method} statistic ${r.statistic.toFixed(3)}, p=${r.pValue.toPrecision(3)}${r.pValue < 0.05 ? '' : ' (not significant at 0.05)'}`);
      const d = p.differences;
      out.push(`    ${p.a} − ${p.b}: macro-F1 (N,S,V) ${diffCell(d)} points, ECE ${eceDiffCell(p.calibration)} points, Brier ${brierDiffCell(p.calibration)}; ${Math.round(d.level * 100)} % paired bootstrap over records`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** "+1.16 (-2.42 to 3.68)": a difference A − B and its paired interval, scaled (100 for points) and rounded. */
function diffText(v: number | null, iv: { lo: number; hi: number } | null, scale: number, digits: number): string {
  return v === null ? '-' : `${v >= 0 ? '+' : ''}${(scale * v).toFixed(digits)} (${iv ? `${(scale * iv.lo).toFixed(digits)} to ${(scale * iv.hi).toFixed(digits)}` : '-'})`;
}

/** A − B of macro-F1 (N,S,V) in points (already in points). */
const diffCell = (d: PairTest['differences']): string => diffText(d.point.macroF1NSV, d.intervals.macroF1NSV, 1, 2);
/** A − B of ECE in percentage points. */
const eceDiffCell = (c: PairTest['calibration']): string => diffText(c.point.ece, c.intervals.ece, 100, 2);
/** A − B of the Brier score. */
const brierDiffCell = (c: PairTest['calibration']): string => diffText(c.point.brier, c.intervals.brier, 1, 4);

const esc = (s: string): string => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** Macro-F1 (N,S,V) against bytes on disk, log-scaled x axis, one labelled point per model. */
export function accuracySizeSvg(models: ModelRow[], width = 640, height = 380): string {
  const pts = models.filter((m) => m.evaluation?.macroF1NSV !== null && m.evaluation?.macroF1NSV !== undefined);
  const L = 70, R = 20, T = 20, B = 50;
  const xs = pts.map((m) => Math.log10(m.bytes));
  const ys = pts.map((m) => m.evaluation!.macroF1NSV as number);
  const x0 = Math.floor(Math.min(...xs, 3)), x1 = Math.ceil(Math.max(...xs, 4));
  const yMin = Math.floor(Math.min(...ys, 100) / 5) * 5, yMax = Math.min(100, Math.ceil(Math.max(...ys, 0) / 5) * 5 + 5);
  const sx = (v: number): number => L + ((v - x0) / (x1 - x0 || 1)) * (width - L - R);
  const sy = (v: number): number => height - B - ((v - yMin) / (yMax - yMin || 1)) * (height - T - B);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`];
  parts.push(`<rect x="${L}" y="${T}" width="${width - L - R}" height="${height - T - B}" fill="none" stroke="#999"/>`);
  for (let e = x0; e <= x1; e++) {
    parts.push(`<line x1="${sx(e)}" x2="${sx(e)}" y1="${T}" y2="${height - B}" stroke="#eee"/><text x="${sx(e)}" y="${height - B + 16}" text-anchor="middle">${e >= 6 ? `${10 ** (e - 6)} MB` : e >= 3 ? `${10 ** (e - 3)} KB` : `${10 ** e} B`}</text>`);
  }
  for (let y = yMin; y <= yMax; y += 5) parts.push(`<line x1="${L}" x2="${width - R}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/><text x="${L - 6}" y="${sy(y) + 4}" text-anchor="end">${y}</text>`);
  parts.push(`<text x="${(L + width - R) / 2}" y="${height - 12}" text-anchor="middle">bytes on disk (model.json + weights, log scale)</text>`);
  parts.push(`<text transform="translate(16 ${(T + height - B) / 2}) rotate(-90)" text-anchor="middle">macro-F1 N,S,V (%)</text>`);
  pts.forEach((m, i) => {
    const x = sx(xs[i]), y = sy(ys[i]);
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="#1f77b4"><title>${esc(m.name)}: ${m.bytes} bytes, macro-F1 ${ys[i].toFixed(2)} %</title></circle>`);
    parts.push(`<text x="${(x + 8).toFixed(1)}" y="${(y - 6).toFixed(1)}">${esc(m.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function formatComparisonHtml(c: Comparison, command: string): string {
  const { head, rows } = tableRows(c);
  const table = `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const mc = c.mcnemar.length
    ? `<h2>McNemar's test</h2><p>Same ${c.beats} beats for every model; b = beats only A classifies correctly, c = only B. A p-value above 0.05 means the accuracy difference is not evidence that one model is better; the test counts beats as independent, which one patient's beats are not. The last three columns are A − B of macro-F1 (N,S,V), of ECE (points) and of the Brier score, each with its 95 % interval from a paired bootstrap over records: an interval that holds 0 does not show that one model is better calibrated.</p><table><thead><tr><th>A</th><th>B</th><th>Δ accuracy (points)</th><th>b</th><th>c</th><th>test</th><th>statistic</th><th>p</th><th>Δ macro-F1 N,S,V (95 % CI)</th><th>Δ ECE (95 % CI)</th><th>Δ Brier (95 % CI)</th></tr></thead><tbody>${c.mcnemar.map((p) => `<tr><td>${esc(p.a)}</td><td>${esc(p.b)}</td><td>${p.accuracyDifference === null ? '-' : p.accuracyDifference.toFixed(2)}</td><td>${p.result.b}</td><td>${p.result.c}</td><td>${p.result.method}</td><td>${p.result.statistic.toFixed(3)}</td><td>${p.result.pValue.toPrecision(3)}</td><td>${diffCell(p.differences)}</td><td>${eceDiffCell(p.calibration)}</td><td>${brierDiffCell(p.calibration)}</td></tr>`).join('')}</tbody></table>`
    : '';
  const engines = [...new Set(c.models.flatMap((m) => m.latency.map((l) => l.engine)))];
  if (litePresent(c)) engines.push(LITE_ENGINE);
  const integer = c.models.filter((m) => m.lite?.engine === INTEGER_ENGINE).map((m) => m.name);
  if (integer.length) engines.push(`${INTEGER_ENGINE} for ${integer.join(', ')}, whose figures are its integer runtime's`);
  const refused = liteRefusals(c);
  const notes = refused.length
    ? `\n<p>— in the ${LITE_BACKEND} column: the lite runtime does not run the model (not timed):</p><ul>${refused.map((x) => `<li>${esc(x.name)}: ${esc(x.reason)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>ECG Review — model comparison</title><style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}code{background:#f3f3f3;padding:1px 4px}</style></head><body>
<h1>Model comparison</h1>
<p><code>${esc(command)}</code></p>
<p>${c.records.length ? `Evaluation on ${c.records.length} MIT-BIH records (${esc(c.records.join(' '))}), ${c.beats} reference beats of classes N, S, V, F (classified at the atr positions, scored with EC57 ${c.adaptMinutes ? `after each model was adapted to each record on its first ${c.adaptMinutes} min of atr labels, from minute ${c.adaptMinutes}: the patient-specific protocol, not comparable with patient-independent figures` : 'over whole records'}, AAMI classes), each model loaded from disk as it runs. ECE: expected calibration error of the label's confidence (10 equal bins; a calibrated model's 90 % labels are right 9 times in 10), Brier: mean squared error of the class probabilities, on the same beats.` : 'No evaluation records.'} Latency per beat in ms on ${esc(engines.join('; ') || 'no backend')}; timings vary from run to run, accuracy figures do not.</p>
${table}${notes}
<h2>Accuracy versus size</h2>
${accuracySizeSvg(c.models)}
${mc}
</body></html>
`;
}
