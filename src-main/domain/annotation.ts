/**
 * One annotation as WFDB defines it (https://physionet.org/physiotools/wag/annot-5.htm): a time in samples,
 * a mnemonic (`N`, `V`, `+`…), and the optional subtype, channel, number and auxiliary text fields.
 */
export interface Annotation {
  /** Sample index from the start of the recording (at the frame rate of the record). */
  sample: number;
  /** Mnemonic such as `N`, `V`, `+`, `~` (the MIT code's standard symbol). */
  symbol: string;
  /** WFDB annotation code 1..49 (0 = NOTQRS). */
  code: number;
  subtype: number;
  chan: number;
  num: number;
  /** Auxiliary text, e.g. `(AFIB` for rhythm changes; empty when absent. */
  aux: string;
}

/** WFDB annotation codes → mnemonic, from ecgcodes.h / ecgmap.h (index = code). */
export const WFDB_ANNOTATION_SYMBOLS: readonly string[] = [
  ' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', // 0..9
  'E', 'j', '/', 'Q', '~', '[15]', '|', '[17]', 's', 'T', // 10..19
  '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', // 20..29
  '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(', // 30..39
  ')', 'r', '[42]', '[43]', '[44]', '[45]', '[46]', '[47]', '[48]', '[49]', // 40..49
];

const symbolToCode = new Map<string, number>();
WFDB_ANNOTATION_SYMBOLS.forEach((s, i) => { if (!symbolToCode.has(s)) symbolToCode.set(s, i); });

export function annotationCode(symbol: string): number | undefined {
  return symbolToCode.get(symbol);
}

/** Codes that mark a beat: WFDB's isqrs() table (lib/ecgmap.h), which counts ventricular flutter waves (31, `!`)
 * and R-on-T beats (41, `r`) too. */
const QRS_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 31, 34, 35, 38, 41]);
export function isBeatCode(code: number): boolean {
  return QRS_CODES.has(code);
}
export function isBeatSymbol(symbol: string): boolean {
  const c = symbolToCode.get(symbol);
  return c !== undefined && QRS_CODES.has(c);
}
