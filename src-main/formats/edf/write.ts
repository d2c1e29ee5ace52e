/**
 * EDF+C writer: the signals of a Recording plus one `EDF Annotations` channel carrying every annotation.
 *
 * Digital representation: when a signal's digital samples fit in -32767..32767 they are written unchanged
 * (lossless) with digital range -32767..32767 and the physical range that the signal's gain/baseline give it;
 * otherwise (e.g. Int32 CSV samples) they are linearly rescaled onto that range from the signal's physical
 * min..max (error ≤ half a digital step). Invalid samples are written as -32768, which the reader maps back
 * to invalid because it lies below the digital minimum.
 *
 * A recording whose length is not a whole number of data records is padded with invalid samples: EDF has
 * no way to state a length that ends mid-record.
 *
 * Annotations are TALs (see tal.ts for the text mapping). Each goes into the data record covering its onset
 * when the channel is big enough; the channel size is chosen from the annotations' total size so that even
 * 100,000 annotations bunched together fit without bloating every record (surplus spills into neighbouring
 * records, keeping time order: a TAL's onset need not fall inside its record, though readers prefer it there).
 */
import { open } from 'node:fs/promises';
import type { Annotation } from '../../domain/annotation.js';
import type { Recording } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { digitalRange } from '../file.js';
import { MAX_EDF_RECORD_BYTES } from './header.js';
import { symbolToText, talText, timekeepingTalText } from './tal.js';

export interface WriteEdfOptions {
  /** Seconds per data record; default the smallest whole number of seconds holding a whole number of samples. */
  recordDuration?: number;
  /** EDF+ patient field (`code sex birthdate name`); default `X X X X`. */
  patient?: string;
  /** Technician / equipment part of the EDF+ recording field; default `X X X`. */
  recordingId?: string;
  /** Start date/time; default the recording's, else 1 Jan 1985 00:00:00. */
  startTime?: Date;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** A number in at most 8 characters, rounded in the given direction. */
export function formatEdfNumber(x: number, direction: 'down' | 'up' | 'nearest' = 'nearest'): string {
  const plain = String(x);
  if (plain.length <= 8 && !plain.includes('e')) return plain;
  for (let d = 7; d >= 0; d--) {
    const f = 10 ** d;
    const r = direction === 'down' ? Math.floor(x * f) / f : direction === 'up' ? Math.ceil(x * f) / f : Math.round(x * f) / f;
    const s = r.toFixed(d).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    if (s.length <= 8) return s;
  }
  throw new RangeError(`${x} does not fit in an 8-character EDF field`);
}

function field(s: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const ascii = s.replace(/[^\x20-\x7e]/g, '?');
  return ascii.slice(0, width).padEnd(width, ' ');
}

interface Mapping { digitalMin: number; digitalMax: number; physicalMin: string; physicalMax: string; scale?: { pmin: number; k: number } }

function chooseMapping(path: string, samples: ArrayLike<number>, gain: number, baseline: number, invalid: number | undefined): Mapping {
  const g = gain === 0 ? 200 : gain;
  const { lo, hi } = digitalRange(samples, invalid);
  if (lo >= -32767 && hi <= 32767 || lo === Infinity) {
    return { digitalMin: -32767, digitalMax: 32767, physicalMin: formatEdfNumber((-32767 - baseline) / g), physicalMax: formatEdfNumber((32767 - baseline) / g) };
  }
  const p1 = (lo - baseline) / g;
  const p2 = (hi - baseline) / g;
  let pmin = Math.min(p1, p2);
  let pmax = Math.max(p1, p2);
  if (pmax === pmin) { pmin -= 1; pmax += 1; }
  const smin = formatEdfNumber(pmin, 'down');
  const smax = formatEdfNumber(pmax, 'up');
  const nmin = Number(smin);
  const nmax = Number(smax);
  if (!(nmax > nmin)) throw new FormatError(path, `cannot represent physical range ${pmin}..${pmax} in EDF's 8-character fields`);
  return { digitalMin: -32767, digitalMax: 32767, physicalMin: smin, physicalMax: smax, scale: { pmin: nmin, k: 65534 / (nmax - nmin) } };
}

function recordDurationFor(fs: number, requested?: number): number {
  if (requested !== undefined) {
    if (!(requested > 0) || Math.abs(fs * requested - Math.round(fs * requested)) > 1e-6) {
      throw new RangeError(`record duration ${requested} s does not hold a whole number of samples at ${fs} Hz`);
    }
    return requested;
  }
  for (let k = 1; k <= 1000; k++) if (Math.abs(fs * k - Math.round(fs * k)) < 1e-6) return k;
  throw new RangeError(`sampling rate ${fs} Hz gives no whole number of samples in up to 1000 s; pass recordDuration`);
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** Write `recording` (all its signals over its window) and `annotations` (sample indices in the recording's frame) as EDF+C. */
export async function writeEdf(path: string, recording: Recording, annotations: readonly Annotation[], options: WriteEdfOptions = {}): Promise<void> {
  const { info } = recording;
  const fs = info.fs;
  if (!(fs > 0)) throw new FormatError(path, `cannot write EDF: sampling rate ${fs}`);
  const n = recording.to - recording.from;
  const duration = recordDurationFor(fs, options.recordDuration);
  const spr = Math.round(fs * duration);
  const nRecords = Math.max(1, Math.ceil(n / spr));
  const durationText = formatEdfNumber(duration);

  const sigs = recording.signals;
  const maps = sigs.map((s) => chooseMapping(path, s.samples, s.gain, s.baseline, s.invalidValue));

  // --- Annotations → TAL bytes per record ---
  const decimals = Math.max(3, Math.ceil(Math.log10(fs)) + 3);
  const sorted = [...annotations].sort((a, b) => a.sample - b.sample);
  const tals = sorted.map((a) => {
    const t = (a.sample - recording.from) / fs;
    const text = talText(`${t < 0 ? '-' : '+'}${Math.abs(t).toFixed(decimals)}`, [symbolToText(a.symbol, a.aux)]);
    return { record: Math.min(nRecords - 1, Math.max(0, Math.floor((a.sample - recording.from) / spr))), text, length: Buffer.byteLength(text, 'utf8') };
  });
  const timekeeping = Array.from({ length: nRecords }, (_, r) => timekeepingTalText(`+${r * duration}`));
  const tkMax = timekeeping.reduce((acc, t) => Math.max(acc, t.length), 0);
  const total = tals.reduce((acc, t) => acc + t.length, 0);
  const talMax = tals.reduce((acc, t) => Math.max(acc, t.length), 0);
  const need = new Array<number>(nRecords).fill(0);
  for (const t of tals) need[t.record] += t.length;
  const placedAtOnset = need.reduce((acc, b, r) => Math.max(acc, b + timekeeping[r].length), 0);
  const capacityBase = Math.max(64, Math.min(placedAtOnset, tkMax + Math.ceil(total / nRecords) + talMax));
  // Place each TAL in the record covering its onset while that record has room, else in the next one with
  // room. If some are left at the end, a second pass from the back puts every TAL in the latest record with
  // room that is no later than where the first pass put it. Both passes keep TALs in time order across
  // records (annotations at the same sample keep their order), and capacity ≥ time-keeping + average share +
  // largest TAL means every record takes at least its share, so everything fits.
  const capacity = capacityBase + (capacityBase % 2);
  const recordOf = new Int32Array(tals.length).fill(nRecords - 1);
  let used = timekeeping.map((t) => t.length);
  let next = 0;
  for (let r = 0; r < nRecords; r++) {
    while (next < tals.length && tals[next].record <= r && used[r] + tals[next].length <= capacity) {
      recordOf[next] = r;
      used[r] += tals[next].length;
      next++;
    }
  }
  if (next < tals.length) {
    used = timekeeping.map((t) => t.length);
    for (let t = tals.length - 1, r = nRecords - 1; t >= 0; t--) {
      r = Math.min(r, recordOf[t]);
      while (r >= 0 && used[r] + tals[t].length > capacity) r--;
      if (r < 0) throw new Error(`EDF writer: annotation channel capacity ${capacity} bytes is too small (bug)`);
      recordOf[t] = r;
      used[r] += tals[t].length;
    }
  }
  const placement: number[][] = Array.from({ length: nRecords }, () => []);
  for (let t = 0; t < tals.length; t++) placement[recordOf[t]].push(t);
  const annSpr = capacity / 2;

  // --- Header ---
  const ns = sigs.length + 1;
  const recordBytes = 2 * (spr * sigs.length + annSpr);
  if (recordBytes > MAX_EDF_RECORD_BYTES) throw new FormatError(path, `cannot write EDF: a data record would be ${recordBytes} bytes`);
  const start = options.startTime ?? info.startTime ?? new Date(Date.UTC(1985, 0, 1));
  const dd = twoDigits(start.getUTCDate());
  const mm = twoDigits(start.getUTCMonth() + 1);
  const yyyy = start.getUTCFullYear();
  const yy = yyyy >= 1985 && yyyy <= 2084 ? twoDigits(yyyy % 100) : 'yy';
  let h = '';
  h += field('0', 8);
  h += field(options.patient ?? 'X X X X', 80);
  h += field(`Startdate ${dd}-${MONTHS[start.getUTCMonth()]}-${yyyy} ${options.recordingId ?? 'X X X'}`, 80);
  h += field(`${dd}.${mm}.${yy}`, 8);
  h += field(`${twoDigits(start.getUTCHours())}.${twoDigits(start.getUTCMinutes())}.${twoDigits(start.getUTCSeconds())}`, 8);
  h += field(String(256 * (ns + 1)), 8);
  h += field('EDF+C', 44);
  h += field(String(nRecords), 8);
  h += field(durationText, 8);
  h += field(String(ns), 4);
  const per = (f: (i: number) => string, w: number): void => {
    for (let i = 0; i < sigs.length; i++) h += field(f(i), w);
    h += field(f(-1), w);
  };
  per((i) => (i < 0 ? 'EDF Annotations' : sigs[i].name), 16);
  per(() => '', 80);
  per((i) => (i < 0 ? '' : sigs[i].units), 8);
  per((i) => (i < 0 ? '-1' : maps[i].physicalMin), 8);
  per((i) => (i < 0 ? '1' : maps[i].physicalMax), 8);
  per((i) => (i < 0 ? '-32768' : String(maps[i].digitalMin)), 8);
  per((i) => (i < 0 ? '32767' : String(maps[i].digitalMax)), 8);
  per(() => '', 80);
  per((i) => String(i < 0 ? annSpr : spr), 8);
  per(() => '', 32);
  if (h.length !== 256 * (ns + 1)) throw new Error(`EDF header is ${h.length} bytes, expected ${256 * (ns + 1)}`);

  // --- Data records, written in chunks ---
  const fh = await open(path, 'w');
  try {
    await fh.write(Buffer.from(h, 'latin1'), 0, h.length, 0);
    let pos = h.length;
    const perChunk = Math.max(1, Math.floor((4 * 1024 * 1024) / recordBytes));
    const chunk = Buffer.alloc(perChunk * recordBytes);
    const words = new Int16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2);
    for (let r0 = 0; r0 < nRecords; r0 += perChunk) {
      const nr = Math.min(perChunk, nRecords - r0);
      chunk.fill(0);
      for (let k = 0; k < nr; k++) {
        const r = r0 + k;
        const wbase = (k * recordBytes) / 2;
        for (let j = 0; j < sigs.length; j++) {
          const s = sigs[j];
          const src = s.samples;
          const inv = s.invalidValue;
          const m = maps[j];
          const g = s.gain === 0 ? 200 : s.gain;
          const o = wbase + j * spr;
          for (let i = 0; i < spr; i++) {
            const idx = r * spr + i;
            if (idx >= n) { words[o + i] = -32768; continue; }
            const v = src[idx];
            if (v === inv) words[o + i] = -32768;
            else if (m.scale) words[o + i] = Math.max(-32767, Math.min(32767, Math.round(((v - s.baseline) / g - m.scale.pmin) * m.scale.k - 32767)));
            else words[o + i] = v;
          }
        }
        let b = k * recordBytes + 2 * spr * sigs.length;
        b += chunk.write(timekeeping[r], b, 'latin1');
        for (const t of placement[r]) b += chunk.write(tals[t].text, b, 'utf8');
      }
      await fh.write(chunk, 0, nr * recordBytes, pos);
      pos += nr * recordBytes;
    }
  } finally {
    await fh.close();
  }
}
