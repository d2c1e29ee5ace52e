/**
 * Seeded pseudo-random numbers, so that shuffles, folds and sampling are reproducible from one integer.
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state, full period 2^32, passes PractRand to 32 GB —
 * ample for shuffling beat indices; not for cryptography.
 */

/** A generator of floats in [0, 1). */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(items: T, random: Random): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
