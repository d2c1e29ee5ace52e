/**
 * ISHNE 1.0 writer (used by tests and for export). Samples are written unchanged when the signal's gain is a
 * whole number of nV per ADC unit, its baseline an integer and the samples fit in int16 after removing the
 * baseline (lossless, e.g. MIT-BIH: 200 adu/mV → 5000 nV); otherwise they are rescaled to the finest whole-nV
 * resolution that holds the signal's largest amplitude. Invalid samples become -32768. Lead names that are
 * not standard ISHNE lead codes are kept in the variable-length block as `leads=…`.
 */
import { open } from 'node:fs/promises';
import type { Recording } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { digitalRange } from '../file.js';
import { crc16Ccitt, encodeIshneHeader, ISHNE_HEADER_BYTES, ISHNE_LEADS } from './header.js';

export interface WriteIshneOptions {
  firstName?: string;
  lastName?: string;
  id?: string;
  /** Free text for the variable-length block (a `leads=` line is added). */
  comments?: string[];
  startTime?: Date;
  recorder?: string;
}

interface LeadMapping { resolution: number; offset: number; scale?: number }

function mapLead(path: string, samples: ArrayLike<number>, gain: number, baseline: number, invalid: number | undefined): LeadMapping {
  const g = gain === 0 ? 200 : gain;
  const { lo, hi } = digitalRange(samples, invalid);
  const res = 1e6 / g;
  if (Number.isInteger(res) && res >= 1 && res <= 32767 && Number.isInteger(baseline) && (lo === Infinity || (lo - baseline >= -32767 && hi - baseline <= 32767))) {
    return { resolution: res, offset: baseline };
  }
  const maxAbsNv = lo === Infinity ? 0 : Math.max(Math.abs((lo - baseline) / g), Math.abs((hi - baseline) / g)) * 1e6;
  const resolution = Math.max(1, Math.ceil(maxAbsNv / 32767));
  if (resolution > 32767) throw new FormatError(path, `cannot write ISHNE: amplitude ${maxAbsNv / 1e6} mV needs a resolution above 32767 nV`);
  return { resolution, offset: baseline, scale: 1e6 / g / resolution };
}

export async function writeIshne(path: string, recording: Recording, options: WriteIshneOptions = {}): Promise<void> {
  const { info, signals } = recording;
  const nl = signals.length;
  if (nl < 1 || nl > 12) throw new FormatError(path, `cannot write ISHNE: ${nl} leads (1..12 allowed)`);
  if (!Number.isInteger(info.fs) || info.fs < 1 || info.fs > 32767) throw new FormatError(path, `cannot write ISHNE: sampling rate ${info.fs} Hz is not an integer in 1..32767`);
  const n = recording.to - recording.from;
  const maps = signals.map((s) => mapLead(path, s.samples, s.gain, s.baseline, s.invalidValue));
  const names = signals.map((s) => s.name);
  const codes = names.map((nm) => Math.max(0, ISHNE_LEADS.indexOf(nm)));
  const varText = [...(options.comments ?? []), `leads=${names.map((s) => s.replace(/[,\n]/g, ' ')).join(',')}`].join('\n');
  const varBytes = Buffer.from(varText, 'latin1');
  const start = options.startTime ?? info.startTime;
  const now = new Date();
  const head = encodeIshneHeader({
    varBlockSize: varBytes.length,
    samplesPerLead: n,
    varBlockOffset: ISHNE_HEADER_BYTES,
    ecgOffset: ISHNE_HEADER_BYTES + varBytes.length,
    fileVersion: 1,
    firstName: options.firstName ?? '',
    lastName: options.lastName ?? '',
    id: options.id ?? info.name,
    sex: 0,
    race: 0,
    birthDate: [-9, -9, -9],
    recordDate: start ? [start.getUTCDate(), start.getUTCMonth() + 1, start.getUTCFullYear()] : [-9, -9, -9],
    fileDate: [now.getUTCDate(), now.getUTCMonth() + 1, now.getUTCFullYear()],
    startTime: start ? [start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()] : [0, 0, 0],
    nLeads: nl,
    leadSpec: codes,
    leadQuality: codes.map(() => 0),
    resolution: maps.map((m) => m.resolution),
    pacemaker: 0,
    recorder: options.recorder ?? 'ECG Review',
    samplingRate: info.fs,
    proprietary: '',
    copyright: '',
  });
  const covered = new Uint8Array(head.length - 10 + varBytes.length);
  covered.set(head.subarray(10), 0);
  covered.set(varBytes, head.length - 10);
  new DataView(head.buffer).setUint16(8, crc16Ccitt(covered), true);

  const fh = await open(path, 'w');
  try {
    await fh.write(head, 0, head.length, 0);
    await fh.write(varBytes, 0, varBytes.length, head.length);
    let pos = head.length + varBytes.length;
    const perChunk = Math.max(1, Math.floor((4 * 1024 * 1024) / (2 * nl)));
    const chunk = Buffer.alloc(Math.min(Math.max(n, 1), perChunk) * 2 * nl);
    const words = new Int16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2);
    for (let f0 = 0; f0 < n; f0 += perChunk) {
      const nf = Math.min(perChunk, n - f0);
      for (let j = 0; j < nl; j++) {
        const s = signals[j];
        const src = s.samples;
        const inv = s.invalidValue;
        const m = maps[j];
        for (let i = 0, p = j; i < nf; i++, p += nl) {
          const v = src[f0 + i];
          words[p] = v === inv ? -32768 : m.scale === undefined ? v - m.offset : Math.max(-32767, Math.min(32767, Math.round((v - m.offset) * m.scale)));
        }
      }
      await fh.write(chunk, 0, nf * 2 * nl, pos);
      pos += nf * 2 * nl;
    }
  } finally {
    await fh.close();
  }
}
