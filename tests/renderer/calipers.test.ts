/**
 * Review's calipers and RR intervals as pure functions, with numbers worked out by hand: the reading between two
 * points (ms, the rate read as an RR, mV), its text, marching the caliper out over a window, where clicks put A and B,
 * and a beat's RR before and after with its prematurity against the median of up to 8 RR intervals before it.
 */
import { describe, expect, it } from 'vitest';
import { caliperReading, caliperText, marchOut, NO_CALIPER, placeCaliper, PRIOR_RR, rrOf, rrText } from '../../src-renderer/lib/calipers.js';

/** Beat positions at 360 Hz from RR intervals in samples, the first beat at sample 0. */
function beatsFrom(rrSamples: number[]): Int32Array {
  const out = new Int32Array(rrSamples.length + 1);
  rrSamples.forEach((rr, k) => (out[k + 1] = out[k] + rr));
  return out;
}

describe('calipers', () => {
  it('caliperReading: two points 0.8 s apart are 800 ms, 75.0 bpm, and their mV difference', () => {
    const r = caliperReading({ t: 1.0, v: 0.1 }, { t: 1.8, v: 1.33 });
    expect(r.ms).toBeCloseTo(800, 9);
    expect(r.bpm).toBeCloseTo(75, 9);
    expect(r.mv).toBeCloseTo(1.23, 9);
    expect(caliperText(r)).toBe('800 ms · 75.0 bpm · Δ 1.23 mV');
    // B before A reads the same; one unknown voltage leaves the mV out.
    const back = caliperReading({ t: 10.812, v: 0.5 }, { t: 10, v: null });
    expect([Math.round(back.ms), back.mv]).toEqual([812, null]);
    expect(caliperText(back)).toBe('812 ms · 73.9 bpm'); // 60000 / 812 = 73.89
    // The same instant twice: no rate.
    const zero = caliperReading({ t: 3, v: 0.4 }, { t: 3, v: -0.2 });
    expect([zero.ms, zero.bpm]).toEqual([0, null]);
    expect(caliperText(zero)).toBe('0 ms · Δ 0.60 mV');
  });

  it('marchOut: every multiple of Δt from A inside the window, both directions, edges included', () => {
    const a = { t: 1.0, v: null }, b = { t: 1.8, v: null };
    const steps = [0.2, 1.0, 1.8, 2.6, 3.4, 4.2, 5.0];
    const out = marchOut(a, b, 0, 5);
    expect(out.length).toBe(steps.length);
    out.forEach((t, k) => expect(t).toBeCloseTo(steps[k], 9));
    // B placed before A: the same steps.
    marchOut(b, a, 0, 5).forEach((t, k) => expect(t).toBeCloseTo(steps[k], 9));
    expect(marchOut(a, b, 2, 3).map((t) => Math.round(t * 1000))).toEqual([2600]);
    expect(marchOut(a, b, 2.7, 3.3)).toEqual([]);
    expect(marchOut(a, { t: 1.0, v: null }, 0, 5)).toEqual([]);
  });

  it('placeCaliper: A, then B, then a new A; a B on another lead keeps its time, not its mV', () => {
    const one = placeCaliper(NO_CALIPER, { t: 1, v: 0.2 }, 0);
    expect(one).toEqual({ a: { t: 1, v: 0.2 }, b: null, lead: 0 });
    const two = placeCaliper(one, { t: 1.5, v: 1.1 }, 0);
    expect(two).toEqual({ a: { t: 1, v: 0.2 }, b: { t: 1.5, v: 1.1 }, lead: 0 });
    expect(placeCaliper(two, { t: 4, v: -0.3 }, 1)).toEqual({ a: { t: 4, v: -0.3 }, b: null, lead: 1 });
    expect(placeCaliper(one, { t: 1.5, v: 1.1 }, 1)).toEqual({ a: { t: 1, v: 0.2 }, b: { t: 1.5, v: null }, lead: 0 });
  });
});

describe('RR intervals of a beat', () => {
  // 360 Hz, RR 800 ms (288 samples) six times, then a premature beat 500 ms (180) after the last, a 1100 ms (396)
  // pause, and 800 ms again: beats at 0, 288, …, 1728, 1908 (premature, beat 7), 2304, 2592.
  const beats = beatsFrom([288, 288, 288, 288, 288, 288, 180, 396, 288]);

  it('the premature beat: 500 ms after the last, 120 bpm, 0.625 of the 800 ms median of the six before; 1100 ms after', () => {
    expect(rrOf(beats, 360, 7)).toEqual({ preMs: 500, postMs: 1100, preBpm: 120, prematurity: 0.625, prior: 6 });
    expect(rrText(rrOf(beats, 360, 7))).toBe('RR 500 ms before (120.0 bpm, 0.63 × the 6 before) · 1100 ms after');
    // The pause after it is long against a median still 800 ms (one 500 among seven).
    expect(rrOf(beats, 360, 8)).toEqual({ preMs: 1100, postMs: 800, preBpm: 60000 / 1100, prematurity: 1.375, prior: 7 });
    // Beat 9: eight intervals before it (500, 1100 and six 800): median 800.
    expect(rrOf(beats, 360, 9)).toEqual({ preMs: 800, postMs: null, preBpm: 75, prematurity: 1, prior: 8 });
    expect(rrText(rrOf(beats, 360, 9))).toBe('RR 800 ms before (75.0 bpm, 1.00 × the 8 before) · none after (last beat)');
  });

  it('the ends: no RR before the first beat, no prematurity with fewer than two intervals before', () => {
    expect(rrOf(beats, 360, 0)).toEqual({ preMs: null, postMs: 800, preBpm: null, prematurity: null, prior: 0 });
    expect(rrText(rrOf(beats, 360, 0))).toBe('RR: none before (first beat) · 800 ms after');
    expect(rrOf(beats, 360, 2)).toEqual({ preMs: 800, postMs: 800, preBpm: 75, prematurity: null, prior: 0 });
    expect(rrText(rrOf(beats, 360, 2))).toBe('RR 800 ms before (75.0 bpm) · 800 ms after');
    expect(rrOf(beats, 360, 3).prematurity).toBe(1);
    expect(rrOf(new Int32Array([42]), 360, 0)).toEqual({ preMs: null, postMs: null, preBpm: null, prematurity: null, prior: 0 });
  });

  it('the median takes only the 8 intervals before the beat', () => {
    // Nine RR of 500 ms, then eight of 1000 ms, then the beat 1000 ms later: against the last 8 (all 1000) it is on
    // time; against all 17 (median 500) it would look twice late.
    const b = beatsFrom([...new Array(9).fill(180), ...new Array(8).fill(360), 360]);
    expect(PRIOR_RR).toBe(8);
    expect(rrOf(b, 360, b.length - 1)).toMatchObject({ preMs: 1000, prematurity: 1, prior: 8 });
    // One beat earlier the 8 before include one 500 ms interval: median still 1000.
    expect(rrOf(b, 360, b.length - 2)).toMatchObject({ preMs: 1000, prematurity: 1, prior: 8 });
  });
});
