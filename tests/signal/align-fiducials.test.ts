import { expect, it } from 'vitest';
import { isBeatSymbol } from '../../src-main/domain/annotation.js';
import { toPhysical } from '../../src-main/domain/recording.js';
import { openWfdbRecord, readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { alignFiducials, BASELINE_SECONDS } from '../../src-main/signal/align-fiducials.js';
import { detectQrs } from '../../src-main/signal/detect-qrs.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

/** Fraction of reference beats of `symbol` whose matched detection (within 150 ms) lies within 3 samples. */
function closeFraction(ref: { sample: number; symbol: string }[], det: ArrayLike<number>, symbol: string): number {
  let j = 0, n = 0, close = 0;
  for (const a of ref) {
    if (a.symbol !== symbol) continue;
    while (j < det.length && det[j] < a.sample - 54) j++;
    if (j < det.length && Math.abs(det[j] - a.sample) <= 54) {
      n++;
      if (Math.abs(det[j] - a.sample) <= 3) close++;
    }
  }
  return close / n;
}

describeMitdb('alignFiducials', () => {
  it.each(['100', '119', '208'])('moves detected normal beats of %s onto the reference fiducial point', async (r) => {
    const src = await openWfdbRecord(mitdbRecord(r));
    const lead = toPhysical((await src.read({ channels: [0] })).signals[0]);
    const ref = (await readWfdbAnnotationFile(`${mitdbRecord(r)}.atr`)).filter((a) => isBeatSymbol(a.symbol));
    const det = detectQrs(lead, 360);
    const aligned = alignFiducials(lead, 360, det);
    expect(aligned.length).toBe(det.length);
    for (let i = 1; i < aligned.length; i++) expect(aligned[i]).toBeGreaterThan(aligned[i - 1]);
    expect(closeFraction(ref, det, 'N')).toBeLessThan(0.5);
    expect(closeFraction(ref, aligned, 'N')).toBeGreaterThan(0.98);
  });

  it('depends only on the signal near each beat, so a live stream gets what an offline pass gets', async () => {
    const src = await openWfdbRecord(mitdbRecord('208'));
    const lead = toPhysical((await src.read({ channels: [0], to: 360 * 120 })).signals[0]);
    const det = detectQrs(lead, 360);
    const whole = alignFiducials(lead, 360, det);
    const cut = 360 * 60;
    const ready = det.filter((p) => p + BASELINE_SECONDS * 360 + 1 < cut);
    expect(Array.from(alignFiducials(lead.subarray(0, cut), 360, ready))).toEqual(Array.from(whole.subarray(0, ready.length)));
  });

  it('never moves a beat further than the radius', () => {
    const x = new Float32Array(1000).map((_, i) => Math.sin(i / 7));
    const p = Int32Array.from([100, 300, 500]);
    const a = alignFiducials(x, 360, p, { radius: 0.01 });
    for (let i = 0; i < p.length; i++) expect(Math.abs(a[i] - p[i])).toBeLessThanOrEqual(4);
  });
});
