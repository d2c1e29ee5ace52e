/**
 * Synthetic fusion beats for training. A fusion beat (AAMI F) is a ventricular ectopic and a sinus beat
 * activating the ventricles together, so its QRS lies between the patient's two shapes. DS1 holds almost all of
 * its F beats in one record (208), so a model learns F from one patient and calls other patients' fusion beats N —
 * the largest source of N false positives under patient-wise validation. Mixing a patient's own V and N windows
 * (α·V + (1−α)·N, α drawn per beat) gives F examples from every DS1 patient with ventricular ectopy.
 *
 * The window channel is (beat − template)/σ_template, linear in the beat, so the mix of two windows is exactly the
 * window of the mixed beat (before clipping). The template features (correlation, log amplitude ratio) are not
 * linear; they are interpolated, an approximation. RR features are the sinus beat's: a fusion beat occurs when the
 * ectopic focus fires at about the sinus time.
 */
import type { Random } from '../../evaluation/random.js';
import { FEATURE_COUNT, MODEL_CLASSES, type BeatSet } from '../dataset/beats.js';
import { RR_FEATURE_COUNT } from '../dataset/rr.js';

export interface FusionDraw {
  /** Index of the V beat and of the N beat (same record). */
  v: number;
  n: number;
  /** Weight of the V beat, 0–1. */
  alpha: number;
}

const N = MODEL_CLASSES.indexOf('N');
const V = MODEL_CLASSES.indexOf('V');
/** A record needs this many V beats to lend its shapes: a handful of ectopics may be mislabelled noise. */
const MIN_V_PER_RECORD = 10;

/** Per training record with ventricular ectopy, its N and V beat indices (among `indices`). */
export function fusionSources(s: BeatSet, indices: ArrayLike<number>): { n: number[]; v: number[] }[] {
  const per = new Map<number, { n: number[]; v: number[] }>();
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    const l = s.labels[i];
    if (l !== N && l !== V) continue;
    const r = s.recordIndex[i];
    let e = per.get(r);
    if (!e) per.set(r, (e = { n: [], v: [] }));
    (l === N ? e.n : e.v).push(i);
  }
  return [...per.keys()].sort((a, b) => a - b).map((r) => per.get(r)!).filter((e) => e.v.length >= MIN_V_PER_RECORD && e.n.length > 0);
}

/** One synthetic fusion beat from a record drawn uniformly (so no single patient's ectopy dominates). */
export function drawFusion(sources: { n: number[]; v: number[] }[], rnd: Random): FusionDraw {
  const src = sources[Math.floor(rnd() * sources.length)];
  return { v: src.v[Math.floor(rnd() * src.v.length)], n: src.n[Math.floor(rnd() * src.n.length)], alpha: 0.3 + 0.4 * rnd() };
}

/** Write the fused window into `x` (length × channels) and its features into `f`. */
export function fuse(s: BeatSet, d: FusionDraw, x: Float32Array, f: Float32Array): void {
  const w = s.length * s.channels;
  const xv = s.x.subarray(d.v * w, (d.v + 1) * w);
  const xn = s.x.subarray(d.n * w, (d.n + 1) * w);
  for (let j = 0; j < w; j++) x[j] = Math.max(-20, Math.min(20, d.alpha * xv[j] + (1 - d.alpha) * xn[j]));
  const fv = s.features.subarray(d.v * FEATURE_COUNT, (d.v + 1) * FEATURE_COUNT);
  const fn = s.features.subarray(d.n * FEATURE_COUNT, (d.n + 1) * FEATURE_COUNT);
  for (let q = 0; q < FEATURE_COUNT; q++) f[q] = q < RR_FEATURE_COUNT ? fn[q] : d.alpha * fv[q] + (1 - d.alpha) * fn[q];
}
