/**
 * EDF+ Time-stamped Annotations Lists (TALs, https://www.edfplus.info/specs/edfplus.html#tal): inside each data
 * record, the bytes of an `EDF Annotations` signal hold TALs
 *   +Onset[\x15Duration]\x14Text1\x14Text2\x14…\x14\x00
 * (onset in seconds from the file's start time, UTF-8 texts), padded with \x00. The first TAL of each record is
 * the record's time-keeping TAL (`+Onset\x14\x14\x00`), giving when that record starts.
 *
 * Mapping to WFDB-style annotations (our convention, used by both the reader and the writer):
 *   text `N` (any WFDB mnemonic)        → symbol `N`, aux ''
 *   text `+ (AFIB` (mnemonic, space, …) → symbol `+`, aux `(AFIB`
 *   any other text `Lights off`         → symbol `"` (NOTE), aux `Lights off`
 * A duration, which Annotation cannot hold, is appended to aux as ` [duration 12.5 s]`.
 */
import { annotationCode } from '../../domain/annotation.js';

export interface TalEntry {
  onset: number;
  duration?: number;
  texts: string[];
}

export interface RecordTals {
  /** Onset of the record's time-keeping TAL, or null when the record has none. */
  recordOnset: number | null;
  entries: TalEntry[];
  /** Description of the first malformed TAL, if any (the rest of that record's TAL bytes are skipped). */
  error?: string;
}

const utf8 = new TextDecoder('utf-8');
const ONSET = /^[+-]\d+(\.\d*)?$/;
const DURATION = /^\d+(\.\d*)?$/;

/** Parse the TAL bytes of one annotation signal in one data record. */
export function parseTals(bytes: Uint8Array): RecordTals {
  const out: RecordTals = { recordOnset: null, entries: [] };
  let p = 0;
  let first = true;
  const n = bytes.length;
  while (p < n) {
    if (bytes[p] === 0) { p++; continue; }
    const end = bytes.indexOf(0, p);
    if (end < 0) { out.error = `TAL at byte ${p} is not terminated by a 0 byte`; break; }
    const tal = bytes.subarray(p, end);
    p = end + 1;
    // tal = onset[\x15duration]\x14text\x14text\x14 (the final \x14 precedes the 0 byte)
    const firstSep = tal.indexOf(0x14);
    if (firstSep < 0) { out.error = `TAL '${utf8.decode(tal).slice(0, 40)}' has no 0x14 separator`; break; }
    const timing = utf8.decode(tal.subarray(0, firstSep));
    const [onsetText, durationText] = timing.split('\x15');
    if (!ONSET.test(onsetText) || (durationText !== undefined && durationText !== '' && !DURATION.test(durationText))) {
      out.error = `TAL timing '${timing.slice(0, 40)}' is malformed`;
      break;
    }
    const onset = Number(onsetText);
    const texts = utf8.decode(tal.subarray(firstSep + 1)).split('\x14');
    if (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
    if (first) {
      first = false;
      if (texts.length === 0 || texts[0] === '') {
        out.recordOnset = onset;
        texts.shift();
      }
    }
    const entry: TalEntry = { onset, texts: texts.filter((t) => t !== '') };
    if (durationText) entry.duration = Number(durationText);
    if (entry.texts.length > 0) out.entries.push(entry);
  }
  return out;
}

function isWfdbSymbol(s: string): boolean {
  return s !== ' ' && s !== '' && annotationCode(s) !== undefined;
}

/** An annotation text (and optional duration) → symbol and aux, per the mapping in this module's comment. */
export function textToSymbol(text: string, duration?: number): { symbol: string; aux: string } {
  let symbol = '"';
  let aux = text;
  if (isWfdbSymbol(text)) {
    symbol = text;
    aux = '';
  } else {
    const sp = text.indexOf(' ');
    if (sp > 0 && isWfdbSymbol(text.slice(0, sp))) {
      symbol = text.slice(0, sp);
      aux = text.slice(sp + 1);
    }
  }
  if (duration !== undefined) aux += `${aux ? ' ' : ''}[duration ${duration} s]`;
  return { symbol, aux };
}

/** The inverse of textToSymbol: the shortest text that maps back to exactly (symbol, aux). */
export function symbolToText(symbol: string, aux: string): string {
  if (aux === '') return symbol;
  if (symbol === '"') {
    const back = textToSymbol(aux);
    if (back.symbol === '"' && back.aux === aux) return aux;
  }
  return `${symbol} ${aux}`;
}

/** Text that cannot go in a TAL (the separators) is replaced by spaces. */
export function sanitiseTalText(t: string): string {
  // eslint-disable-next-line no-control-regex
  return t.replace(/[\x00\x14\x15]/g, ' ');
}

const enc = new TextEncoder();

/** One TAL's bytes. */
export function encodeTal(onset: string, texts: string[]): Uint8Array {
  return enc.encode(`${onset}\x14${texts.map(sanitiseTalText).join('\x14')}\x14\x00`);
}

/** The time-keeping TAL that starts each record. */
export function encodeTimekeepingTal(onset: string): Uint8Array {
  return enc.encode(`${onset}\x14\x14\x00`);
}
