/**
 * Multi-segment WFDB records (https://physionet.org/physiotools/wag/header-5.htm, "Multi-segment records").
 * The master header lists segments in order; each is an ordinary single-segment record beside it, or `~`, a
 * null segment: a gap whose samples are all missing.
 *
 * - Fixed layout: every segment has the master's signals in the same order.
 * - Variable layout: the first segment has length 0 and is the layout header, whose signal lines list every
 *   signal of the record. A segment's signals are matched to the layout's by description (as the WFDB library
 *   does); a layout signal absent from a segment reads as missing there. When a segment's gain or baseline
 *   differ from the layout's, its samples are rescaled to the layout's, so one signal has one calibration.
 *
 * All segments must share the master's frame rate and samples per frame; anything else is refused.
 */
import { dirname, join } from 'node:path';
import type { Annotation } from '../../domain/annotation.js';
import type { DigitalSamples, Recording, RecordingInfo, RecordingSource, SampleWindow, SignalInfo } from '../../domain/recording.js';
import { FormatError } from '../errors.js';
import { wfdbStartTime, type WfdbHeader, type WfdbSignalSpec } from './header.js';
import { checkWindow, MAX_WFDB_SAMPLES, openWfdbSingleSegment, readWfdbHeaderFile } from './record.js';

interface Segment {
  name: string;
  /** Start in the record's samples (at the high-resolution rate when multi-frequency). */
  start: number;
  length: number;
  /** Null segment: every sample missing. */
  source: RecordingSource | null;
  specs: WfdbSignalSpec[];
  /** For each record signal, the segment's signal index (or -1 when the segment lacks it). */
  map: number[];
  /** Per record signal: rescale `(v - fromBase) * scale + toBase`, or null to copy as is. */
  rescale: ({ fromBase: number; scale: number; toBase: number } | null)[];
}

export async function openWfdbMultiSegmentRecord(base: string, master: WfdbHeader): Promise<RecordingSource> {
  const headerPath = `${base}.hea`;
  const dir = dirname(base);
  const segLines = master.segments;
  const variable = segLines[0].numberOfSamples === 0;

  let layout: WfdbSignalSpec[] | undefined;
  let layoutSpf = 1;
  if (variable) {
    if (segLines[0].name === '~') throw new FormatError(headerPath, 'the layout segment (length 0) cannot be a null segment');
    const lh = await readWfdbHeaderFile(join(dir, segLines[0].name));
    if (lh.numberOfSegments !== undefined) throw new FormatError(`${join(dir, segLines[0].name)}.hea`, 'a layout segment cannot itself be multi-segment');
    layout = lh.signals;
    layoutSpf = layout.reduce((m, s) => Math.max(m, s.samplesPerFrame), 1);
  }

  const segments: Segment[] = [];
  let start = 0;
  let spfMax: number | undefined = variable ? layoutSpf : undefined;
  for (let k = variable ? 1 : 0; k < segLines.length; k++) {
    const line = segLines[k];
    if (line.name === '~') {
      segments.push({ name: '~', start, length: line.numberOfSamples, source: null, specs: [], map: [], rescale: [] });
      start += line.numberOfSamples; // scaled to samples below, once spfMax is known
      continue;
    }
    const segBase = join(dir, line.name);
    const h = await readWfdbHeaderFile(segBase);
    if (h.numberOfSegments !== undefined) throw new FormatError(`${segBase}.hea`, 'a segment of a multi-segment record is itself multi-segment');
    if (h.samplingFrequency !== master.samplingFrequency) {
      throw new FormatError(`${segBase}.hea`, `segment samples at ${h.samplingFrequency} Hz but the record ${master.recordName} at ${master.samplingFrequency} Hz`);
    }
    const src = await openWfdbSingleSegment(segBase, h);
    const segSpf = h.signals.reduce((m, s) => Math.max(m, s.samplesPerFrame), 1);
    if (spfMax === undefined) spfMax = segSpf;
    else if (segSpf !== spfMax) throw new FormatError(`${segBase}.hea`, `segment has ${segSpf} samples per frame where the record has ${spfMax}; segments of different rates are not supported`);
    if (src.info.length < line.numberOfSamples * segSpf) {
      throw new FormatError(`${segBase}.hea`, `segment holds ${src.info.length / segSpf} samples per signal but ${headerPath} says ${line.numberOfSamples}`);
    }
    if (!variable) {
      if (!layout) layout = h.signals;
      if (h.signals.length !== master.numberOfSignals) {
        throw new FormatError(`${segBase}.hea`, `segment has ${h.signals.length} signals where the fixed-layout record ${master.recordName} has ${master.numberOfSignals}`);
      }
    }
    segments.push({ name: line.name, start, length: line.numberOfSamples, source: src, specs: h.signals, map: [], rescale: [] });
    start += line.numberOfSamples;
  }
  spfMax ??= 1;
  if (!layout) {
    // Only null segments: signals are described by nothing but the master's count.
    layout = [];
  }
  if (layout.length !== master.numberOfSignals) {
    throw new FormatError(headerPath, `record line declares ${master.numberOfSignals} signals but its ${variable ? 'layout segment' : 'first segment'} has ${layout.length}`);
  }
  const totalFrames = segments.reduce((s, g) => s + g.length, 0);
  if (totalFrames * spfMax > MAX_WFDB_SAMPLES) {
    throw new FormatError(headerPath, `declares ${totalFrames * spfMax} samples per signal, more than the ${MAX_WFDB_SAMPLES} this reader accepts`);
  }
  const warnings: string[] = [];
  if (master.numberOfSamples !== undefined && master.numberOfSamples !== totalFrames) {
    warnings.push(`record line says ${master.numberOfSamples} samples but the segments add up to ${totalFrames}; using ${totalFrames}`);
  }

  // Map each record signal into each segment and decide the output type and missing-sample marker.
  const layoutSpecs = layout;
  const needs32 = layoutSpecs.map((s) => !s.format.fitsInt16 && s.format.code !== 0);
  for (const seg of segments) {
    seg.start *= spfMax;
    seg.length *= spfMax;
    if (!seg.source) continue;
    const segSpecs = seg.specs;
    seg.map = layoutSpecs.map((ls, k) => (variable ? segSpecs.findIndex((s) => s.description === ls.description) : k));
    seg.rescale = seg.map.map((j, k) => {
      if (j < 0) return null;
      const ss = segSpecs[j];
      if (!ss.format.fitsInt16) needs32[k] = true;
      const ls = layoutSpecs[k];
      if (!variable || (ss.gain === ls.gain && ss.baseline === ls.baseline)) return null;
      return { fromBase: ss.baseline, scale: ls.gain / ss.gain, toBase: ls.baseline };
    });
  }
  const invalid = needs32.map((b) => (b ? -(2 ** 31) : -32768));
  const first = segments.find((s) => s.source)?.source?.info;
  const signals: SignalInfo[] = layoutSpecs.map((s, k) => ({
    name: s.description,
    units: s.units,
    gain: s.gain,
    baseline: s.baseline,
    adcResolution: s.adcResolution,
    adcZero: s.adcZero,
    storage: first && !variable ? first.signals[k].storage : String(s.format.code),
    invalidValue: invalid[k],
  }));
  if (spfMax > 1) warnings.push(`multi-frequency record: read at ${master.samplingFrequency * spfMax} Hz (${spfMax} samples per frame)`);
  const info: RecordingInfo = {
    name: master.recordName,
    path: base,
    format: 'wfdb',
    fs: master.samplingFrequency * spfMax,
    length: totalFrames * spfMax,
    startTime: wfdbStartTime(master),
    signals,
    warnings,
    comments: master.comments,
  };
  return {
    info,
    read: (w) => readSegments(info, segments, needs32, invalid, w),
    embeddedAnnotations: async (): Promise<Annotation[]> => [],
    close: async () => { await Promise.all(segments.map((s) => s.source?.close())); },
  };
}

async function readSegments(info: RecordingInfo, segments: Segment[], needs32: boolean[], invalid: number[], w?: SampleWindow): Promise<Recording> {
  const { from, to, channels } = checkWindow(info, w);
  const n = to - from;
  const outs = channels.map((c) => (needs32[c] ? new Int32Array(n) : new Int16Array(n)) as DigitalSamples);
  for (const seg of segments) {
    const a = Math.max(from, seg.start);
    const b = Math.min(to, seg.start + seg.length);
    if (a >= b) continue;
    const at = a - from;
    if (!seg.source) {
      channels.forEach((c, k) => outs[k].fill(invalid[c], at, at + (b - a)));
      continue;
    }
    const present = channels.filter((c) => seg.map[c] >= 0);
    const segChannels = [...new Set(present.map((c) => seg.map[c]))];
    const rec = segChannels.length
      ? await seg.source.read({ from: a - seg.start, to: b - seg.start, channels: segChannels })
      : undefined;
    channels.forEach((c, k) => {
      const out = outs[k];
      const j = seg.map[c];
      if (j < 0 || !rec) { out.fill(invalid[c], at, at + (b - a)); return; }
      const sig = rec.signals[segChannels.indexOf(j)];
      const src = sig.samples;
      const srcInvalid = sig.invalidValue;
      const r = seg.rescale[c];
      const lo = needs32[c] ? -(2 ** 31) : -32768;
      const hi = needs32[c] ? 2 ** 31 - 1 : 32767;
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v === srcInvalid) out[at + i] = invalid[c];
        else if (r) out[at + i] = Math.min(hi, Math.max(lo + 1, Math.round((v - r.fromBase) * r.scale + r.toBase)));
        else out[at + i] = v;
      }
    });
  }
  return { info, from, to, signals: channels.map((c, k) => ({ ...info.signals[c], samples: outs[k] })) };
}
