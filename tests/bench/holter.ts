/**
 * The 24-hour Holter used by benchmarks: the 48 MIT-BIH Arrhythmia records (2 leads, 360 Hz, 30 min each)
 * concatenated into one EDF+ file of 31.2 M samples per lead (48 × 30 min ≈ 24 h), with every
 * reference (atr) annotation carried in its EDF Annotations channel at the right offset. Written once to
 * os.tmpdir() and reused. Leads are named ECG1/ECG2 because the records do not share lead names (most are
 * MLII + V1/V5; record 114 has them swapped).
 */
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Annotation } from '../../src-main/domain/annotation.js';
import type { Recording } from '../../src-main/domain/recording.js';
import { openEdfRecording, writeEdf } from '../../src-main/formats/edf/index.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { MITDB_RECORDS, mitdbRecord } from '../helpers/data.js';

export const HOLTER_EDF_PATH = join(tmpdir(), 'ecg-review-holter-24h.edf');
const RECORD_SAMPLES = 650_000;

async function isComplete(path: string, records: number): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    const s = await openEdfRecording(path);
    return s.info.signals.length === 2 && s.info.fs === 360 && s.info.length === records * RECORD_SAMPLES;
  } catch {
    return false;
  }
}

/** Write (or reuse) the 24-hour EDF+ at `path` (or a shorter one of the given records); returns the path. */
export async function makeHolterEdf(path = HOLTER_EDF_PATH, records: readonly string[] = MITDB_RECORDS): Promise<string> {
  if (await isComplete(path, records.length)) return path;
  const n = records.length * RECORD_SAMPLES;
  const leads = [new Int16Array(n), new Int16Array(n)];
  const annotations: Annotation[] = [];
  let offset = 0;
  for (const name of records) {
    const src = await openRecording(mitdbRecord(name));
    if (src.info.length !== RECORD_SAMPLES || src.info.fs !== 360) throw new Error(`MIT-BIH ${name}: unexpected length/rate`);
    const w = await src.read({ channels: [0, 1] });
    w.signals.forEach((s, c) => {
      if (s.gain !== 200 || s.baseline !== 1024) throw new Error(`MIT-BIH ${name}: gain/baseline ${s.gain}/${s.baseline}, expected 200/1024`);
      leads[c].set(s.samples, offset);
    });
    for (const a of await readAnnotations(src, 'atr')) annotations.push({ ...a, sample: a.sample + offset });
    offset += RECORD_SAMPLES;
  }
  const info = { name: 'holter24', path, format: 'edf+' as const, fs: 360, length: n, startTime: new Date(Date.UTC(2000, 0, 1, 8, 0, 0)), warnings: [], comments: [], signals: [] };
  const base = { units: 'mV', gain: 200, baseline: 1024, adcResolution: 11, adcZero: 1024, storage: '212', invalidValue: -32768 };
  const recording: Recording = { info, from: 0, to: n, signals: leads.map((samples, c) => ({ ...base, name: `ECG${c + 1}`, samples })) };
  const tmp = `${path}.${process.pid}.tmp`;
  await writeEdf(tmp, recording, annotations, { recordingId: 'MIT-BIH-Arrhythmia-48-records-concatenated' });
  await rename(tmp, path);
  return path;
}
