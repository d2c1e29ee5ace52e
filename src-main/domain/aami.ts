/**
 * The AAMI beat classes of ANSI/AAMI EC57 and the mapping of MIT-BIH beat symbols onto them.
 * N: normal and bundle-branch-block beats; S: supraventricular ectopic; V: ventricular ectopic;
 * F: fusion of ventricular and normal; Q: paced, fusion of paced and normal, and unclassifiable.
 */
export const AAMI_CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;
export type AamiClass = (typeof AAMI_CLASSES)[number];

export const AAMI_OF_SYMBOL: Readonly<Record<string, AamiClass>> = {
  N: 'N', L: 'N', R: 'N', e: 'N', j: 'N',
  A: 'S', a: 'S', J: 'S', S: 'S',
  V: 'V', E: 'V',
  F: 'F',
  '/': 'Q', f: 'Q', Q: 'Q',
};

/** The AAMI class of an MIT-BIH beat symbol, or undefined when the symbol is not a beat AAMI counts. */
export function aamiClassOf(symbol: string): AamiClass | undefined {
  return AAMI_OF_SYMBOL[symbol];
}

export function aamiIndex(c: AamiClass): number {
  return AAMI_CLASSES.indexOf(c);
}

export function isAamiClass(s: string): s is AamiClass {
  return (AAMI_CLASSES as readonly string[]).includes(s);
}
