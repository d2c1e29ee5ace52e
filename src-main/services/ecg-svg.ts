/**
 * ECG strips as SVG at paper scale: 25 mm/s, 10 mm/mV, 1 mm minor and 5 mm major grid lines, in millimetre
 * user units so a printed report measures like ECG paper. Shared by the HTML/PDF report.
 */
export interface StripSpec {
  /** Physical values (mV), NaN for gaps. */
  values: ArrayLike<number>;
  fs: number;
  /** Height of the strip in mm (a multiple of 5 keeps major lines on the edges). */
  heightMm?: number;
  /** Marks: sample offset within `values`, text. */
  marks?: { at: number; text: string; color: string }[];
  title?: string;
}

export function ecgStripSvg(s: StripSpec): string {
  const mmPerS = 25, mmPerMv = 10;
  const h = s.heightMm ?? 30;
  const wmm = Math.ceil((s.values.length / s.fs) * mmPerS);
  const minor: string[] = [], major: string[] = [];
  for (let x = 0; x <= wmm; x++) (x % 5 ? minor : major).push(`M${x} 0V${h}`);
  for (let y = 0; y <= h; y++) (y % 5 ? minor : major).push(`M0 ${y}H${wmm}`);
  // Centre the trace on its median so baseline wander does not push it off the strip.
  const finite = Array.from(s.values).filter(Number.isFinite).sort((a, b) => a - b);
  const mid = finite.length ? finite[Math.floor(finite.length / 2)] : 0;
  // A label band above the paper keeps beat labels off the trace.
  const band = s.marks?.length ? 5 : 0;
  const y0 = band + h * 0.62;
  let d = '';
  let pen = false;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i];
    if (!Number.isFinite(v)) { pen = false; continue; }
    const x = (i / s.fs) * mmPerS;
    const y = Math.max(band, Math.min(band + h, y0 - (v - mid) * mmPerMv));
    d += `${pen ? 'L' : 'M'}${x.toFixed(2)} ${y.toFixed(2)}`;
    pen = true;
  }
  const marks = (s.marks ?? []).map((m) => {
    const x = ((m.at / s.fs) * mmPerS).toFixed(2);
    return `<line x1="${x}" y1="${band}" x2="${x}" y2="${band + h}" stroke="${m.color}" stroke-width="0.3" stroke-dasharray="1 1"/><text x="${x}" y="3.8" font-size="3" fill="${m.color}" text-anchor="middle" font-family="sans-serif" font-weight="bold">${escapeXml(m.text)}</text>`;
  }).join('');
  // 1 mV calibration pulse at the left edge.
  const cal = `<path d="M0.5 ${y0}h1.5v-${mmPerMv}h3v${mmPerMv}h1.5" fill="none" stroke="#000" stroke-width="0.25"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${wmm}mm" height="${h + band}mm" viewBox="0 0 ${wmm} ${h + band}" role="img" aria-label="${escapeXml(s.title ?? 'ECG strip')}">`
    + `<g transform="translate(0 ${band})"><rect width="${wmm}" height="${h}" fill="#fff8f8"/><path d="${minor.join('')}" stroke="#f4c2c2" stroke-width="0.1"/>`
    + `<path d="${major.join('')}" stroke="#e08a8a" stroke-width="0.25"/></g>${cal}${marks}<path d="${d}" fill="none" stroke="#111" stroke-width="0.3" stroke-linejoin="round"/></svg>`;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
