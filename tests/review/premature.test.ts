/**
 * Review's "premature N" rule on real beats: MIT-BIH 232's reference annotations (sinus bradycardia with long pauses,
 * right bundle branch block, and 1382 APCs, most of them in runs). The rule (prematurity = RR before / median of the
 * up to 8 RR before, under 0.85) is meant to send a reviewer to the APCs a model called N; here it is checked on what the
 * annotator says each beat is, with the counts in the test names.
 *
 * Not under tests/renderer although the rule is the renderer's: that project type-checks against the browser's config
 * (no Node types) and runs in jsdom, and reading a WFDB annotation file needs the core's Node readers.
 */
import { expect, it } from 'vitest';
import { aamiClassOf } from '../../src-main/domain/aami.js';
import { isBeatSymbol, type Annotation } from '../../src-main/domain/annotation.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { countPremature, nextPremature, PREMATURE_THRESHOLD, prematurities, type BeatTiming } from '../../src-renderer/lib/navigation.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

/** 232's reference beats in time order, their positions and AAMI classes. */
async function referenceBeats(record: string): Promise<{ beats: Annotation[]; timing: BeatTiming; aami: string[] }> {
  const src = await openRecording(mitdbRecord(record));
  try {
    const beats = (await readAnnotations(src, 'atr')).filter((a) => isBeatSymbol(a.symbol)).sort((a, b) => a.sample - b.sample);
    return { beats, timing: { samples: Int32Array.from(beats, (a) => a.sample), fs: src.info.fs }, aami: beats.map((a) => aamiClassOf(a.symbol) ?? 'Q') };
  } finally {
    await src.close();
  }
}

/** Of the beats that have a prematurity (all but the first three) and satisfy `which`: how many, and how many are under the threshold. */
function tally(p: Float64Array, which: (i: number) => boolean): { premature: number; of: number } {
  let premature = 0, of = 0;
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i]) && which(i)) { of++; if (p[i] < PREMATURE_THRESHOLD) premature++; }
  return { premature, of };
}

const pct = (t: { premature: number; of: number }): string => `${((100 * t.premature) / t.of).toFixed(1)} %`;

describeMitdb('premature N on MIT-BIH 232', () => {
  it('APCs (A) are premature by the rule far more often than N-class beats: 48 of 1380 A (3.5 %) against 1 of 397 N (0.3 %)', async () => {
    const { beats, timing, aami } = await referenceBeats('232');
    const p = prematurities(timing);
    const apc = tally(p, (i) => beats[i].symbol === 'A');
    const normal = tally(p, (i) => aami[i] === 'N'); // 232's N class is its RBBB beats (R) and one junctional escape (j)
    const counts = `A ${apc.premature}/${apc.of} (${pct(apc)}), N ${normal.premature}/${normal.of} (${pct(normal)})`;
    expect(apc.premature / apc.of, counts).toBeGreaterThan(10 * (normal.premature / normal.of));
    expect([apc, normal], counts).toEqual([{ premature: 48, of: 1380 }, { premature: 1, of: 397 }]);
    // By the reference's own labels the jump has one stop, the one early N-class beat.
    const reference = (i: number): string => aami[i];
    expect(countPremature(timing, reference)).toBe(1);
    expect(aami[nextPremature(timing, -1, 1, reference)]).toBe('N');
  });

  it("for a model that calls every beat N, the jump's 49 stops are 48 APCs: precise, though it reaches few of 232's APCs (most sit in runs)", async () => {
    const { beats, timing } = await referenceBeats('232');
    const allN = (): string => 'N';
    const stops: number[] = [];
    for (let i = nextPremature(timing, -1, 1, allN); i >= 0; i = nextPremature(timing, i, 1, allN)) stops.push(i);
    expect(stops.length).toBe(countPremature(timing, allN));
    const apcStops = stops.filter((i) => beats[i].symbol === 'A').length;
    expect([stops.length, apcStops], `${apcStops} of ${stops.length} stops are APCs`).toEqual([49, 48]);
    // The blind spot: an APC inside a run is judged against the run's own RR, so it is not early. In 232, 1106 of the
    // 1382 A beats follow another A, and fewer than 5 % of all its A beats are caught.
    const apcs = beats.filter((a) => a.symbol === 'A').length;
    const inRuns = beats.filter((a, i) => a.symbol === 'A' && i > 0 && beats[i - 1].symbol === 'A').length;
    expect([apcs, inRuns]).toEqual([1382, 1106]);
    expect(apcStops / apcs, `${apcStops} of ${apcs} APCs reached`).toBeLessThan(0.05);
  });
});
