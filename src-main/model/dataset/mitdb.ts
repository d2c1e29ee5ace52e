/**
 * Labelled beat sets from WFDB records with reference annotations (MIT-BIH DS1/DS2…), cached on disk as one
 * binary file per record and preprocessing version so reruns skip decoding and filtering.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRecording, readAnnotations } from '../../formats/index.js';
import { ModelError } from '../errors.js';
import { beatsFromAnnotations, buildRecordBeats, concatBeatSets, FEATURE_COUNT, labelDetections, type BeatSet } from './beats.js';
import { liveDetectorPositions } from './causal.js';
import { chooseLead } from './lead.js';
import type { WindowSpec } from './windows.js';

/** Bump when preprocessing changes so stale caches are never read. */
const DATASET_VERSION = 7;

export type BeatSource = 'annotator' | 'live-detector';
export const BEAT_SOURCES: readonly BeatSource[] = ['annotator', 'live-detector'];

export interface LabelledDatasetOptions {
  window: WindowSpec;
  lead?: string;
  annotator?: string;
  /**
   * Where the beats are: 'annotator' (default) at the reference annotations; 'live-detector' where the live
   * detector finds them (causal models run on those), each labelled by the reference beat within 150 ms.
   */
  positions?: BeatSource;
  /** Cache folder; default $ECG_REVIEW_CACHE or <tmpdir>/ecg-review-beats. `false` disables. */
  cacheDir?: string | false;
}

function cacheFile(dir: string, recordPath: string, o: LabelledDatasetOptions): string {
  const key = createHash('sha1').update(JSON.stringify([DATASET_VERSION, recordPath, o.window, o.lead ?? '', o.annotator ?? 'atr', ...(o.positions === 'live-detector' ? ['live-detector'] : [])])).digest('hex').slice(0, 16);
  return join(dir, `${key}.beats`);
}

function serialise(s: BeatSet): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ n: s.n, length: s.length, channels: s.channels, records: s.records, leads: s.leads, f: FEATURE_COUNT }));
  const pad = (k: number): number => (4 - (k % 4)) % 4;
  const hLen = 4 + header.length + pad(header.length);
  const parts: ArrayBufferView[] = [s.x, s.features, s.samples, s.recordIndex, s.labels];
  const size = hLen + parts.reduce((a, p) => a + p.byteLength + pad(p.byteLength), 0);
  const buf = new Uint8Array(size);
  new DataView(buf.buffer).setUint32(0, header.length, true);
  buf.set(header, 4);
  let o = hLen;
  for (const p of parts) { buf.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o); o += p.byteLength + pad(p.byteLength); }
  return buf;
}

function deserialise(bytes: Uint8Array): BeatSet | null {
  const buf = new Uint8Array(bytes); // aligned copy
  const hl = new DataView(buf.buffer).getUint32(0, true);
  const h = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + hl))) as { n: number; length: number; channels: number; records: string[]; leads: string[]; f: number };
  if (h.f !== FEATURE_COUNT) return null;
  const pad = (k: number): number => (4 - (k % 4)) % 4;
  let o = 4 + hl + pad(hl);
  const take = <T>(ctor: new (b: ArrayBuffer, o: number, n: number) => T, n: number, bytes: number): T => { const a = new ctor(buf.buffer, o, n); o += n * bytes + pad(n * bytes); return a; };
  const x = take(Float32Array, h.n * h.length * h.channels, 4);
  const features = take(Float32Array, h.n * FEATURE_COUNT, 4);
  const samples = take(Int32Array, h.n, 4);
  const recordIndex = take(Uint16Array, h.n, 2);
  const labels = take(Int8Array, h.n, 1);
  return { n: h.n, length: h.length, channels: h.channels, x, features, samples, recordIndex, labels, records: h.records, leads: h.leads };
}

/** Labelled beats (classes N/S/V/F only) of one WFDB record with reference annotations. */
export async function loadLabelledRecord(recordPath: string, o: LabelledDatasetOptions): Promise<BeatSet> {
  const dir = o.cacheDir === false ? null : o.cacheDir ?? process.env.ECG_REVIEW_CACHE ?? join(tmpdir(), 'ecg-review-beats');
  const file = dir ? cacheFile(dir, recordPath, o) : null;
  if (file) {
    try {
      const s = deserialise(await readFile(file));
      if (s) return s;
    } catch { /* not cached yet */ }
  }
  const src = await openRecording(recordPath);
  try {
    const anns = await readAnnotations(src, o.annotator ?? 'atr');
    let pos = beatsFromAnnotations(anns);
    if (pos.samples.length === 0) throw new ModelError(`has no beat annotations in annotator '${o.annotator ?? 'atr'}'`, recordPath);
    if (o.positions === 'live-detector') {
      if (!o.window.causal) throw new ModelError('beats from the live detector are for causal windows (the offline models are trained at the annotations)', recordPath);
      pos = labelDetections(await liveDetectorPositions(src, chooseLead(src.info, o.lead).index), anns, src.info.fs);
    }
    const s = await buildRecordBeats(src, pos, { window: o.window, lead: o.lead, labelledOnly: true });
    if (dir && file) {
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, serialise(s));
      await rename(tmp, file);
    }
    return s;
  } finally {
    await src.close();
  }
}

/** Labelled beats of several records (`dataDir/<name>`), concatenated in the given order. */
export async function loadLabelledRecords(dataDir: string, records: readonly string[], o: LabelledDatasetOptions): Promise<BeatSet> {
  const sets: BeatSet[] = [];
  for (const r of records) sets.push(await loadLabelledRecord(join(dataDir, r), o));
  return concatBeatSets(sets);
}
