/** The checks every importer applies to a requested sample window, with the same messages everywhere. */
import type { RecordingInfo, SampleWindow } from '../domain/recording.js';
import { FormatError } from './errors.js';

/** Largest window one `read()` returns; longer stretches are read in pieces. */
export const MAX_WINDOW_SAMPLES = 2 ** 28;

export function checkWindow(path: string, info: RecordingInfo, w: SampleWindow = {}, maxSamples = MAX_WINDOW_SAMPLES): { from: number; to: number; channels: number[] } {
  const from = w.from ?? 0;
  const to = w.to ?? info.length;
  const channels = w.channels ?? info.signals.map((_, i) => i);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > info.length || from > to) {
    throw new FormatError(path, `sample window [${from}, ${to}) is outside the recording's 0..${info.length}`);
  }
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= info.signals.length) {
      throw new FormatError(path, `channel ${c} does not exist (the recording exposes ${info.signals.length} signals)`);
    }
  }
  if (to - from > maxSamples) {
    throw new FormatError(path, `window of ${to - from} samples is longer than the ${maxSamples} one read returns; read it in pieces`);
  }
  return { from, to, channels };
}
