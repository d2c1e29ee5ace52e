/**
 * The Holter page of the review report: heart rate, HRV, ectopy, pauses and the hour-by-hour table, from the final
 * labels (the model's, with the reviewer's corrections). Inline HTML, no scripts, styled by the report's sheet.
 */
import { afAgreementFigures, afMethodText, clockTime, type EctopySummary, type HolterSummary } from '../domain/holter.js';
import { escapeXml as esc } from './ecg-svg.js';

const f = (v: number | null, digits = 0): string => (v === null ? '—' : v.toFixed(digits));

function ectopyRow(name: string, e: EctopySummary): string {
  const run = (r: EctopySummary['longestRun']): string => (r ? `${r.beats} at ${clockTime(r.start)} (${f(r.rate)} bpm)` : '—');
  const ep = (x: EctopySummary['bigeminy']): string => `${x.episodes}${x.episodes ? ` (${x.cycles} cycles)` : ''}`;
  return `<tr><th>${esc(name)}</th><td>${e.total}</td><td>${e.perThousand.toFixed(1)}</td><td>${e.isolated}</td><td>${e.couplets}</td><td>${e.runs}${e.runs ? ` (${e.beatsInRuns} beats)` : ''}</td><td>${e.tachycardiaRuns}</td><td>${run(e.longestRun)}</td><td>${run(e.fastestRun)}</td><td>${ep(e.bigeminy)}</td><td>${ep(e.trigeminy)}</td></tr>`;
}

/** Per-minute heart rate as an inline SVG line (gaps where a minute is not covered), 170 × 40 mm. */
export function heartRateTrendSvg(perMinute: readonly (number | null)[]): string {
  const vals = perMinute.filter((v): v is number => v !== null);
  if (vals.length < 2) return '';
  const W = 160, H = 30, x0 = 10;
  const lo = Math.max(0, Math.floor(Math.min(...vals) / 10) * 10 - 10), hi = Math.ceil(Math.max(...vals) / 10) * 10 + 10;
  const x = (m: number): number => x0 + (W * m) / Math.max(1, perMinute.length - 1);
  const y = (v: number): number => 2 + H * (1 - (v - lo) / (hi - lo));
  let d = '', pen = false;
  perMinute.forEach((v, m) => { if (v === null) { pen = false; return; } d += `${pen ? 'L' : 'M'}${x(m).toFixed(2)} ${y(v).toFixed(2)}`; pen = true; });
  // ticks every 10 minutes for short recordings, every hour (or two) for a Holter
  const step = perMinute.length <= 180 ? 10 : perMinute.length <= 12 * 60 ? 60 : 120;
  const ticks = Array.from({ length: Math.floor((perMinute.length - 1) / step) + 1 }, (_, k) => k * step)
    .map((m) => `<text x="${x(m).toFixed(2)}" y="${H + 7}" font-size="2.8" text-anchor="middle">${step < 60 ? `${m} min` : `${m / 60} h`}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="176mm" height="40mm" viewBox="0 0 178 40"><rect x="${x0}" y="2" width="${W}" height="${H}" fill="none" stroke="#999" stroke-width="0.2"/>`
    + `<text x="${x0 - 1}" y="4" font-size="2.8" text-anchor="end">${hi}</text><text x="${x0 - 1}" y="${H + 2}" font-size="2.8" text-anchor="end">${lo}</text>`
    + `<path d="${d}" fill="none" stroke="#2b6cb0" stroke-width="0.4"/>${ticks}<text x="${x0 + W / 2}" y="${H + 10}" font-size="3" text-anchor="middle">heart rate per minute (beats/min)</text></svg>`;
}

export function holterSectionHtml(s: HolterSummary, beatSource: string): string {
  const hr = s.heartRate, h = s.hrv;
  const hours = s.hourly.map((x) => `<tr><th>${x.hour}</th><td>${x.beats}</td>${(['N', 'S', 'V', 'F', 'Q'] as const).map((k) => `<td>${x.counts[k]}</td>`).join('')}<td>${f(x.meanRate)}</td><td>${f(x.minRate)}</td><td>${f(x.maxRate)}</td><td>${x.pauses}</td><td>${(x.afSeconds / 60).toFixed(1)}</td></tr>`).join('');
  return `<section class="page"><h2>Holter summary <small>(final labels: the model's, with the reviewer's corrections)</small></h2>
<dl><dt>Analysed</dt><dd>${clockTime(s.seconds)}, ${s.beats} beats: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}${s.unlabelled ? `; ${s.unlabelled} without a label` : ''}</dd>
<dt>Heart rate</dt><dd>mean ${f(hr.mean)} bpm; per-minute minimum ${hr.min ? `${f(hr.min.bpm)} at ${clockTime(hr.min.minute * 60)}` : '—'}, maximum ${hr.max ? `${f(hr.max.bpm)} at ${clockTime(hr.max.minute * 60)}` : '—'}; ${hr.bradycardiaMinutes} min below 60, ${hr.tachycardiaMinutes} min above 100 (of ${hr.minutes})</dd>
<dt>Atrial fibrillation</dt><dd>${s.af.episodes} episode(s) of ≥ 30 s, ${(s.af.seconds / 60).toFixed(1)} min, burden ${s.af.burdenPercent.toFixed(1)} %${s.af.longest ? `, longest ${clockTime(s.af.longest.start)}–${clockTime(s.af.longest.end)}` : ''} <small>(${afMethodText(s.af)})</small>${s.afAgreement ? `<br>against ${esc(s.afAgreement.annotator)}'s rhythm annotations (${(s.afAgreement.referenceSeconds / 60).toFixed(1)} min of AF or flutter in ${s.afAgreement.referenceEpisodes} episode(s)): ${esc(afAgreementFigures(s.afAgreement))}` : ''}</dd>
<dt>Pauses ≥ ${s.pauses.threshold} s</dt><dd>${s.pauses.count}${s.pauses.longest ? `, longest ${s.pauses.longest.seconds.toFixed(2)} s at ${clockTime(s.pauses.longest.start)}` : ''}${beatSource === 'detector' ? ' (beats from the QRS detector: a missed beat shows as a pause)' : ''}</dd></dl>
${heartRateTrendSvg(hr.perMinute)}
<h3>Heart-rate variability <small>(Task Force 1996; NN intervals 0.4–2.0 s within ±${Math.round(s.settings.nnOutlierFraction * 100)} % of the local mean; spectra: Lomb–Scargle per 5-minute segment, VLF ≤ 0.04, LF 0.04–0.15, HF 0.15–0.4 Hz)</small></h3>
<table><tr><th>NN kept / dropped</th><th>mean NN ms</th><th>SDNN ms</th><th>SDANN ms</th><th>SDNN index ms</th><th>RMSSD ms</th><th>pNN50 %</th><th>HRV triangular index</th></tr>
<tr><td>${h.nnCount} / ${h.nnExcluded}</td><td>${f(h.meanNN)}</td><td>${f(h.sdnn, 1)}</td><td>${f(h.sdann, 1)}</td><td>${f(h.sdnnIndex, 1)}</td><td>${f(h.rmssd, 1)}</td><td>${f(h.pnn50, 1)}</td><td>${f(h.triangularIndex, 1)}</td></tr></table>
${h.frequency ? `<table><tr><th>5-min segments</th><th>total ms²</th><th>VLF ms²</th><th>LF ms²</th><th>HF ms²</th><th>LF/HF</th><th>LF nu</th><th>HF nu</th></tr>
<tr><td>${h.frequency.segments}</td><td>${f(h.frequency.total)}</td><td>${f(h.frequency.vlf)}</td><td>${f(h.frequency.lf)}</td><td>${f(h.frequency.hf)}</td><td>${f(h.frequency.lfHf, 2)}</td><td>${f(h.frequency.lfNu, 1)}</td><td>${f(h.frequency.hfNu, 1)}</td></tr></table>` : '<p>Spectrum: no 5-minute segment with enough NN intervals.</p>'}
<h3>Ectopy</h3>
<table class="compact"><tr><th></th><th>beats</th><th>per 1,000</th><th>isolated</th><th>couplets</th><th>runs ≥ 3</th><th>runs ≥ 100 bpm</th><th>longest run</th><th>fastest run</th><th>bigeminy</th><th>trigeminy</th></tr>
${ectopyRow('Ventricular (V)', s.ectopy.V)}${ectopyRow(s.af.supraventricularLabels ? 'Supraventricular (S), outside AF' : 'Supraventricular (S)', s.ectopy.S)}</table>
${s.af.supraventricularLabels ? `<p>${s.af.supraventricularLabels} beats labelled S inside AF episodes are counted as conducted AF, not as supraventricular ectopy.</p>` : ''}
<h3>Hour by hour</h3>
<table><tr><th>hour</th><th>beats</th><th>N</th><th>S</th><th>V</th><th>F</th><th>Q</th><th>HR mean</th><th>min</th><th>max</th><th>pauses</th><th>AF min</th></tr>${hours}</table></section>`;
}
