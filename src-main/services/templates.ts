/**
 * Morphology templates: beats of each label grouped by shape with leader clustering on the correlation
 * coefficient (a beat joins the first group whose running mean it matches with r ≥ 0.9, else starts a new
 * group; at most MAX_GROUPS per label). This is how Holter scanners present beats for template-level editing.
 */
import type { TemplateGroup } from '../api/contract.js';
import type { RecordingSource } from '../domain/recording.js';
import { CHUNK } from './waveform.js';

const MAX_GROUPS = 6;
const THRESHOLD = 0.9;

function corr(a: Float32Array, b: Float64Array): number {
  let ma = 0, mb = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const x = a[i] - ma, y = b[i] - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export async function groupTemplates(source: RecordingSource, beats: Int32Array, labels: string): Promise<TemplateGroup[]> {
  const { fs, length } = source.info;
  const pre = Math.round(0.25 * fs), post = Math.round(0.4 * fs), w = pre + post;
  const sig = source.info.signals[0];
  const g = sig.gain === 0 ? 200 : sig.gain;
  const groups: { label: string; sum: Float64Array; mean: Float64Array; members: number[] }[] = [];
  const seg = new Float32Array(w);
  let k = 0;
  for (let a = 0; a < length && k < beats.length; a += CHUNK) {
    const b = Math.min(length, a + CHUNK + w);
    const rec = await source.read({ from: a, to: b, channels: [0] });
    const s = rec.signals[0].samples;
    while (k < beats.length && beats[k] - pre < a + CHUNK) {
      const start = beats[k] - pre;
      if (start < a || beats[k] + post > b) { k++; continue; }
      for (let i = 0; i < w; i++) seg[i] = (s[start - a + i] - sig.baseline) / g;
      const label = labels[k] ?? '-';
      let best: (typeof groups)[number] | undefined, bestR = -2;
      let count = 0;
      for (const grp of groups) {
        if (grp.label !== label) continue;
        count++;
        const r = corr(seg, grp.mean);
        if (r > bestR) { bestR = r; best = grp; }
      }
      if (!best || (bestR < THRESHOLD && count < MAX_GROUPS)) {
        best = { label, sum: new Float64Array(w), mean: new Float64Array(w), members: [] };
        groups.push(best);
      }
      best.members.push(beats[k]);
      const n = best.members.length;
      for (let i = 0; i < w; i++) { best.sum[i] += seg[i]; best.mean[i] = best.sum[i] / n; }
      k++;
    }
  }
  return groups
    .sort((x, y) => (x.label === y.label ? y.members.length - x.members.length : x.label.localeCompare(y.label)))
    .map((grp, id) => ({ id, label: grp.label, count: grp.members.length, members: grp.members, shape: Array.from(grp.mean, (v) => Math.round(v * 1e4) / 1e4), fs }));
}
