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

/** Parse the TAL bytes of one annotation signal in one data record (decoded once, then split as text: fast). */
export function parseTals(bytes: Uint8Array): RecordTals {
  const out: RecordTals = { recordOnset: null, entries: [] };
  let last = bytes.length;
  while (last > 0 && bytes[last - 1] === 0) last--;
  if (last === 0) return out;
  if (last === bytes.length) {
    out.error = `TAL at the end of the record is not terminated by a 0 byte`;
    return out;
  }
  const talTexts = utf8.decode(bytes.subarray(0, last)).split('\0');
  let first = true;
  for (const tal of talTexts) {
    if (tal === '') continue;
    // tal = onset[\x15duration]\x14text\x14text\x14 (the final \x14 precedes the 0 byte)
    const parts = tal.split('\x14');
    if (parts.length < 2) { out.error = `TAL '${tal.slice(0, 40)}' has no 0x14 separator`; break; }
    const timing = parts[0];
    const sep = timing.indexOf('\x15');
    const onsetText = sep < 0 ? timing : timing.slice(0, sep);
    const durationText = sep < 0 ? '' : timing.slice(sep + 1);
    if (!ONSET.test(onsetText) || (durationText !== '' && !DURATION.test(durationText))) {
      out.error = `TAL timing '${timing.slice(0, 40)}' is malformed`;
      break;
    }
    const onset = Number(onsetText);
    const texts = parts.slice(1);
    if (texts[texts.length - 1] === '') texts.pop();
    if (first) {
      first = false;
      if (texts.length === 0 || texts[0] === '') {
        out.recordOnset = onset;
        texts.shift();
      }
    }
    const entry: TalEntry = { onset, texts: texts.filter((t) => t !== '') };
    if (durationText !== '') entry.duration = Number(durationText);
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

/** One TAL as text (encode as UTF-8; Buffer.byteLength gives its size). */
export function talText(onset: string, texts: string[]): string {
  return `${onset}\x14${texts.map(sanitiseTalText).join('\x14')}\x14\x00`;
}

/** The time-keeping TAL that starts each record. */
export function timekeepingTalText(onset: string): string {
  return `${onset}\x14\x14\x00`;
}
