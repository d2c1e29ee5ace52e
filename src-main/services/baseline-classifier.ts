/**
 * A transparent rule-based beat classifier, listed as the `rr-morphology-baseline` model. It exists so the app
 * works (and can be tested) without a trained network, and as the floor a trained model must beat. Rules after
 * the classic prematurity + morphology criteria (de Chazal et al. 2004 use the same two feature families):
 * a beat is premature when its RR interval is < 85 % of the local mean RR; its shape is compared with a running
 * template of recent normal beats by correlation. Premature + different shape → V, premature + same shape → S,
 * different shape only → V when strongly different, else N.
 */
import { AAMI_LABELS } from '../api/contract.js';

export interface Classified {
  /** Index into AAMI_LABELS per beat. */
  labels: Uint8Array;
  /** Row-major class probabilities, 5 per beat. */
  probs: Float32Array;
}

function corr(a: Float32Array, b: Float32Array): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
  ma /= a.length; mb /= b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] - ma, y = b[i] - mb;
    sab += x * y; saa += x * x; sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export function classifyBaseline(signal: Float32Array, fs: number, beats: Int32Array, onProgress?: (f: number) => void): Classified {
  const n = beats.length;
  const labels = new Uint8Array(n);
  const probs = new Float32Array(n * AAMI_LABELS.length);
  const pre = Math.round(0.1 * fs), post = Math.round(0.15 * fs), w = pre + post;
  const template = new Float32Array(w);
  let templateBeats = 0;
  let meanRR = fs * 0.8;
  const seg = new Float32Array(w);
  for (let i = 0; i < n; i++) {
    const b = beats[i];
    for (let k = 0; k < w; k++) {
      const j = b - pre + k;
      const v = j >= 0 && j < signal.length ? signal[j] : 0;
      seg[k] = Number.isFinite(v) ? v : 0;
    }
    const rr = i > 0 ? beats[i] - beats[i - 1] : meanRR;
    const prematurity = rr / meanRR; // < 1 means early
    const c = templateBeats >= 3 ? corr(seg, template) : 1;
    const early = Math.min(1, Math.max(0, (0.92 - prematurity) / 0.2));
    const odd = Math.min(1, Math.max(0, (0.9 - c) / 0.4));
    let pV = Math.min(0.98, odd * (0.45 + 0.55 * early) + 0.01);
    let pS = Math.min(0.98, early * (1 - odd) * 0.9 + 0.01);
    let pN = Math.max(0.01, 1 - pV - pS);
    const sum = pN + pS + pV + 0.02;
    pN /= sum; pS /= sum; pV /= sum;
    const row = i * 5;
    probs[row] = pN; probs[row + 1] = pS; probs[row + 2] = pV; probs[row + 3] = 0.01 / sum; probs[row + 4] = 0.01 / sum;
    let best = 0;
    for (let k = 1; k < 5; k++) if (probs[row + k] > probs[row + best]) best = k;
    labels[i] = best;
    if (best === 0) {
      // Update the normal template and the RR mean only with beats judged normal, so ectopy does not drift them.
      const a = templateBeats < 8 ? 1 / (templateBeats + 1) : 0.1;
      for (let k = 0; k < w; k++) template[k] += a * (seg[k] - template[k]);
      templateBeats++;
      if (i > 0) meanRR += 0.125 * (rr - meanRR);
    }
    if (onProgress && i % 2000 === 0) onProgress(i / n);
  }
  return { labels, probs };
}
