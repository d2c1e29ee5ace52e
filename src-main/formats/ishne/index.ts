/**
 * ISHNE Holter `.ecg` reader (layout in header.ts) with random access by sample window.
 *
 * Conventions: amplitude resolution r nV per ADC unit gives gain 1e6 / r adu per mV, baseline 0; -32768 is
 * taken as the invalid-sample marker (the standard defines none; our writer uses it for missing samples).
 * Lead names come from the lead-spec codes, unless the variable-length block holds a `leads=A,B,…` line with
 * one name per lead (written by our writer so that names like MLII survive a round trip).
 */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Annotation } from '../../domain/annotation.js';
import type { Recording, RecordingInfo, RecordingSource, SampleWindow, SignalInfo } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { fileSize, readAt } from '../file.js';
import { checkWindow } from '../window.js';
import { crc16Ccitt, decodeIshneHeader, ISHNE_HEADER_BYTES, ISHNE_LEADS, ISHNE_MAGIC, type IshneHeader } from './header.js';

export { crc16Ccitt, decodeIshneHeader, encodeIshneHeader, ISHNE_LEADS, type IshneHeader } from './header.js';
export { writeIshne, type WriteIshneOptions } from './write.js';

/** A variable-length block larger than this is a corrupt header, not free text. */
const MAX_VAR_BLOCK = 16 * 1024 * 1024;
const CHUNK_BYTES = 8 * 1024 * 1024;
export const MAX_ISHNE_SAMPLES = 1_000_000_000;
/** One read() returns at most this many samples per channel (512 MB as Int16); longer spans are read in pieces. */
export { MAX_WINDOW_SAMPLES } from '../window.js';

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

function validDate(d: number[]): boolean {
  return d[0] >= 1 && d[0] <= 31 && d[1] >= 1 && d[1] <= 12 && d[2] > 0;
}

export async function openIshneRecording(path: string): Promise<RecordingSource> {
  const size = await fileSize(path, 'an ISHNE file');
  if (size === 0) throw new FormatError(path, 'file is empty');
  if (size < ISHNE_HEADER_BYTES) throw new FormatError(path, `file is ${size} bytes, shorter than the ${ISHNE_HEADER_BYTES}-byte ISHNE header`);
  const fh = await open(path, 'r');
  let h: IshneHeader;
  let varText = '';
  const warnings: string[] = [];
  try {
    const head = new Uint8Array(ISHNE_HEADER_BYTES);
    await readAt(fh, head, 0);
    const magic = String.fromCharCode(...head.subarray(0, 8));
    if (magic !== ISHNE_MAGIC) throw new FormatError(path, `is not an ISHNE 1.0 file (magic '${magic.replace(/[^\x20-\x7e]/g, '?')}', expected '${ISHNE_MAGIC}')`);
    h = decodeIshneHeader(head);
    if (h.varBlockSize < 0 || h.varBlockSize > MAX_VAR_BLOCK) throw new FormatError(path, `variable-length block size ${h.varBlockSize} is invalid`);
    if (h.varBlockOffset < ISHNE_HEADER_BYTES) throw new FormatError(path, `variable-length block offset ${h.varBlockOffset} lies inside the ${ISHNE_HEADER_BYTES}-byte header`);
    if (h.ecgOffset < h.varBlockOffset + h.varBlockSize) {
      throw new FormatError(path, `ECG block offset ${h.ecgOffset} overlaps the variable-length block (${h.varBlockOffset} + ${h.varBlockSize})`);
    }
    if (h.ecgOffset > size) throw new FormatError(path, `ECG block offset ${h.ecgOffset} is beyond the end of the ${size}-byte file`);
    if (h.ecgOffset - ISHNE_HEADER_BYTES > MAX_VAR_BLOCK) throw new FormatError(path, `ECG block offset ${h.ecgOffset} is implausibly far from the header`);
    // The CRC covers the fixed and variable headers: bytes 10 up to the ECG block.
    const rest = new Uint8Array(h.ecgOffset - ISHNE_HEADER_BYTES);
    await readAt(fh, rest, ISHNE_HEADER_BYTES);
    const covered = new Uint8Array(h.ecgOffset - 10);
    covered.set(head.subarray(10), 0);
    covered.set(rest, ISHNE_HEADER_BYTES - 10);
    const crc = crc16Ccitt(covered);
    if (crc !== h.checksum) {
      throw new FormatError(path, `header CRC mismatch: expected ${hex(crc)} (CRC-16 CCITT of bytes 10..${h.ecgOffset}), found ${hex(h.checksum)} in the file; the header is corrupt`);
    }
    const vb = rest.subarray(h.varBlockOffset - ISHNE_HEADER_BYTES, h.varBlockOffset - ISHNE_HEADER_BYTES + h.varBlockSize);
    varText = new TextDecoder('latin1').decode(vb).replace(/\0+$/, '');
  } finally {
    await fh.close();
  }

  if (h.nLeads < 1 || h.nLeads > 12) throw new FormatError(path, `number of leads is ${h.nLeads}; ISHNE allows 1..12`);
  if (h.samplingRate <= 0) throw new FormatError(path, `sampling rate is ${h.samplingRate} Hz`);
  for (let k = 0; k < h.nLeads; k++) {
    if (h.resolution[k] <= 0) throw new FormatError(path, `amplitude resolution of lead ${k} is ${h.resolution[k]} nV; it must be positive`);
  }
  if (h.samplesPerLead < 0) throw new FormatError(path, `ECG samples per lead is ${h.samplesPerLead}`);
  const frameBytes = 2 * h.nLeads;
  const available = Math.floor((size - h.ecgOffset) / frameBytes);
  let length = h.samplesPerLead;
  if (length === 0) {
    length = available;
    warnings.push(`header gives 0 ECG samples per lead; ${available} taken from the file size`);
  } else if (length > available) {
    throw new FormatError(path, `ECG sample block is truncated: the header declares ${length} samples per lead (${length * frameBytes} bytes from offset ${h.ecgOffset}) but the file holds ${size - h.ecgOffset} bytes (${available} samples per lead)`);
  } else if (length < available) {
    warnings.push(`file holds ${(available - length) * frameBytes} bytes after the ${length} declared samples per lead (ignored)`);
  }
  if (length > MAX_ISHNE_SAMPLES) throw new FormatError(path, `declares ${length} samples per lead, more than the ${MAX_ISHNE_SAMPLES} this reader accepts`);
  if ((size - h.ecgOffset) % frameBytes !== 0 && length === available) warnings.push(`file ends with ${(size - h.ecgOffset) % frameBytes} bytes that do not make a whole sample frame (ignored)`);

  const leadsLine = /^leads=(.*)$/m.exec(varText);
  const names = leadsLine?.[1].split(',').map((s) => s.trim());
  const signals: SignalInfo[] = Array.from({ length: h.nLeads }, (_, k) => ({
    name: names && names.length === h.nLeads ? names[k] : (ISHNE_LEADS[h.leadSpec[k]] ?? `lead ${k + 1}`),
    units: 'mV',
    gain: 1e6 / h.resolution[k],
    baseline: 0,
    adcResolution: 16,
    adcZero: 0,
    storage: 'ishne16',
    invalidValue: -32768,
  }));
  const st = h.startTime;
  let startTime: Date | null = null;
  if (validDate(h.recordDate) && st[0] >= 0 && st[0] < 24 && st[1] >= 0 && st[1] < 60 && st[2] >= 0 && st[2] < 60) {
    startTime = new Date(Date.UTC(h.recordDate[2], h.recordDate[1] - 1, h.recordDate[0], st[0], st[1], st[2]));
  } else if (h.recordDate.some((x) => x > 0)) {
    warnings.push(`record date/time ${h.recordDate.join('/')} ${st.join(':')} is not a valid date; start time unknown`);
  }
  const comments = [
    (h.firstName || h.lastName) && `patient: ${h.firstName} ${h.lastName}`.trim(),
    h.id && `id: ${h.id}`,
    h.sex > 0 && `sex: ${h.sex === 1 ? 'male' : h.sex === 2 ? 'female' : h.sex}`,
    validDate(h.birthDate) && `birth date: ${h.birthDate[2]}-${String(h.birthDate[1]).padStart(2, '0')}-${String(h.birthDate[0]).padStart(2, '0')}`,
    h.recorder && `recorder: ${h.recorder}`,
    h.pacemaker > 0 && `pacemaker: ${h.pacemaker}`,
    ...varText.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('leads=')),
  ].filter((c): c is string => typeof c === 'string' && c !== '');

  const info: RecordingInfo = {
    name: basename(path, extname(path)),
    path,
    format: 'ishne',
    fs: h.samplingRate,
    length,
    startTime,
    signals,
    warnings,
    comments,
  };
  const header = h;
  return {
    info,
    read: (w) => readWindow(path, header, info, w),
    embeddedAnnotations: async (): Promise<Annotation[]> => [],
    close: async () => {},
  };
}

async function readWindow(path: string, h: IshneHeader, info: RecordingInfo, w: SampleWindow = {}): Promise<Recording> {
  const { from, to, channels } = checkWindow(path, info, w);
  const nl = h.nLeads;
  const arrays = channels.map(() => new Int16Array(to - from));
  if (to > from) {
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / (2 * nl)));
    const buf = new Uint8Array(Math.min(to - from, perChunk) * 2 * nl);
    const fh = await open(path, 'r');
    try {
      for (let f = from; f < to; f += perChunk) {
        const nf = Math.min(perChunk, to - f);
        const bytes = buf.subarray(0, nf * 2 * nl);
        const got = await readAt(fh, bytes, h.ecgOffset + f * 2 * nl);
        if (got < bytes.length) throw new FormatError(path, `file shrank while reading: sample ${f + Math.floor(got / (2 * nl))} is missing`);
        const words = new Int16Array(bytes.buffer, bytes.byteOffset, nf * nl);
        for (let j = 0; j < channels.length; j++) {
          const out = arrays[j];
          const c = channels[j];
          const base = f - from;
          for (let i = 0, p = c; i < nf; i++, p += nl) out[base + i] = words[p];
        }
      }
    } finally {
      await fh.close();
    }
  }
  return { info, from, to, signals: channels.map((c, j) => ({ ...info.signals[c], samples: arrays[j] })) };
}
